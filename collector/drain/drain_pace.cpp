#include "collector/drain/drain_pace.h"

#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
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
  const double rate = static_cast<double>(records) / static_cast<double>(std::max<std::int64_t>(cycle.count(), 1));
  if (rate >= peak_rate_ || now - peak_at_ > kBurstMemory) {
    peak_rate_ = rate;
    peak_at_ = now;
  }
  if (records >= kBusyPass) {
    if (busy_since_ == Clock::time_point{}) busy_since_ = now;
    // Keeping up only by never pausing: ordinary priority, so the rest of the machine shares
    // the core.
    if (realtime_ && now - busy_since_ > kRealtimeBusyLimit) set_realtime(false);
    return std::chrono::nanoseconds::zero();
  }
  busy_since_ = {};
  if (realtime_allowed_ && !realtime_) set_realtime(true);
  // The nap in which the busiest ring (at most all of the records) would fill by kFillPerNap at
  // the fastest rate of the last kBurstMemory.
  if (peak_rate_ <= 0) return kLongestNap;
  const auto nap = std::chrono::nanoseconds(std::llround(
      std::min(static_cast<double>(kFillPerNap) / peak_rate_, static_cast<double>(std::chrono::nanoseconds(kLongestNap).count()))));
  return std::clamp<std::chrono::nanoseconds>(nap, kShortestNap, kLongestNap);
}

std::string DrainPace::describe() const {
  if (realtime_allowed_) return "real-time";
  if (refusal_ != 0) return std::string("normal (real-time refused: ") + std::strerror(refusal_) + ")";
  return "normal";
}

}  // namespace agentmetrics::collector
