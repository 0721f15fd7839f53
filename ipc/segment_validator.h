// Checks a segment's descriptor before the collector uses any offset from it.
#pragma once

#include <cstdint>
#include <string>

#include "ipc/rejection_reason.h"
#include "ipc/segment_layout.h"

namespace agentmetrics::ipc {

struct SegmentCheck {
  bool ok;
  std::string reason;      // empty when ok
  SegmentRejection label;  // the reason class for the rejection counter (when not ok)
};

// `descriptor` is a private copy of the header's fixed part; `file_size` the size fstat saw.
// Valid means: the magic and version are ours, the geometry equals the one recomputed from
// (ring_count, strtab_capacity), and the whole layout fits inside the file.
SegmentCheck validate_descriptor(const SegmentDescriptor& descriptor, std::uint64_t file_size);

// Ring indices read from the segment: both must be inside the ring's storage.
inline bool ring_indices_valid(std::size_t write_index, std::size_t read_index) {
  return write_index < kRingStorageSlots && read_index < kRingStorageSlots;
}

}  // namespace agentmetrics::ipc
