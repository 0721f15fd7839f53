#include "collector/drain/drain_pace.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace agentmetrics::collector {

DrainPace::DrainPace(DrainPriority priority) {
  if (priority == DrainPriority::kAuto) {
    realtime_allowed_ = set_realtime(true);
    if (!realtime_allowed_) refusal_ = errno;
  }
}

bool DrainPace::set_realtime(bool on) {
  sched_param param{};
  param.sched_priority = on ? 1 : 0;
  const int rc = ::pthread_setschedparam(::pthread_self(), on ? SCHED_FIFO : SCHED_OTHER, &param);
  if (rc != 0) {
    errno = rc;
    return false;
  }
  realtime_ = on;
  return true;
}

std::chrono::nanoseconds DrainPace::after_pass(std::size_t records, Clock::time_point now) {
  const auto cycle = now - last_pass_;
  last_pass_ = now;
  if (records >= kBusyPass) {
    if (busy_since_ == Clock::time_point{}) busy_since_ = now;
    // Keeping up only by never pausing: ordinary priority, so the rest of the machine shares
    // the core.
    if (realtime_ && now - busy_since_ > kRealtimeBusyLimit) set_realtime(false);
    return std::chrono::nanoseconds::zero();
  }
  busy_since_ = {};
  if (realtime_allowed_ && !realtime_) set_realtime(true);
  // The nap in which the busiest ring (at most all of `records`) would fill by kFillPerNap at
  // the rate of the last cycle.
  const auto nap =
      records == 0 ? std::chrono::nanoseconds(kLongestNap)
                   : std::chrono::nanoseconds(cycle.count() * static_cast<std::int64_t>(kFillPerNap) / static_cast<std::int64_t>(records));
  return std::clamp<std::chrono::nanoseconds>(nap, kShortestNap, kLongestNap);
}

std::string DrainPace::describe() const {
  if (realtime_allowed_) return "real-time";
  if (refusal_ != 0) return std::string("normal (real-time refused: ") + std::strerror(refusal_) + ")";
  return "normal";
}

}  // namespace agentmetrics::collector
