// What a crash_producer (tests/tools/crash_producer.cpp) wrote before it died, read from its
// progress file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace agentmetrics::testing {

struct ThreadProgress {
  std::uint64_t increments_begun = 0;
  std::uint64_t increments_done = 0;
  std::uint64_t events_begun = 0;
  std::uint64_t events_accepted = 0;
  std::uint64_t events_refused = 0;
};

// Creates an empty progress file (a page of zeros) for a crash_producer to map.
void make_progress_file(const std::string& path);
// The first `threads` threads' progress.
std::vector<ThreadProgress> read_progress_file(const std::string& path, int threads);

}  // namespace agentmetrics::testing
