// The collector's main loop: readable descriptors (inotify for discovery, signalfd for
// signals) and a periodic tick, served by io_uring where the kernel and the sandbox allow it,
// and by poll(2) otherwise (io_uring is refused by the default seccomp profiles of Docker 25+
// and containerd 2.0). Both behave the same: nothing runs between events but the tick.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "collector/config/config.h"

namespace agentmetrics::collector {

class EventLoop {
 public:
  using Callback = std::function<void()>;
  virtual ~EventLoop() = default;

  // `callback` runs whenever `fd` is readable; it must read what is there.
  virtual void watch(int fd, Callback callback) = 0;
  // Runs until stop() is called (from a callback), calling `tick` about every `interval`.
  virtual void run(std::chrono::milliseconds interval, const Callback& tick) = 0;
  void stop() { stopping_ = true; }
  // "io_uring" or "poll".
  virtual std::string mode() const = 0;

 protected:
  bool stopping_ = false;
};

// io_uring unless `mode` is kPoll or io_uring cannot be set up here (the reason is in
// `fallback_reason`, empty when io_uring was used or poll was asked for). Throws
// std::runtime_error when kIoUring is demanded and unavailable.
std::unique_ptr<EventLoop> make_event_loop(WaitMode mode, std::string& fallback_reason);

}  // namespace agentmetrics::collector
