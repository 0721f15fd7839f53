#include <gtest/gtest.h>

#include "ipc/segment_validator.h"

using namespace agentmetrics::ipc;

namespace {

SegmentDescriptor valid_descriptor() {
  SegmentDescriptor d = describe_layout(compute_geometry(4, kLegacyRingCapacity, kDefaultStringTableBytes));
  d.producer_pid = 42;
  return d;
}

std::string label_of(const SegmentDescriptor& d, std::uint64_t size) {
  const auto check = validate_descriptor(d, size);
  return check.ok ? "ok" : std::string(to_label(check.label));
}

}  // namespace

TEST(SegmentValidator, AcceptsAValidDescriptor) {
  const auto d = valid_descriptor();
  EXPECT_EQ(label_of(d, d.segment_size), "ok");
  EXPECT_EQ(label_of(d, d.segment_size + 4096), "ok");
}

TEST(SegmentValidator, RefusesCorruptedHeaders) {
  const auto good = valid_descriptor();
  auto d = good;
  d.magic ^= 1;
  EXPECT_EQ(label_of(d, good.segment_size), "bad_magic");
  d = good;
  d.abi_version = 99;
  EXPECT_EQ(label_of(d, good.segment_size), "bad_version");
  d.abi_version = kOldestReadableAbiVersion - 1;
  EXPECT_EQ(label_of(d, good.segment_size), "bad_version");
  // Version 2 lacks only series_refused, where its header has zeroed padding (and its rings
  // hold kLegacyRingCapacity records, as these do).
  d.abi_version = kOldestReadableAbiVersion;
  EXPECT_EQ(label_of(d, good.segment_size), "ok");
  d = good;
  d.header_size = 8;
  EXPECT_EQ(label_of(d, good.segment_size), "bad_layout");
  d = good;
  d.ring_count = 0;
  EXPECT_EQ(label_of(d, good.segment_size), "bad_layout");
  d = good;
  d.ring_count = kMaxRingCount + 1;
  EXPECT_EQ(label_of(d, good.segment_size), "bad_layout");
  d = good;
  d.strtab_capacity = ~0ull;
  EXPECT_EQ(label_of(d, good.segment_size), "bad_layout");
  d = good;
  d.rings_offset += 4096;
  EXPECT_EQ(label_of(d, good.segment_size), "bad_layout");
  d = good;
  d.ring_count = 5;  // offsets no longer match the count
  EXPECT_EQ(label_of(d, good.segment_size), "bad_layout");
  d = good;
  d.producer_pid = -3;
  EXPECT_EQ(label_of(d, good.segment_size), "bad_identity");
}

// The capacity masks every ring index the collector reads: a value that is not 2^k - 1, out of
// range, or not its version's is refused, even with offsets and a file that agree with it.
TEST(SegmentValidator, RefusesHostileRingCapacities) {
  for (const std::uint32_t capacity : {0u, 1u, 1024u, 4094u, 65534u, 65536u, 100000u, kMaxRingCapacity + 1, (1u << 31) - 1, ~0u}) {
    SegmentDescriptor d = valid_descriptor();
    d.ring_capacity = capacity;
    EXPECT_EQ(label_of(d, ~0ull), "bad_layout") << capacity;
    // Offsets recomputed for the hostile capacity do not make it acceptable either.
    const SegmentGeometry g = compute_geometry(d.ring_count, capacity, d.strtab_capacity);
    d.ring_stride = g.ring_stride;
    d.segment_size = g.segment_size;
    EXPECT_EQ(label_of(d, ~0ull), "bad_layout") << capacity;
  }
  for (const std::uint32_t capacity : {kMinRingCapacity, kLegacyRingCapacity, (1u << 20) - 1, kMaxRingCapacity}) {
    SegmentDescriptor d = describe_layout(compute_geometry(2, capacity, kDefaultStringTableBytes));
    d.producer_pid = 42;
    EXPECT_EQ(label_of(d, d.segment_size), "ok") << capacity;
    d.ring_capacity = capacity * 2 + 1;  // a capacity the offsets were not computed for
    EXPECT_EQ(label_of(d, ~0ull), "bad_layout") << capacity;
  }
  // Before version 4 every ring held kLegacyRingCapacity records.
  SegmentDescriptor old = describe_layout(compute_geometry(2, kLegacyRingCapacity, kDefaultStringTableBytes));
  old.producer_pid = 42;
  old.abi_version = 3;
  EXPECT_EQ(label_of(old, old.segment_size), "ok");
  old = describe_layout(compute_geometry(2, kMinRingCapacity, kDefaultStringTableBytes));
  old.producer_pid = 42;
  old.abi_version = 3;
  EXPECT_EQ(label_of(old, old.segment_size), "bad_layout");
}

TEST(SegmentValidator, RefusesTruncatedFiles) {
  const auto d = valid_descriptor();
  EXPECT_EQ(label_of(d, 100), "truncated");
  EXPECT_EQ(label_of(d, d.segment_size - 1), "truncated");
  EXPECT_EQ(label_of(d, 0), "truncated");
}
