#include "collector/drain/doorbell_waiter.h"

#include <liburing.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "collector/common/log.h"

namespace agentmetrics::collector {
namespace {

// liburing 2.3 (Debian 12) predates the futex opcodes; the kernel's number is stable ABI.
constexpr std::uint8_t kOpFutexWaitv = 53;

class SyscallWaiter : public DoorbellWaiter {
 public:
  const char* name() const override { return "futex_waitv"; }
  void wait(std::vector<futex_waitv>& waiters, std::chrono::milliseconds timeout) override {
    if (!futex_waitv_works_) {
      std::this_thread::sleep_for(std::min(timeout, std::chrono::milliseconds(1)));
      return;
    }
    timespec deadline{};
    ::clock_gettime(CLOCK_MONOTONIC, &deadline);
    const auto ns = deadline.tv_nsec + std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
    deadline.tv_sec += static_cast<time_t>(ns / 1'000'000'000);
    deadline.tv_nsec = static_cast<long>(ns % 1'000'000'000);
    const long rc = ::syscall(SYS_futex_waitv, waiters.data(), static_cast<unsigned>(waiters.size()), 0, &deadline, CLOCK_MONOTONIC);
    // ENOSYS or EPERM (an old kernel, a seccomp filter): sleep in short steps from now on.
    if (rc < 0 && (errno == ENOSYS || errno == EPERM)) {
      futex_waitv_works_ = false;
      log(LogLevel::kWarn, "futex_waitv is refused here; drain threads poll every millisecond instead",
          {{"error", errno == ENOSYS ? "ENOSYS" : "EPERM"}});
    }
  }

 private:
  bool futex_waitv_works_ = true;
};

class IoUringWaiter : public DoorbellWaiter {
 public:
  explicit IoUringWaiter(io_uring ring) : ring_(ring) {}
  const char* name() const override { return "io_uring"; }
  ~IoUringWaiter() override { io_uring_queue_exit(&ring_); }

  void wait(std::vector<futex_waitv>& waiters, std::chrono::milliseconds timeout) override {
    __kernel_timespec ts{};
    ts.tv_sec = timeout.count() / 1000;
    ts.tv_nsec = (timeout.count() % 1000) * 1'000'000;
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    io_uring_sqe* timer = sqe ? io_uring_get_sqe(&ring_) : nullptr;
    if (!timer) {
      // The submission queue holds requests a failed submit left behind: sleep plainly this
      // time rather than lose track of what is in flight.
      std::this_thread::sleep_for(std::min(timeout, std::chrono::milliseconds(1)));
      return;
    }
    io_uring_prep_rw(kOpFutexWaitv, sqe, 0, waiters.data(), static_cast<unsigned>(waiters.size()), 0);
    sqe->flags |= IOSQE_IO_LINK;
    io_uring_prep_link_timeout(timer, &ts, 0);
    // Two completions always come back: the wait's and its linked timeout's (one of them
    // cancelled by the other), so nothing is left in flight after this call.
    io_uring_submit_and_wait(&ring_, 2);
    for (unsigned taken = 0; taken < 2;) {
      io_uring_cqe* cqe = nullptr;
      const int rc = io_uring_wait_cqe(&ring_, &cqe);
      if (rc == -EINTR) continue;  // both completions must be taken before the next wait
      if (rc != 0) break;
      io_uring_cqe_seen(&ring_, cqe);
      ++taken;
    }
  }

 private:
  io_uring ring_;
};

}  // namespace

std::unique_ptr<DoorbellWaiter> make_doorbell_waiter(bool use_io_uring) {
  if (use_io_uring) {
    io_uring ring{};
    if (io_uring_queue_init(4, &ring, 0) == 0) {
      io_uring_probe* probe = io_uring_get_probe_ring(&ring);
      const bool supported = probe && io_uring_opcode_supported(probe, kOpFutexWaitv);
      if (probe) io_uring_free_probe(probe);
      if (supported) return std::make_unique<IoUringWaiter>(ring);
      io_uring_queue_exit(&ring);
    }
  }
  return std::make_unique<SyscallWaiter>();
}

}  // namespace agentmetrics::collector
