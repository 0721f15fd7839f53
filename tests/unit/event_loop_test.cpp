// The collector's event loop, io_uring and poll(2): watched descriptors, the tick and stop().
#include <gtest/gtest.h>
#include <liburing.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "collector/daemon/event_loop.h"

using namespace agentmetrics::collector;
using namespace std::chrono_literals;

namespace {

bool io_uring_works() {
  io_uring ring{};
  if (io_uring_queue_init(4, &ring, 0) != 0) return false;
  io_uring_queue_exit(&ring);
  return true;
}

struct Pipe {
  Pipe() { EXPECT_EQ(::pipe(fds), 0); }
  ~Pipe() {
    ::close(fds[0]);
    ::close(fds[1]);
  }
  int fds[2] = {-1, -1};
};

class EventLoopTest : public ::testing::TestWithParam<WaitMode> {
 protected:
  void SetUp() override {
    if (GetParam() == WaitMode::kIoUring && !io_uring_works()) GTEST_SKIP() << "io_uring_queue_init fails here (seccomp?)";
    std::string reason;
    loop_ = make_event_loop(GetParam(), reason);
    EXPECT_EQ(reason, "");
    EXPECT_EQ(loop_->mode(), to_string(GetParam()));
  }
  // A tick that gives up after about 10 s, so that a broken loop fails instead of hanging.
  EventLoop::Callback give_up_tick() {
    return [this] {
      if (++ticks_ == 1000) loop_->stop();
    };
  }
  std::unique_ptr<EventLoop> loop_;
  int ticks_ = 0;
};

}  // namespace

TEST_P(EventLoopTest, RunsTheCallbackOfTheDescriptorWrittenFromAnotherThread) {
  Pipe quiet, busy;
  int quiet_calls = 0;
  std::string received;
  loop_->watch(quiet.fds[0], [&] { ++quiet_calls; });
  loop_->watch(busy.fds[0], [&] {
    char c = 0;
    ASSERT_EQ(::read(busy.fds[0], &c, 1), 1);
    received += c;
    if (received.size() == 2) loop_->stop();
  });
  std::thread writer([&] {
    for (char c : {'a', 'b'}) {
      std::this_thread::sleep_for(20ms);
      EXPECT_EQ(::write(busy.fds[1], &c, 1), 1);
    }
  });
  loop_->run(10ms, give_up_tick());
  writer.join();
  EXPECT_EQ(received, "ab");  // the callback ran once per byte and was re-armed in between
  EXPECT_EQ(quiet_calls, 0);
  EXPECT_LT(ticks_, 1000);
}

TEST_P(EventLoopTest, TicksPeriodicallyUntilStopped) {
  Pipe idle;
  loop_->watch(idle.fds[0], [] {});
  int ticks = 0;
  const auto start = std::chrono::steady_clock::now();
  loop_->run(5ms, [&] {
    if (++ticks == 5) loop_->stop();
  });
  EXPECT_EQ(ticks, 5);                                           // run() returned after the tick that stopped it, not before
  EXPECT_GE(std::chrono::steady_clock::now() - start, 5 * 5ms);  // never earlier than the interval
}

TEST_P(EventLoopTest, StopFromACallbackEndsRunBeforeTheNextTick) {
  Pipe p;
  ASSERT_EQ(::write(p.fds[1], "x", 1), 1);  // readable before run() starts
  int calls = 0;
  loop_->watch(p.fds[0], [&] {
    ++calls;
    loop_->stop();  // leaves the byte unread: only stop() can end run()
  });
  loop_->run(1h, [&] { ++ticks_; });
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(ticks_, 0);
}

INSTANTIATE_TEST_SUITE_P(Modes, EventLoopTest, ::testing::Values(WaitMode::kIoUring, WaitMode::kPoll),
                         [](const auto& p) { return to_string(p.param); });

TEST(EventLoop, PollIsUsedWhenAskedFor) {
  std::string reason = "stale";
  EXPECT_EQ(make_event_loop(WaitMode::kPoll, reason)->mode(), "poll");
  EXPECT_EQ(reason, "");
}

TEST(EventLoop, AutoChoosesIoUringWhereItWorks) {
  if (!io_uring_works()) GTEST_SKIP() << "io_uring_queue_init fails here (seccomp?): auto falls back to poll";
  std::string reason;
  EXPECT_EQ(make_event_loop(WaitMode::kAuto, reason)->mode(), "io_uring");
  EXPECT_EQ(reason, "");
}
