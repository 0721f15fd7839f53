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
    realtime_ = set_realtime();
    if (!realtime_) refusal_ = errno;
  }
}

bool DrainPace::set_realtime() {
  sched_param param{};
  param.sched_priority = 1;
  const int rc = ::pthread_setschedparam(::pthread_self(), SCHED_FIFO, &param);
  if (rc != 0) {
    errno = rc;
    return false;
  }
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
    // Keeping up only by never pausing: a short nap after each pass, so that the rest of the
    // machine shares the core while the drain keeps its priority. (Giving the priority up
    // instead left the drain waiting behind other work just as a starved producer caught up:
    // 7-34% dropped against 1.6-2.5% with the naps, docs/benchmarks.md.)
    if (realtime_ && now - busy_since_ > kRealtimeBusyLimit) return kShortestNap;
    return std::chrono::nanoseconds::zero();
  }
  busy_since_ = {};
  // The nap in which the busiest ring (at most all of the records) would fill by kFillPerNap at
  // the fastest rate of the last kBurstMemory.
  if (peak_rate_ <= 0) return kLongestNap;
  const auto nap = std::chrono::nanoseconds(std::llround(
      std::min(static_cast<double>(kFillPerNap) / peak_rate_, static_cast<double>(std::chrono::nanoseconds(kLongestNap).count()))));
  return std::clamp<std::chrono::nanoseconds>(nap, kShortestNap, kLongestNap);
}

std::string DrainPace::describe() const {
  if (realtime_) return "real-time";
  if (refusal_ != 0) return std::string("normal (real-time refused: ") + std::strerror(refusal_) + ")";
  return "normal";
}

}  // namespace agentmetrics::collector
