// How a drain thread sleeps until a producer rings one of its segments' doorbells (or its own
// wake word, or a timeout): FUTEX_WAITV requests on the thread's io_uring where the kernel
// supports it (6.7+), the futex_waitv system call otherwise (the poll mode).
//
// One FUTEX_WAITV watches at most 128 words. A thread with more segments waits on them in
// groups: several requests on its io_uring, or one system call per group made by helper
// threads; the first to return wakes the others. So every doorbell is watched however many
// segments a thread has, and none needs polling.
#pragma once

#include <linux/futex.h>

#include <chrono>
#include <memory>
#include <vector>

namespace agentmetrics::collector {

class DoorbellWaiter {
 public:
  virtual ~DoorbellWaiter() = default;
  // Sleeps until a futex in `waiters` differs from its value or is woken, or `timeout` passes.
  // The caller keeps the vector alive during the call.
  virtual void wait(std::vector<futex_waitv>& waiters, std::chrono::milliseconds timeout) = 0;
  static constexpr std::size_t kMaxWaiters = 128;  // FUTEX_WAITV_MAX: words one request watches
  // "io_uring" or "futex_waitv", for the log.
  virtual const char* name() const = 0;
};

// use_io_uring: try io_uring first (falls back if FUTEX_WAITV is not supported).
std::unique_ptr<DoorbellWaiter> make_doorbell_waiter(bool use_io_uring);

}  // namespace agentmetrics::collector
