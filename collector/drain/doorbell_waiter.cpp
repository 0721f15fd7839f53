#include "collector/drain/doorbell_waiter.h"

#include <liburing.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <thread>

#include "collector/common/log.h"

namespace agentmetrics::collector {
namespace {

// liburing 2.3 (Debian 12) predates the futex opcodes; the kernel's number is stable ABI.
constexpr std::uint8_t kOpFutexWaitv = 53;

timespec deadline_after(std::chrono::milliseconds timeout) {
  timespec deadline{};
  ::clock_gettime(CLOCK_MONOTONIC, &deadline);
  const auto ns = deadline.tv_nsec + std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
  deadline.tv_sec += static_cast<time_t>(ns / 1'000'000'000);
  deadline.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  return deadline;
}

long futex_waitv_call(futex_waitv* waiters, std::size_t count, const timespec& deadline) {
  return ::syscall(SYS_futex_waitv, waiters, static_cast<unsigned>(count), 0, &deadline, CLOCK_MONOTONIC);
}

void wake_all(std::atomic<std::uint32_t>& word) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

// Sleeps while `word` holds `value` (or returns at once if it does not).
void wait_while(std::atomic<std::uint32_t>& word, std::uint32_t value) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, value, nullptr, nullptr, 0);
}

class SyscallWaiter : public DoorbellWaiter {
 public:
  const char* name() const override { return "futex_waitv"; }

  ~SyscallWaiter() override {
    stopping_.store(true, std::memory_order_release);
    for (auto& h : helpers_) {
      h->go.fetch_add(1, std::memory_order_release);
      wake_all(h->go);
      h->thread.join();
    }
  }

  void wait(std::vector<futex_waitv>& waiters, std::chrono::milliseconds timeout) override {
    if (!futex_waitv_works_) {
      std::this_thread::sleep_for(std::min(timeout, std::chrono::milliseconds(1)));
      return;
    }
    const timespec deadline = deadline_after(timeout);
    if (waiters.size() <= kMaxWaiters) {
      note_refusal(futex_waitv_call(waiters.data(), waiters.size(), deadline));
    } else {
      wait_in_groups(waiters, deadline);
    }
  }

 private:
  // A thread that makes the system call for one group of words.
  struct Helper {
    std::atomic<std::uint32_t> go{0};  // bumped (release) when `group` is ready, or to stop
    std::vector<futex_waitv> group;
    std::thread thread;
  };

  // ENOSYS or EPERM (an old kernel, a seccomp filter): sleep in short steps from now on.
  void note_refusal(long rc) {
    if (rc < 0 && (errno == ENOSYS || errno == EPERM) && futex_waitv_works_) {
      futex_waitv_works_ = false;
      log(LogLevel::kWarn, "futex_waitv is refused here; drain threads poll every millisecond instead",
          {{"error", errno == ENOSYS ? "ENOSYS" : "EPERM"}});
    }
  }

  // Each group also watches done_, which whoever returns first bumps, so all return together.
  void wait_in_groups(std::vector<futex_waitv>& waiters, const timespec& deadline) {
    constexpr std::size_t kPerGroup = kMaxWaiters - 1;
    const std::size_t groups = (waiters.size() + kPerGroup - 1) / kPerGroup;
    while (helpers_.size() < groups - 1) start_helper();
    const futex_waitv done{done_.load(std::memory_order_acquire), reinterpret_cast<std::uint64_t>(&done_), FUTEX_32 | FUTEX_PRIVATE_FLAG,
                           0};
    auto group = [&](std::size_t g, std::vector<futex_waitv>& out) {
      const auto first = waiters.begin() + static_cast<std::ptrdiff_t>(g * kPerGroup);
      out.assign(first, first + static_cast<std::ptrdiff_t>(std::min(kPerGroup, waiters.size() - g * kPerGroup)));
      out.push_back(done);
    };
    finished_.store(0, std::memory_order_relaxed);
    deadline_ = deadline;
    for (std::size_t g = 1; g < groups; ++g) {
      Helper& h = *helpers_[g - 1];
      group(g, h.group);
      // Release: the helper sees its group and the deadline.
      h.go.fetch_add(1, std::memory_order_release);
      wake_all(h.go);
    }
    group(0, own_group_);
    note_refusal(futex_waitv_call(own_group_.data(), own_group_.size(), deadline));
    done_.fetch_add(1, std::memory_order_release);
    wake_all(done_);
    // The groups' vectors are reused next time: every helper must be out of its call.
    for (std::uint32_t n = 0; (n = finished_.load(std::memory_order_acquire)) < groups - 1;) wait_while(finished_, n);
  }

  void start_helper() {
    auto helper = std::make_unique<Helper>();
    Helper* h = helper.get();
    h->thread = std::thread([this, h] {
      std::uint32_t seen = 0;
      for (;;) {
        std::uint32_t go = 0;
        while ((go = h->go.load(std::memory_order_acquire)) == seen) wait_while(h->go, seen);
        seen = go;
        if (stopping_.load(std::memory_order_acquire)) return;
        futex_waitv_call(h->group.data(), h->group.size(), deadline_);
        done_.fetch_add(1, std::memory_order_release);
        wake_all(done_);
        finished_.fetch_add(1, std::memory_order_release);
        wake_all(finished_);
      }
    });
    pthread_setname_np(h->thread.native_handle(), "am-doorbell");
    helpers_.push_back(std::move(helper));
  }

