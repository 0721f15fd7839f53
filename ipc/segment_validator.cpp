#include "ipc/segment_validator.h"

namespace agentmetrics::ipc {
namespace {

SegmentCheck reject(SegmentRejection label, std::string reason) { return {false, std::move(reason), label}; }

}  // namespace

SegmentCheck validate_descriptor(const SegmentDescriptor& d, std::uint64_t file_size) {
  if (file_size < sizeof(SegmentHeader))
    return reject(SegmentRejection::kTruncated, "file of " + std::to_string(file_size) + " bytes is smaller than a header");
  if (d.magic != kSegmentMagic) return reject(SegmentRejection::kBadMagic, "magic number is not agentmetrics'");
  if (d.abi_version < kOldestReadableAbiVersion || d.abi_version > kAbiVersion) {
    return reject(SegmentRejection::kBadVersion, "ABI version " + std::to_string(d.abi_version) + " (this collector reads " +
                                                     std::to_string(kOldestReadableAbiVersion) + " to " + std::to_string(kAbiVersion) +
                                                     ")");
  }
  if (d.header_size != sizeof(SegmentHeader)) return reject(SegmentRejection::kBadLayout, "header size " + std::to_string(d.header_size));
  if (d.ring_count == 0 || d.ring_count > kMaxRingCount)
    return reject(SegmentRejection::kBadLayout, "ring count " + std::to_string(d.ring_count));
  // The capacity sizes every ring and masks every index: only 2^k - 1 in range, and only the
  // one capacity there was before version 4.
  if (!is_valid_ring_capacity(d.ring_capacity) || (d.abi_version < 4 && d.ring_capacity != kLegacyRingCapacity)) {
    return reject(SegmentRejection::kBadLayout, "ring capacity " + std::to_string(d.ring_capacity) + " (2^k - 1 from " +
                                                    std::to_string(kMinRingCapacity) + " to " + std::to_string(kMaxRingCapacity) + ")");
  }
  if (d.strtab_capacity == 0 || d.strtab_capacity > kMaxStringTableBytes)
    return reject(SegmentRejection::kBadLayout, "string table capacity " + std::to_string(d.strtab_capacity));
  const SegmentGeometry g = compute_geometry(d.ring_count, d.ring_capacity, d.strtab_capacity);
  if (d.strtab_offset != g.strtab_offset || d.strtab_capacity != g.strtab_capacity || d.rings_offset != g.rings_offset ||
      d.ring_stride != g.ring_stride || d.segment_size != g.segment_size) {
    return reject(SegmentRejection::kBadLayout, "offsets disagree with the geometry of " + std::to_string(d.ring_count) + " rings");
  }
  if (file_size < g.segment_size)
    return reject(SegmentRejection::kTruncated,
                  "file of " + std::to_string(file_size) + " bytes, layout needs " + std::to_string(g.segment_size));
  if (d.producer_pid <= 0) return reject(SegmentRejection::kBadIdentity, "producer pid " + std::to_string(d.producer_pid));
  return {true, {}, SegmentRejection::kFault};  // the label is read only when not ok
}

}  // namespace agentmetrics::ipc
