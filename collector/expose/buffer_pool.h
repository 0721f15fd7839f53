// Scrape bodies kept from one scrape to the next. A body of 10k histogram series is about
// 10 MB; a fresh buffer of that size costs thousands of page faults (expensive in virtual
// machines), a reused one none.
#pragma once

#include <mutex>
#include <string>
#include <vector>

namespace agentmetrics::collector {

class BufferPool {
 public:
  // An empty string, with the capacity of a returned one when there is one.
  std::string acquire();
  // Takes a buffer back; beyond a few kept buffers it is freed.
  void release(std::string&& buffer);

 private:
  static constexpr std::size_t kKept = 4;
  std::mutex mutex_;
  std::vector<std::string> free_;
};

}  // namespace agentmetrics::collector
