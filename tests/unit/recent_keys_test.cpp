// RecentKeys counts a retried export once: a key is new only the first time while it is
// remembered, the latest `capacity` keys always are, and older generations are forgotten and counted.
#include "collector/intake/otlp/recent_keys.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace agentmetrics::intake {
namespace {

TEST(RecentKeysTest, AKeyIsNewOnlyOnce) {
  RecentKeys keys(100);
  EXPECT_TRUE(keys.first_time(42));
  EXPECT_FALSE(keys.first_time(42));
  EXPECT_TRUE(keys.first_time(0));  // zero is a key like any other
  EXPECT_FALSE(keys.first_time(0));
  EXPECT_TRUE(keys.first_time(43));
  EXPECT_EQ(keys.forgotten(), 0U);
}

TEST(RecentKeysTest, TheLatestCapacityKeysAreAlwaysRemembered) {
  constexpr std::uint64_t kCapacity = 1000;
  RecentKeys keys(kCapacity);
  for (std::uint64_t k = 1; k <= 10 * kCapacity; ++k) {
    ASSERT_TRUE(keys.first_time(k * 0x9E3779B97F4A7C15ULL)) << k;
    // Every one of the last kCapacity keys is still known.
    if (k % 997 == 0) {
      for (std::uint64_t back = k > kCapacity ? k - kCapacity + 1 : 1; back <= k; ++back) {
        ASSERT_FALSE(keys.first_time(back * 0x9E3779B97F4A7C15ULL)) << back << " at " << k;
      }
    }
  }
  // Nothing is remembered forever: memory is bounded, and what went is counted.
  EXPECT_GT(keys.forgotten(), 7 * kCapacity);
  EXPECT_TRUE(keys.first_time(1 * 0x9E3779B97F4A7C15ULL));
}

TEST(RecentKeysTest, KeysThatCollideInTheTableStayApart) {
  RecentKeys keys(16);
  // Many keys in a small table: probes wrap around and still tell keys apart.
  for (std::uint64_t k = 0; k < 16; ++k) EXPECT_TRUE(keys.first_time(k << 40));
  for (std::uint64_t k = 0; k < 16; ++k) EXPECT_FALSE(keys.first_time(k << 40));
}

TEST(RecentKeysTest, KeysAreKeptWhileTheTablesGrow) {
  // Tables start small and double as they fill: every key of a generation, taken in many
  // doublings, is still there, and none is forgotten before the generation is full.
  constexpr std::uint64_t kCapacity = 100000;
  RecentKeys keys(kCapacity);
  for (std::uint64_t k = 1; k <= kCapacity; ++k) ASSERT_TRUE(keys.first_time(k * 0x9E3779B97F4A7C15ULL)) << k;
  for (std::uint64_t k = 1; k <= kCapacity; ++k) ASSERT_FALSE(keys.first_time(k * 0x9E3779B97F4A7C15ULL)) << k;
  EXPECT_EQ(keys.forgotten(), 0U);
  // The next generation starts small again and the one before stays known.
  for (std::uint64_t k = kCapacity + 1; k <= 2 * kCapacity; ++k) ASSERT_TRUE(keys.first_time(k * 0x9E3779B97F4A7C15ULL)) << k;
  EXPECT_FALSE(keys.first_time(1 * 0x9E3779B97F4A7C15ULL));
  EXPECT_EQ(keys.forgotten(), 0U);
}

TEST(RecentKeysTest, KeysOfferedTogetherAreTakenAsOneAtATime) {
  // A request's keys offered together (first_times) get the answers the same keys get one at a
  // time: repeats within the batch and of earlier batches, across generations and doublings.
  constexpr std::size_t kCapacity = 1000;
  RecentKeys together(kCapacity), alone(kCapacity);
  std::uint64_t next = 1;
  std::size_t repeats = 0;
  for (int batch = 0; batch < 40; ++batch) {
    std::vector<std::uint64_t> keys;
    for (int i = 0; i < 300; ++i) {
      const std::uint64_t k = (i % 7 == 3 && next > 400) ? next - 1 - static_cast<std::uint64_t>(i) : next++;  // some seen before
      keys.push_back(k * 0x9E3779B97F4A7C15ULL);
      if (i % 50 == 0) keys.push_back(keys.front());  // and within the batch
    }
    const auto first = std::make_unique<bool[]>(keys.size());
    together.first_times(keys, std::span<bool>(first.get(), keys.size()));
    for (std::size_t i = 0; i < keys.size(); ++i) {
      ASSERT_EQ(first[i], alone.first_time(keys[i])) << "batch " << batch << ", key " << i;
      if (!first[i]) ++repeats;
    }
  }
  EXPECT_GT(repeats, 40U * 6);  // at least the repeats within each batch
  EXPECT_EQ(together.forgotten(), alone.forgotten());
  EXPECT_GT(together.forgotten(), 0U);
}

}  // namespace
}  // namespace agentmetrics::intake