  bool futex_waitv_works_ = true;
  std::vector<std::unique_ptr<Helper>> helpers_;
  std::vector<futex_waitv> own_group_;
  timespec deadline_{};  // of the current wait, for the helpers
  std::atomic<std::uint32_t> done_{0};
  std::atomic<std::uint32_t> finished_{0};  // helpers out of their call in this wait
  std::atomic<bool> stopping_{false};
};

class IoUringWaiter : public DoorbellWaiter {
 public:
  IoUringWaiter(io_uring ring, unsigned entries) : ring_(ring), entries_(entries) {}
  const char* name() const override { return "io_uring"; }
  ~IoUringWaiter() override { io_uring_queue_exit(&ring_); }

  void wait(std::vector<futex_waitv>& waiters, std::chrono::milliseconds timeout) override {
    __kernel_timespec ts{};
    ts.tv_sec = timeout.count() / 1000;
    ts.tv_nsec = (timeout.count() % 1000) * 1'000'000;
    if (waiters.size() <= kMaxWaiters) {
      wait_linked(waiters, ts);
    } else {
      wait_in_groups(waiters, ts);
    }
  }

 private:
  // One request and its linked timeout.
  void wait_linked(std::vector<futex_waitv>& waiters, __kernel_timespec& ts) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    io_uring_sqe* timer = sqe ? io_uring_get_sqe(&ring_) : nullptr;
    if (!timer) {
      sleep_plainly(ts);
      return;
    }
    io_uring_prep_rw(kOpFutexWaitv, sqe, 0, waiters.data(), static_cast<unsigned>(waiters.size()), 0);
    sqe->flags |= IOSQE_IO_LINK;
    io_uring_prep_link_timeout(timer, &ts, 0);
    // Two completions always come back: the wait's and its linked timeout's (one of them
    // cancelled by the other), so nothing is left in flight after this call.
    io_uring_submit_and_wait(&ring_, 2);
    reap(2);
  }

  // One request per group of kMaxWaiters words and a timer; the first completion cancels the
  // rest, and every completion is taken before returning (the requests point into `waiters`).
  void wait_in_groups(std::vector<futex_waitv>& waiters, __kernel_timespec& ts) {
    const std::size_t groups = (waiters.size() + kMaxWaiters - 1) / kMaxWaiters;
    if (!room_for(static_cast<unsigned>(groups) + 2)) {
      sleep_plainly(ts);
      return;
    }
    for (std::size_t g = 0; g < groups; ++g) {
      io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
      const std::size_t count = std::min(kMaxWaiters, waiters.size() - g * kMaxWaiters);
      io_uring_prep_rw(kOpFutexWaitv, sqe, 0, waiters.data() + g * kMaxWaiters, static_cast<unsigned>(count), 0);
    }
    io_uring_prep_timeout(io_uring_get_sqe(&ring_), &ts, 0, 0);
    io_uring_submit_and_wait(&ring_, 1);
    io_uring_cqe* first = nullptr;
    while (io_uring_wait_cqe(&ring_, &first) == -EINTR) {}
    io_uring_prep_cancel64(io_uring_get_sqe(&ring_), 0, IORING_ASYNC_CANCEL_ALL | IORING_ASYNC_CANCEL_ANY);
    io_uring_submit(&ring_);
    reap(static_cast<unsigned>(groups) + 2);
  }

  void reap(unsigned completions) {
    for (unsigned taken = 0; taken < completions;) {
      io_uring_cqe* cqe = nullptr;
      const int rc = io_uring_wait_cqe(&ring_, &cqe);
      if (rc == -EINTR) continue;  // every completion must be taken before the next wait
      if (rc != 0) break;
      io_uring_cqe_seen(&ring_, cqe);
      ++taken;
    }
  }

  // A ring with room for `requests` at once, made larger when needed.
  bool room_for(unsigned requests) {
    if (requests <= entries_) return true;
    unsigned entries = entries_;
    while (entries < requests) entries *= 2;
    io_uring larger{};
    if (io_uring_queue_init(entries, &larger, 0) != 0) return false;
    io_uring_queue_exit(&ring_);
    ring_ = larger;
    entries_ = entries;
    return true;
  }

  // The submission queue holds requests a failed submit left behind, or no larger ring could
  // be set up: sleep plainly this time rather than lose track of what is in flight.
  static void sleep_plainly(const __kernel_timespec& ts) {
    std::this_thread::sleep_for(
        std::min(std::chrono::milliseconds(ts.tv_sec * 1000 + ts.tv_nsec / 1'000'000), std::chrono::milliseconds(1)));
  }

  io_uring ring_;
  unsigned entries_;
};

}  // namespace

std::unique_ptr<DoorbellWaiter> make_doorbell_waiter(bool use_io_uring) {
  if (use_io_uring) {
    constexpr unsigned kEntries = 4;
    io_uring ring{};
    if (io_uring_queue_init(kEntries, &ring, 0) == 0) {
      io_uring_probe* probe = io_uring_get_probe_ring(&ring);
      const bool supported = probe && io_uring_opcode_supported(probe, kOpFutexWaitv);
      if (probe) io_uring_free_probe(probe);
      if (supported) return std::make_unique<IoUringWaiter>(ring, kEntries);
      io_uring_queue_exit(&ring);
    }
  }
  return std::make_unique<SyscallWaiter>();
}

}  // namespace agentmetrics::collector
