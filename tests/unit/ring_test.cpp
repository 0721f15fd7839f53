// The producer's ring (ipc/spsc_ring.h) over a ring slot laid out as in a segment: where its
// indices and records are (what the collector reads), that they stay inside the storage, and
// that a consumer following the collector's protocol loses nothing.
#include "ipc/spsc_ring.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "ipc/segment_layout.h"
#include "ipc/segment_validator.h"

using namespace agentmetrics::ipc;

namespace {

// A ring slot and its records in one zeroed, page-aligned block, as in a segment.
class RingMemory {
 public:
  explicit RingMemory(std::uint32_t capacity)
      : capacity_(capacity),
        bytes_(compute_geometry(1, capacity, kPageSize).ring_stride),
        memory_(static_cast<std::byte*>(std::aligned_alloc(kPageSize, bytes_))) {
    std::memset(memory_.get(), 0, bytes_);
    new (memory_.get()) RingSlot{};
  }
  RingSlot& slot() { return *reinterpret_cast<RingSlot*>(memory_.get()); }
  SpscRing ring() { return SpscRing(slot(), capacity_); }
  const Record* records() { return reinterpret_cast<const Record*>(memory_.get() + kRingRecordsOffset); }
  std::size_t write_index() { return slot().indices.write.load(); }
  std::size_t read_index() { return slot().indices.read.load(); }

  // The collector's side: acquire the write index, copy, release the read index.
  std::size_t pop(Record* out, std::size_t max) {
    const std::size_t write = slot().indices.write.load(std::memory_order_acquire);
    const std::size_t read = slot().indices.read.load(std::memory_order_relaxed);
    const std::size_t n = std::min(max, (write - read) & capacity_);
    for (std::size_t i = 0; i < n; ++i) out[i] = records()[(read + i) & capacity_];
    slot().indices.read.store((read + n) & capacity_, std::memory_order_release);
    return n;
  }

 private:
  struct Free {
    void operator()(std::byte* p) const { std::free(p); }
  };
  std::uint32_t capacity_;
  std::size_t bytes_;
  std::unique_ptr<std::byte, Free> memory_;
};

}  // namespace

TEST(Ring, IndicesAndRecordsAreWhereTheCollectorReadsThem) {
  RingMemory m(kMinRingCapacity);
  SpscRing ring = m.ring();
  Record out;
  // Around the end of the storage too: push and pop until the ring wraps.
  for (std::size_t i = 0; i < kMinRingCapacity + 5; ++i) {
    ASSERT_TRUE(ring.push(Record{static_cast<std::uint32_t>(i), 1, 0, static_cast<double>(i)}));
    const std::size_t at = (m.write_index() - 1) & kMinRingCapacity;
    ASSERT_EQ(at, i % (kMinRingCapacity + 1));
    ASSERT_EQ(m.records()[at].series_id, static_cast<std::uint32_t>(i));
    ASSERT_EQ(m.records()[at].value, static_cast<double>(i));
    ASSERT_EQ(m.pop(&out, 1), 1u);
    ASSERT_EQ(m.read_index(), m.write_index());
  }
}

TEST(Ring, HoldsItsCapacityThenRefuses) {
  for (const std::uint32_t capacity : {kMinRingCapacity, kLegacyRingCapacity, (1u << 18) - 1}) {
    RingMemory m(capacity);
    SpscRing ring = m.ring();
    EXPECT_EQ(ring.write_available(), capacity);
    for (std::size_t i = 0; i < capacity; ++i) ASSERT_TRUE(ring.push(Record{static_cast<std::uint32_t>(i), 1, 0, 0}));
    EXPECT_FALSE(ring.push(Record{0, 1, 0, 0}));
    EXPECT_EQ(ring.write_available(), 0u);
    EXPECT_EQ(m.write_index(), capacity);  // the last slot; the one before read stays empty
    Record out[3];
    ASSERT_EQ(m.pop(out, 3), 3u);
    EXPECT_EQ(out[2].series_id, 2u);
    EXPECT_EQ(ring.write_available(), 3u);
  }
}

TEST(Ring, IndicesStayInStorageAcrossWraps) {
  RingMemory m(kMinRingCapacity);
  SpscRing ring = m.ring();
  Record batch[1000];
  for (int round = 0; round < 300; ++round) {
    for (std::uint32_t i = 0; i < 1000; ++i) ASSERT_TRUE(ring.push(Record{i, 1, 0, 0}));
    ASSERT_EQ(m.pop(batch, 1000), 1000u);
    ASSERT_TRUE(ring_indices_valid(m.write_index(), m.read_index(), kMinRingCapacity));
  }
  EXPECT_EQ(m.write_index(), (300u * 1000u) % (kMinRingCapacity + 1));
}

TEST(Ring, MultiSlotPushIsAllOrNothingAndWraps) {
  RingMemory m(kMinRingCapacity);
  SpscRing ring = m.ring();
  for (std::size_t i = 0; i < kMinRingCapacity - 5; ++i) ASSERT_TRUE(ring.push(Record{0, 1, 0, 0}));
  Record frame[10]{};
  for (std::uint32_t i = 0; i < 10; ++i) frame[i].series_id = 100 + i;
  const std::size_t write_before = m.write_index();
  EXPECT_FALSE(ring.push_all(frame, 10));
  EXPECT_EQ(m.write_index(), write_before);  // nothing published
  ASSERT_TRUE(ring.push_all(frame, 5));
  EXPECT_EQ(ring.write_available(), 0u);
  // Free the front, then a frame that crosses the end of the storage lands in order.
  std::vector<Record> out(kMinRingCapacity);
  ASSERT_EQ(m.pop(out.data(), kMinRingCapacity), kMinRingCapacity);
  ASSERT_TRUE(ring.push_all(frame, 10));
  EXPECT_LT(m.write_index(), 10u);  // wrapped
  ASSERT_EQ(m.pop(out.data(), 10), 10u);
  for (std::uint32_t i = 0; i < 10; ++i) EXPECT_EQ(out[i].series_id, 100 + i);
}

TEST(Ring, ConcurrentProducerConsumerLoseNothing) {
  RingMemory m(kMinRingCapacity);
  constexpr std::uint32_t kCount = 2'000'000;
  std::thread producer([&] {
    SpscRing ring = m.ring();
    Record frame[3];
    for (std::uint32_t i = 0; i < kCount;) {
      if (i % 1000 == 0 && i + 3 <= kCount) {
        for (std::uint32_t k = 0; k < 3; ++k) frame[k] = Record{i + k, 1, 0, static_cast<double>(i + k)};
        if (ring.push_all(frame, 3)) i += 3;
      } else if (ring.push(Record{i, 1, 0, static_cast<double>(i)})) {
        ++i;
      }
    }
  });
  std::uint32_t expected = 0;
  Record batch[256];
  while (expected < kCount) {
    const std::size_t n = m.pop(batch, 256);
    for (std::size_t k = 0; k < n; ++k) {
      ASSERT_EQ(batch[k].series_id, expected);
      ASSERT_EQ(batch[k].value, static_cast<double>(expected));
      ++expected;
    }
  }
  producer.join();
}
