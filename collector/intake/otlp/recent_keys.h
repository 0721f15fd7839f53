// The keys seen lately, to count a retried export once: an exporter that did not get its answer
// sends the same request again, with the same points and records. At most `capacity` keys are
// remembered, the oldest forgotten first (and counted).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <unordered_set>

namespace agentmetrics::intake {

class RecentKeys {
 public:
  explicit RecentKeys(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // True the first time `key` is offered (while it is remembered). Any thread.
  bool first_time(std::uint64_t key) {
    std::lock_guard lock(mutex_);
    if (!seen_.insert(key).second) return false;
    order_.push_back(key);
    if (order_.size() > capacity_) {
      seen_.erase(order_.front());
      order_.pop_front();
      ++forgotten_;
    }
    return true;
  }
  std::size_t forgotten() const {
    std::lock_guard lock(mutex_);
    return forgotten_;
  }

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_set<std::uint64_t> seen_;
  std::deque<std::uint64_t> order_;  // oldest first
  std::size_t forgotten_ = 0;
};

}  // namespace agentmetrics::intake
