// A real child process for integration tests: spawned with its own arguments and environment
// (a bare program name is looked up in PATH),
// its stderr kept in a file, and always reaped.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace agentmetrics::testing {

class Process {
 public:
  // env entries are added to (or override) the test's own environment.
  Process(std::vector<std::string> argv, const std::map<std::string, std::string>& env = {});
  ~Process();  // SIGKILLs and reaps a child still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int signo) const;
  // The exit status (as from waitpid) or nullopt if still running after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // Everything the child wrote to stderr and stdout so far.
  std::string output() const;

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string output_path_;
};

// Exit code of a wait status, or -signal if killed by a signal.
int exit_code(int status);

struct CommandResult {
  int code = -1;       // exit code, or -signal; -1 also when still running at the timeout
  std::string output;  // stdout and stderr together
};

// Runs argv to its end; killed after `timeout`, which the output then says.
CommandResult run_command(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
                          std::chrono::seconds timeout = std::chrono::seconds(60));

}  // namespace agentmetrics::testing
