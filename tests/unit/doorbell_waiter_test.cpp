// The drain threads' doorbell waiters (io_uring FUTEX_WAITV and the futex_waitv system call).
#include <gtest/gtest.h>
#include <liburing.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <thread>

#include "collector/drain/doorbell_waiter.h"

using namespace agentmetrics::collector;
using namespace std::chrono_literals;

namespace {

// io_uring can be set up and the kernel has its futex opcodes (6.7+).
bool io_uring_futex_available() {
  io_uring ring{};
  if (io_uring_queue_init(4, &ring, 0) != 0) return false;
  io_uring_queue_exit(&ring);
  utsname u{};
  int major = 0, minor = 0;
  return ::uname(&u) == 0 && std::sscanf(u.release, "%d.%d", &major, &minor) == 2 && (major > 6 || (major == 6 && minor >= 7));
}

futex_waitv entry(std::atomic<std::uint32_t>& word, std::uint32_t expected) {
  futex_waitv w{};
  w.val = expected;
  w.uaddr = reinterpret_cast<std::uintptr_t>(&word);
  w.flags = FUTEX_32 | FUTEX_PRIVATE_FLAG;
  return w;
}

void ring(std::atomic<std::uint32_t>& word) {
  word.fetch_add(1);
  ::syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

class DoorbellWaiterTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam() && !io_uring_futex_available()) GTEST_SKIP() << "no io_uring or a kernel before 6.7: no FUTEX_WAITV opcode";
    waiter_ = make_doorbell_waiter(GetParam());
    EXPECT_STREQ(waiter_->name(), GetParam() ? "io_uring" : "futex_waitv");
  }
  std::unique_ptr<DoorbellWaiter> waiter_;
};

// Upper bounds here are the waits' own timeouts: reaching one means the wake-up was missed.
constexpr auto kLong = 60s;

}  // namespace

TEST_P(DoorbellWaiterTest, ReturnsWhenAnotherThreadRingsTheDoorbell) {
  std::atomic<std::uint32_t> quiet{7}, bell{0};
  std::vector<futex_waitv> waiters{entry(quiet, 7), entry(bell, 0)};
  std::thread producer([&] {
    std::this_thread::sleep_for(50ms);
    ring(bell);
  });
  const auto start = std::chrono::steady_clock::now();
  waiter_->wait(waiters, kLong);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(bell.load(), 1u);  // it did not return before the doorbell rang
  producer.join();
  EXPECT_LT(elapsed, kLong);
}

TEST_P(DoorbellWaiterTest, ReturnsAfterTheTimeoutWhenNobodyRings) {
  std::atomic<std::uint32_t> bell{3};
  std::vector<futex_waitv> waiters{entry(bell, 3)};
  for (auto timeout : {0ms, 30ms, 120ms}) {
    const auto start = std::chrono::steady_clock::now();
    waiter_->wait(waiters, timeout);
    EXPECT_GE(std::chrono::steady_clock::now() - start, timeout);
  }
  // Nothing is left in flight: the next wait still sleeps and still wakes.
  std::thread producer([&] {
    std::this_thread::sleep_for(20ms);
    ring(bell);
  });
  waiter_->wait(waiters, kLong);
  EXPECT_EQ(bell.load(), 4u);
  producer.join();
}

TEST_P(DoorbellWaiterTest, ReturnsAtOnceWhenTheValueAlreadyDiffers) {
  std::atomic<std::uint32_t> bell{5};
  std::vector<futex_waitv> waiters{entry(bell, 4)};
  const auto start = std::chrono::steady_clock::now();
  waiter_->wait(waiters, kLong);
  EXPECT_LT(std::chrono::steady_clock::now() - start, kLong);
}

// A drain thread with hundreds of segments: one request watches at most 128 words, so the
// words are watched in groups, and a ring in any group ends the wait.
TEST_P(DoorbellWaiterTest, WatchesMoreWordsThanOneRequestCan) {
  constexpr std::size_t kWords = 400;
  std::vector<std::atomic<std::uint32_t>> words(kWords);
  auto waiters_now = [&] {
    std::vector<futex_waitv> waiters;
    for (auto& w : words) waiters.push_back(entry(w, w.load()));
    return waiters;
  };
  for (const std::size_t rung : {std::size_t{0}, std::size_t{127}, std::size_t{128}, std::size_t{300}, kWords - 1}) {
    auto waiters = waiters_now();
    const std::uint32_t before = words[rung].load();
    const auto start = std::chrono::steady_clock::now();
    std::thread producer([&] {
      std::this_thread::sleep_for(30ms);
      ring(words[rung]);
    });
    waiter_->wait(waiters, kLong);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(words[rung].load(), before + 1) << "word " << rung << ": returned before it rang";
    producer.join();
    EXPECT_LT(elapsed, kLong) << "word " << rung << ": its ring was missed";
  }
  // Nobody rings: it sleeps its whole timeout, and nothing is left in flight for the next wait.
  auto waiters = waiters_now();
  const auto start = std::chrono::steady_clock::now();
  waiter_->wait(waiters, 80ms);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 80ms);
  waiters = waiters_now();
  std::thread producer([&] {
    std::this_thread::sleep_for(20ms);
    ring(words[200]);
  });
  waiter_->wait(waiters, kLong);
  producer.join();
  EXPECT_EQ(words[200].load(), 1u);  // it did not return before the ring
}

INSTANTIATE_TEST_SUITE_P(Kinds, DoorbellWaiterTest, ::testing::Bool(),
                         [](const auto& p) { return std::string(p.param ? "io_uring" : "futex_waitv"); });
