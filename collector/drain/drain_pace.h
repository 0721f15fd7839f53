// How a drain thread paces itself. Two things decide whether a busy producer's ring overflows:
// how full the drain lets it get between passes, and how long the thread waits for a CPU once it
// means to run again. At 30 million events a second a ring of 65535 records lasts 2.2 ms; on a
// machine whose cores are busy with other work, a thread that naps between passes waits on the
// run queue for a CPU at every wake-up, a quarter of the time in our measurements and beyond
// 2 ms hundreds of times a second (docs/benchmarks.md).
//
// So the nap after a pass follows the rate records arrive at: long enough that the next pass
// takes a long batch (few wake-ups, little CPU), never so long that a ring would fill by more
// than kFillPerNap when it ends. The rate it follows is the fastest seen over the last
// kBurstMemory, not the last pass's: a producer that was itself kept off the CPU writes nothing
// for a while, then catches up at its full speed, and a nap fitted to its quiet spell (up to
// 1 ms) let such a burst overflow its ring (docs/benchmarks.md: 47-52% dropped beside a CPU hog
// on a busy machine, 3-6% with the burst remembered).
//
// And where the system allows it (CAP_SYS_NICE, or RLIMIT_RTPRIO of 1 or more: LimitRTPRIO=1 in
// a systemd unit), the thread runs at the lowest real-time priority,
// so that it gets a CPU as soon as it wakes, ahead of any ordinary work; while it has to run
// without a break to keep up, it takes the shortest nap after each pass once kRealtimeBusyLimit
// has passed, so that a producer faster than the drain cannot hold a core at real-time priority.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "ipc/segment_layout.h"

namespace agentmetrics::collector {

enum class DrainPriority { kAuto, kNormal };  // auto: real-time where permitted

class DrainPace {
 public:
  using Clock = std::chrono::steady_clock;

  // On the drain thread, when it starts.
  explicit DrainPace(DrainPriority priority);

  // After a pass that took `records` from the rings: how long to nap before the next one (zero:
  // go on at once). Not called after a pass that found nothing: the thread then sleeps on the
  // doorbells.
  std::chrono::nanoseconds after_pass(std::size_t records, Clock::time_point now = Clock::now());
  // After a sleep on the doorbells: the rate is measured anew.
  void woke(Clock::time_point now = Clock::now()) { last_pass_ = now; }

  // "real-time" or "normal", and why when normal (for the log).
  std::string describe() const;

  // A pass that took at least this many records is followed by none: producers outpace a nap.
  static constexpr std::size_t kBusyPass = 4096;
  // The fill of a ring a nap may let it reach, at the rate measured over the last pass: 1/64 of
  // a ring of 65535 records, the smallest in common use (every segment before version 4). Larger
  // rings are left more room, not longer naps: they are there for producers' bursts.
  static constexpr std::size_t kFillPerNap = ipc::kLegacyRingCapacity / 64;
  // The shortest, at high rates: a producer that was itself kept off the CPU catches up in a
  // burst at its full speed (over 100 million events a second), which fills a ring in half a
  // millisecond; a drain that naps longer misses the start of it.
  static constexpr std::chrono::microseconds kShortestNap{50};
  // The longest: a record waits at most about this long to be counted.
  static constexpr std::chrono::microseconds kLongestNap{1000};
  // After this long of passes without a nap, each busy pass is followed by the shortest nap.
  static constexpr std::chrono::milliseconds kRealtimeBusyLimit{5};
  // How long the fastest rate seen sets the naps: longer than the scheduler keeps a starved
  // producer waiting on a busy machine, so its next burst finds short naps.
  static constexpr std::chrono::milliseconds kBurstMemory{250};

 private:
  static bool set_realtime();

  bool realtime_ = false;
  int refusal_ = 0;  // errno of the refused real-time request, 0 when asked for none
  Clock::time_point last_pass_ = Clock::now();
  Clock::time_point busy_since_{};  // start of the current run of passes without a nap
  double peak_rate_ = 0;            // records per ns, the fastest over kBurstMemory
  Clock::time_point peak_at_{};     // when it was seen
};

}  // namespace agentmetrics::collector
