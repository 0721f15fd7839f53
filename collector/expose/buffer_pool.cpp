#include "collector/expose/buffer_pool.h"

namespace agentmetrics::collector {

std::string BufferPool::acquire() {
  std::lock_guard lock(mutex_);
  if (free_.empty()) return {};
  std::string buffer = std::move(free_.back());
  free_.pop_back();
  buffer.clear();
  return buffer;
}

void BufferPool::release(std::string&& buffer) {
  std::lock_guard lock(mutex_);
  if (free_.size() < kKept) free_.push_back(std::move(buffer));
}

}  // namespace agentmetrics::collector
