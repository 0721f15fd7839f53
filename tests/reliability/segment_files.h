// The segment files of one namespace in a segment directory, published or half-created.
#pragma once

#include <string>
#include <vector>

namespace agentmetrics::testing {

// Names in `dir` of agentmetrics.<ns>.* and .agentmetrics-init.<ns>.* files.
std::vector<std::string> segment_files(const std::string& ns, const std::string& dir = "/dev/shm");
// Removes them (a test's leftovers); returns how many.
std::size_t remove_segment_files(const std::string& ns, const std::string& dir = "/dev/shm");

}  // namespace agentmetrics::testing
