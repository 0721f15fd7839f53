// Running another program without a shell: the one place the collector's programs start a child
// (git for the history, the command `agentmetrics exec` wraps). The child is always reaped.
#pragma once

#include <string>
#include <vector>

namespace agentmetrics {

struct ProcessOutput {
  int exit_code = 0;  // or minus the signal that killed it
  std::string out;    // all of stdout
  std::string err;    // the start of stderr
};

// Runs `argv` (argv[0] looked up in PATH) with exactly the environment `env` ("NAME=value"),
// stdin reading /dev/null, collecting what it prints, and waits for it to end. Throws
// std::system_error when it cannot be started.
ProcessOutput run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env);

// Runs `argv` on this process's stdin, stdout, stderr and environment and waits for it; a
// SIGTERM or SIGINT this process gets meanwhile is passed on to it (a CI runner stopping the
// job must stop the stage too). Returns its exit code, or minus the signal that killed it.
// Throws std::system_error (with the errno of the failed start) when it cannot be started.
int run_attached(const std::vector<std::string>& argv);

}  // namespace agentmetrics
