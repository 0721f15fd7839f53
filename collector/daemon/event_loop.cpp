#include "collector/daemon/event_loop.h"

#include <liburing.h>
#include <poll.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace agentmetrics::collector {
namespace {

class PollLoop : public EventLoop {
 public:
  void watch(int fd, Callback callback) override { watched_.push_back({fd, std::move(callback)}); }
  std::string mode() const override { return "poll"; }

  void run(std::chrono::milliseconds interval, const Callback& tick) override {
    auto next_tick = std::chrono::steady_clock::now() + interval;
    while (!stopping_) {
      std::vector<pollfd> fds;
      for (const auto& w : watched_) fds.push_back({w.fd, POLLIN, 0});
      // Rounded up, or poll would return just before the tick and spin until it is due.
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next_tick - std::chrono::steady_clock::now());
      const int n = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(0, wait.count())));
      for (std::size_t i = 0; n > 0 && i < fds.size() && !stopping_; ++i) {
        if (fds[i].revents) watched_[i].callback();
      }
      if (std::chrono::steady_clock::now() >= next_tick && !stopping_) {
        tick();
        next_tick = std::chrono::steady_clock::now() + interval;
      }
    }
  }

 private:
  struct Watched {
    int fd;
    Callback callback;
  };
  std::vector<Watched> watched_;
};

class IoUringLoop : public EventLoop {
 public:
  explicit IoUringLoop(io_uring ring) : ring_(ring) {}
  ~IoUringLoop() override { io_uring_queue_exit(&ring_); }
  std::string mode() const override { return "io_uring"; }

  void watch(int fd, Callback callback) override {
    watched_.push_back({fd, std::move(callback)});
    arm(watched_.size() - 1);
  }

  void run(std::chrono::milliseconds interval, const Callback& tick) override {
    auto next_tick = std::chrono::steady_clock::now() + interval;
    while (!stopping_) {
      const auto wait = std::max(std::chrono::steady_clock::duration::zero(), next_tick - std::chrono::steady_clock::now());
      __kernel_timespec ts{};
      ts.tv_sec = std::chrono::duration_cast<std::chrono::seconds>(wait).count();
      ts.tv_nsec = (wait - std::chrono::seconds(ts.tv_sec)).count();
      io_uring_cqe* cqe = nullptr;
      // One system call submits the re-armed polls and sleeps until a completion or the tick.
      const int rc = io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
      if (rc >= 0 || rc == -ETIME) {
        unsigned head = 0;
        unsigned seen = 0;
        std::vector<std::size_t> ready;
        io_uring_for_each_cqe(&ring_, head, cqe) {
          // Kernels before 5.11 lack IORING_FEAT_EXT_ARG: liburing then queues a timeout of its
          // own, whose completion carries no index of ours.
          const auto index = static_cast<std::size_t>(io_uring_cqe_get_data64(cqe));
          if (index < watched_.size()) ready.push_back(index);
          ++seen;
        }
        io_uring_cq_advance(&ring_, seen);
        for (std::size_t i : ready) {
          if (stopping_) break;
          watched_[i].callback();
          arm(i);
        }
      }
      if (std::chrono::steady_clock::now() >= next_tick && !stopping_) {
        tick();
        next_tick = std::chrono::steady_clock::now() + interval;
      }
    }
  }

 private:
  void arm(std::size_t i) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring_);
    if (!sqe) {
      io_uring_submit(&ring_);
      sqe = io_uring_get_sqe(&ring_);
    }
    io_uring_prep_poll_add(sqe, watched_[i].fd, POLLIN);
    io_uring_sqe_set_data64(sqe, i);
  }

  struct Watched {
    int fd;
    Callback callback;
  };
  io_uring ring_;
  std::vector<Watched> watched_;
};

}  // namespace

std::unique_ptr<EventLoop> make_event_loop(WaitMode mode, std::string& fallback_reason) {
  fallback_reason.clear();
  if (mode == WaitMode::kPoll) return std::make_unique<PollLoop>();
  io_uring ring{};
  const int rc = io_uring_queue_init(16, &ring, 0);
  if (rc == 0) return std::make_unique<IoUringLoop>(ring);
  fallback_reason = std::string("io_uring_queue_init: ") + std::strerror(-rc);
  if (mode == WaitMode::kIoUring) throw std::runtime_error("io_uring was required but is unavailable (" + fallback_reason + ")");
  return std::make_unique<PollLoop>();
}

}  // namespace agentmetrics::collector
