// How a drain thread paces itself: no nap while producers outpace one, naps that follow the rate
// records arrive at, within bounds, and real-time priority given up while the drain must run
// without a break. Times are given, not waited for.
#include <gtest/gtest.h>

#include <pthread.h>
#include <sched.h>

#include <thread>

#include "collector/drain/drain_pace.h"

using namespace agentmetrics::collector;
using namespace std::chrono_literals;

namespace {

int policy_of_this_thread() {
  int policy = -1;
  sched_param param{};
  pthread_getschedparam(pthread_self(), &policy, &param);
  return policy;
}

}  // namespace

TEST(DrainPace, NapsFollowTheRateWithinBounds) {
  auto t = DrainPace::Clock::now();
  {
    DrainPace pace(DrainPriority::kNormal);
    EXPECT_EQ(pace.describe(), "normal");
    pace.woke(t);
    EXPECT_EQ(pace.after_pass(DrainPace::kBusyPass, t += 100us), 0ns) << "producers outpace a nap";
  }
  DrainPace pace(DrainPriority::kNormal);
  pace.woke(t);
  // A few records in a long cycle: a slow producer, the longest nap.
  EXPECT_EQ(pace.after_pass(10, t += 2ms), std::chrono::nanoseconds(DrainPace::kLongestNap));
  // In between, the nap in which a ring would fill by kFillPerNap at the measured rate: twice
  // that many records in 800 us, so 400 us.
  EXPECT_EQ(pace.after_pass(2 * DrainPace::kFillPerNap, t += 800us), 400us);
  // Many records in a short cycle: a fast producer, the shortest nap.
  EXPECT_EQ(pace.after_pass(DrainPace::kBusyPass - 1, t += 100us), std::chrono::nanoseconds(DrainPace::kShortestNap));
}

TEST(DrainPace, ABurstKeepsTheNapsShortForAWhile) {
  // A producer kept off the CPU writes nothing, then catches up at full speed: the naps follow
  // the burst's rate, not the quiet spells between bursts, until kBurstMemory has passed.
  DrainPace pace(DrainPriority::kNormal);
  auto t = DrainPace::Clock::now();
  pace.woke(t);
  EXPECT_EQ(pace.after_pass(DrainPace::kBusyPass, t += 20us), 0ns);
  EXPECT_EQ(pace.after_pass(10, t += 3ms), std::chrono::nanoseconds(DrainPace::kShortestNap)) << "a quiet spell within the memory";
  EXPECT_EQ(pace.after_pass(10, t += DrainPace::kBurstMemory - 3ms), std::chrono::nanoseconds(DrainPace::kShortestNap));
  EXPECT_EQ(pace.after_pass(10, t += 2ms), std::chrono::nanoseconds(DrainPace::kLongestNap)) << "the burst is forgotten";
}

TEST(DrainPace, NapsBrieflyRatherThanHoldTheCoreAtRealtime) {
  std::thread drain([] {
    DrainPace pace(DrainPriority::kAuto);
    if (pace.describe() != "real-time") {
      // Not permitted here (no CAP_SYS_NICE, no RLIMIT_RTPRIO): it says so and stays normal.
      EXPECT_NE(pace.describe().find("normal"), std::string::npos);
      EXPECT_EQ(policy_of_this_thread(), SCHED_OTHER);
      return;
    }
    EXPECT_EQ(policy_of_this_thread(), SCHED_FIFO);
    auto t = DrainPace::Clock::now();
    pace.after_pass(DrainPace::kBusyPass, t);
    EXPECT_EQ(pace.after_pass(DrainPace::kBusyPass, t += DrainPace::kRealtimeBusyLimit), 0ns) << "busy up to the limit: no nap";
    EXPECT_EQ(pace.after_pass(DrainPace::kBusyPass, t += 1ms), std::chrono::nanoseconds(DrainPace::kShortestNap))
        << "busy past the limit: the shortest nap after each pass";
    EXPECT_EQ(policy_of_this_thread(), SCHED_FIFO) << "and still real-time, to be on the CPU when the producer catches up";
    pace.after_pass(1, t += 1ms);
    EXPECT_EQ(pace.after_pass(DrainPace::kBusyPass, t += 1ms), 0ns) << "caught up: the limit starts again";
  });
  drain.join();
}
