// Running a helper program (git) without a shell and collecting what it prints.
#pragma once

#include <string>
#include <vector>

namespace agentmetrics::ingest {

struct ProcessOutput {
  int exit_code = 0;  // or minus the signal that killed it
  std::string out;    // all of stdout
  std::string err;    // the start of stderr
};

// Runs `argv` (argv[0] looked up in PATH) with exactly the environment `env` ("NAME=value"),
// stdin reading /dev/null, and waits for it to end. Throws std::system_error when it cannot
// be started.
ProcessOutput run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env);

}  // namespace agentmetrics::ingest
