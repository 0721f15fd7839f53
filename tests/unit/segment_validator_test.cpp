#include <gtest/gtest.h>

#include "ipc/segment_validator.h"

using namespace agentmetrics::ipc;

namespace {

SegmentDescriptor valid_descriptor() {
  SegmentDescriptor d = describe_layout(compute_geometry(4, kDefaultStringTableBytes));
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
  // Version 2 lacks only series_refused, where its header has zeroed padding.
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
  d.ring_capacity = 1024;
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

TEST(SegmentValidator, RefusesTruncatedFiles) {
  const auto d = valid_descriptor();
  EXPECT_EQ(label_of(d, 100), "truncated");
  EXPECT_EQ(label_of(d, d.segment_size - 1), "truncated");
  EXPECT_EQ(label_of(d, 0), "truncated");
}
