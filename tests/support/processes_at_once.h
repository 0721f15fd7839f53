// Runs one body in several forked processes released at the same instant: the races between
// processes that open one new file together (SQLite's locks are per process, not per thread).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace agentmetrics::testing {

// Forks `processes` children that wait on one pipe, releases them together, and returns what
// each child that failed said (an exception's text, or how it ended); empty when all succeeded.
// Call it before the test starts any thread.
std::vector<std::string> run_in_processes_at_once(int processes, const std::function<void()>& body);

}  // namespace agentmetrics::testing
