// RecentKeys counts a retried export once: a key is new only the first time while it is
// remembered, the latest `capacity` keys always are, and older generations are forgotten and counted.
#include "collector/intake/otlp/recent_keys.h"

#include <gtest/gtest.h>

#include <cstdint>

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

}  // namespace
}  // namespace agentmetrics::intake
