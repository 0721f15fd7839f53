// The ring is Boost.Lockfree's spsc_queue; these tests pin down what the collector relies on:
// where its indices are, and that they stay inside the storage.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

#include "ipc/segment_layout.h"
#include "ipc/segment_validator.h"

using namespace agentmetrics::ipc;

namespace {

std::size_t index_at(Ring& ring, std::size_t offset) {
  return std::atomic_ref<std::size_t>(*reinterpret_cast<std::size_t*>(reinterpret_cast<std::byte*>(&ring) + offset)).load();
}

}  // namespace

TEST(Ring, IndexOffsetsMatchBoost) {
  auto ring = std::make_unique<Ring>();
  for (std::uint32_t i = 0; i < 3; ++i) ASSERT_TRUE(ring->push(Record{i, 1, 0, 1.0}));
  EXPECT_EQ(index_at(*ring, kRingWriteIndexOffset), 3u);
  EXPECT_EQ(index_at(*ring, kRingReadIndexOffset), 0u);
  Record out[2];
  ASSERT_EQ(ring->pop(out, 2), 2u);
  EXPECT_EQ(out[1].series_id, 1u);
  EXPECT_EQ(index_at(*ring, kRingWriteIndexOffset), 3u);
  EXPECT_EQ(index_at(*ring, kRingReadIndexOffset), 2u);
}

TEST(Ring, SlotsAreWhereTheCollectorReadsThem) {
  auto ring = std::make_unique<Ring>();
  const auto* slots = reinterpret_cast<const Record*>(reinterpret_cast<const std::byte*>(ring.get()) + kRingStorageOffset);
  // Around the end of the storage too: push and pop until the ring wraps.
  Record out;
  for (std::size_t i = 0; i < kRingStorageSlots + 5; ++i) {
    ASSERT_TRUE(ring->push(Record{static_cast<std::uint32_t>(i), 1, 0, static_cast<double>(i)}));
    const std::size_t at = (kRingStorageSlots + index_at(*ring, kRingWriteIndexOffset) - 1) % kRingStorageSlots;
    ASSERT_EQ(slots[at].series_id, static_cast<std::uint32_t>(i));
    ASSERT_EQ(slots[at].value, static_cast<double>(i));
    ASSERT_EQ(ring->pop(&out, 1), 1u);
  }
}

TEST(Ring, HoldsCapacityThenRefuses) {
  auto ring = std::make_unique<Ring>();
  for (std::size_t i = 0; i < kRingCapacity; ++i) ASSERT_TRUE(ring->push(Record{static_cast<std::uint32_t>(i), 1, 0, 0}));
  EXPECT_FALSE(ring->push(Record{0, 1, 0, 0}));
  EXPECT_EQ(ring->write_available(), 0u);
}

TEST(Ring, IndicesStayInStorageAcrossWraps) {
  auto ring = std::make_unique<Ring>();
  Record batch[1000];
  for (int round = 0; round < 300; ++round) {
    for (std::uint32_t i = 0; i < 1000; ++i) ASSERT_TRUE(ring->push(Record{i, 1, 0, 0}));
    ASSERT_EQ(ring->pop(batch, 1000), 1000u);
    ASSERT_TRUE(ring_indices_valid(index_at(*ring, kRingWriteIndexOffset), index_at(*ring, kRingReadIndexOffset)));
  }
  EXPECT_EQ(index_at(*ring, kRingWriteIndexOffset), (300u * 1000u) % kRingStorageSlots);
}

TEST(Ring, MultiSlotPushIsAllOrNothingWhenChecked) {
  auto ring = std::make_unique<Ring>();
  for (std::size_t i = 0; i < kRingCapacity - 5; ++i) ASSERT_TRUE(ring->push(Record{0, 1, 0, 0}));
  Record frame[10]{};
  // The producer's rule: push a frame only when it fits whole.
  ASSERT_LT(ring->write_available(), 10u);
  ASSERT_EQ(ring->push(frame, 5), 5u);
  EXPECT_EQ(ring->write_available(), 0u);
}

TEST(Ring, ConcurrentProducerConsumerLoseNothing) {
  auto ring = std::make_unique<Ring>();
  constexpr std::uint32_t kCount = 2'000'000;
  std::thread producer([&] {
    for (std::uint32_t i = 0; i < kCount;) {
      if (ring->push(Record{i, 1, 0, static_cast<double>(i)})) ++i;
    }
  });
  std::uint32_t expected = 0;
  Record batch[256];
  while (expected < kCount) {
    const std::size_t n = ring->pop(batch, 256);
    for (std::size_t k = 0; k < n; ++k) ASSERT_EQ(batch[k].series_id, expected++);
  }
  producer.join();
}
