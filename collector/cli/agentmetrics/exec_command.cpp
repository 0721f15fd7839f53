// agentmetrics exec --stage <name> -- <command...>: runs a pipeline stage and records it.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include <nlohmann/json.hpp>

#include "collector/cli/agentmetrics/commands.h"
#include "collector/cli/agentmetrics/event_recording.h"

extern char** environ;

namespace agentmetrics::cli {
namespace {

pid_t g_child = -1;

// A CI runner that stops the job signals us; the stage it runs must hear it too.
void forward_signal(int signo) {
  if (g_child > 0) ::kill(g_child, signo);
}

struct StageResult {
  int exit_code;             // what `agentmetrics exec` exits with
  std::string failure_type;  // empty on success
};

StageResult run_stage(const std::vector<std::string>& command) {
  std::vector<char*> argv;
  for (const auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  struct sigaction forward {};
  forward.sa_handler = forward_signal;
  sigemptyset(&forward.sa_mask);
  struct sigaction old_term {}, old_int {};
  ::sigaction(SIGTERM, &forward, &old_term);
  ::sigaction(SIGINT, &forward, &old_int);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
  if (rc != 0) {
    ::sigaction(SIGTERM, &old_term, nullptr);
    ::sigaction(SIGINT, &old_int, nullptr);
    std::fprintf(stderr, "agentmetrics exec: cannot run %s: %s\n", argv[0], std::strerror(rc));
    // The shell's codes: 127 not found, 126 found but not runnable.
    return rc == ENOENT ? StageResult{127, "command_not_found"} : StageResult{126, "command_not_executable"};
  }
  g_child = pid;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  g_child = -1;
  ::sigaction(SIGTERM, &old_term, nullptr);
  ::sigaction(SIGINT, &old_int, nullptr);
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    const char* abbrev = ::sigabbrev_np(sig);
    return {128 + sig, std::string("signal_") + (abbrev ? abbrev : std::to_string(sig).c_str())};
  }
  const int code = WEXITSTATUS(status);
  return {code, code == 0 ? "" : "exit_code_" + std::to_string(code)};
}

}  // namespace

void add_exec_command(CLI::App& app, int& result) {
  auto* cmd = app.add_subcommand("exec", "Run a command as a pipeline stage and record the run (stage, success, duration, failure "
                                         "type); exits with the command's exit code: agentmetrics exec --stage test -- make check");
  struct Options {
    std::string stage;
    std::string failure_type;
    bool json = false;
    std::vector<std::string> command;
  };
  auto options = std::make_shared<Options>();
  cmd->add_option("--stage", options->stage, "the pipeline stage (build, test, lint, deploy, ...)")->required();
  cmd->add_option("--failure-type", options->failure_type,
                  "the failure type to record if the command fails (default: exit_code_N, or signal_NAME)");
  cmd->add_flag("--json", options->json, "print the recorded run as JSON on stderr when done");
  cmd->add_option("command", options->command, "the command and its arguments, after --")->required();
  cmd->callback([options, &result] {
    Event event("pipeline");
    try {
      event.set("stage", options->stage);
      if (!options->failure_type.empty()) Event("pipeline").set("failure_type", options->failure_type);  // checked before the run
    } catch (const std::invalid_argument& e) {
      std::fprintf(stderr, "agentmetrics exec: %s\n", e.what());
      result = kExitBadInput;
      return;
    }
    const auto start = std::chrono::steady_clock::now();
    StageResult stage = run_stage(options->command);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const bool success = stage.exit_code == 0;
    if (!options->failure_type.empty()) stage.failure_type = options->failure_type;
    result = stage.exit_code;
    event.set("success", success).set("duration_seconds", seconds);
    if (!success) event.set("failure_type", stage.failure_type);
    // A run that could not be recorded is reported, but the command's exit code still wins.
    record_or_explain(event);
    if (options->json) {
      nlohmann::json run = {{"stage", options->stage}, {"success", success}, {"duration_seconds", seconds}, {"exit_code", stage.exit_code}};
      if (!success) run["failure_type"] = stage.failure_type;
      std::fprintf(stderr, "%s\n", run.dump().c_str());
    }
  });
}

}  // namespace agentmetrics::cli
