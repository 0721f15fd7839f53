// agentmetrics exec --stage <name> -- <command...>: runs a pipeline stage and records it.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <system_error>

#include <nlohmann/json.hpp>

#include "collector/cli/agentmetrics/commands.h"
#include "collector/common/child_process.h"
#include "collector/cli/agentmetrics/event_recording.h"

namespace agentmetrics::cli {
namespace {

struct StageResult {
  int exit_code;             // what `agentmetrics exec` exits with
  std::string failure_type;  // empty on success
};

StageResult run_stage(const std::vector<std::string>& command) {
  int code = 0;
  try {
    code = run_attached(command);
  } catch (const std::system_error& e) {
    std::fprintf(stderr, "agentmetrics exec: cannot run %s: %s\n", command[0].c_str(), std::strerror(e.code().value()));
    // The shell's codes: 127 not found, 126 found but not runnable.
    return e.code().value() == ENOENT ? StageResult{127, "command_not_found"} : StageResult{126, "command_not_executable"};
  }
  if (code < 0) {
    const int sig = -code;
    const char* abbrev = ::sigabbrev_np(sig);
    return {128 + sig, std::string("signal_") + (abbrev ? abbrev : std::to_string(sig).c_str())};
  }
  return {code, code == 0 ? "" : "exit_code_" + std::to_string(code)};
}

}  // namespace

void add_exec_command(CLI::App& app, int& result) {
  auto* cmd = app.add_subcommand("exec",
                                 "Run a command as a pipeline stage and record the run (stage, success, duration, failure "
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
