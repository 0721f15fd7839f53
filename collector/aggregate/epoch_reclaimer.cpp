#include "collector/aggregate/epoch_reclaimer.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <thread>

namespace agentmetrics::collector {

EpochReclaimer::ReadGuard::ReadGuard(EpochReclaimer& reclaimer) : slot_(nullptr) {
  // Start at a slot of this thread's own, so that concurrent scrapes rarely try the same one.
  const std::size_t start = std::hash<std::thread::id>{}(std::this_thread::get_id());
  for (std::size_t attempt = 0;; ++attempt) {
    const std::uint64_t epoch = reclaimer.epoch_.load(std::memory_order_seq_cst);
    for (std::size_t i = 0; i < kReaders; ++i) {
      auto& slot = reclaimer.readers_[(start + i) % kReaders];
      std::uint64_t expected = 0;
      if (slot.compare_exchange_strong(expected, epoch, std::memory_order_seq_cst)) {
        slot_ = &slot;
        std::atomic_thread_fence(std::memory_order_seq_cst);  // see the header
        return;
      }
    }
    std::this_thread::yield();
  }
}

EpochReclaimer::ReadGuard::~ReadGuard() { slot_->store(0, std::memory_order_release); }

EpochReclaimer::~EpochReclaimer() {
  for (const auto& r : retired_) r.free(r.memory);
}

void EpochReclaimer::retire(void* memory, void (*free)(void*)) {
  std::atomic_thread_fence(std::memory_order_seq_cst);  // see the header
  const std::uint64_t epoch = epoch_.load(std::memory_order_seq_cst);
  std::lock_guard lock(mutex_);
  retired_.push_back(Retired{memory, free, epoch});
}

void EpochReclaimer::reclaim() {
  std::vector<Retired> free_now;
  {
    std::lock_guard lock(mutex_);
    if (retired_.empty()) return;
    epoch_.fetch_add(1, std::memory_order_seq_cst);
    std::atomic_thread_fence(std::memory_order_seq_cst);  // see the header
    std::uint64_t oldest_reader = std::numeric_limits<std::uint64_t>::max();
    for (const auto& slot : readers_) {
      if (const std::uint64_t e = slot.load(std::memory_order_seq_cst); e != 0) oldest_reader = std::min(oldest_reader, e);
    }
    // A reader that entered in epoch e may hold what was retired in epoch e or later.
    const auto kept = std::partition(retired_.begin(), retired_.end(), [&](const Retired& r) { return r.epoch >= oldest_reader; });
    free_now.assign(kept, retired_.end());
    retired_.erase(kept, retired_.end());
    // A burst of expiries (100k series) leaves no large list behind.
    if (retired_.capacity() > 4 * retired_.size() + 1024) retired_.shrink_to_fit();
  }
  for (const auto& r : free_now) r.free(r.memory);
}

std::size_t EpochReclaimer::pending() const {
  std::lock_guard lock(mutex_);
  return retired_.size();
}

}  // namespace agentmetrics::collector
