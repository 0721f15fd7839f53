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
// (ring_count, ring_capacity, strtab_capacity), the ring capacity is 2^k - 1 in range, and the
// whole layout fits inside the file.
SegmentCheck validate_descriptor(const SegmentDescriptor& descriptor, std::uint64_t file_size);

// Ring indices read from the segment: both must be inside the ring's storage, whose validated
// capacity is also the largest index.
inline bool ring_indices_valid(std::size_t write_index, std::size_t read_index, std::size_t ring_capacity) {
  return write_index <= ring_capacity && read_index <= ring_capacity;
}

}  // namespace agentmetrics::ipc
