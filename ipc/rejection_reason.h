// Why the collector refuses what a producer wrote: the closed sets of values of the `reason`
// label on agentmetrics_segments_rejected_total and agentmetrics_records_invalid_total
// (docs/metrics.md lists them; a test holds the two to each other). An enum, so that a label
// value cannot be misspelt where it is counted, and the set cannot grow by accident.
#pragma once

#include <array>
#include <string_view>

namespace agentmetrics::ipc {

enum class SegmentRejection {
  kTruncated,     // smaller than its header or its layout
  kBadMagic,      // not a segment
  kBadVersion,    // a segment ABI this collector does not read
  kBadLayout,     // geometry that is not the one its sizes give
  kBadIdentity,   // no producer id
  kForeignOwner,  // a file owner that is not allowed
  kOpenFailed,    // cannot be opened, is not a regular file, or cannot be mapped
  kStringTable,   // a string-table entry out of order or range
  kRingIndex,     // ring indices or a frame out of range
  kFault,         // the mapping faulted (the file was truncated under the collector)
};

enum class InvalidRecord {
  kUnknownSeries,   // a record for a series never declared
  kWrongOp,         // an operation the family's type does not have
  kBadValue,        // NaN, infinite or negative where that is refused
  kRejectedFamily,  // a declaration the registry refused (or a record of one)
  kBadFrame,        // an outcome event whose frame fails its check
};

inline constexpr std::array kSegmentRejections = {
    SegmentRejection::kTruncated,   SegmentRejection::kBadMagic,     SegmentRejection::kBadVersion, SegmentRejection::kBadLayout,
    SegmentRejection::kBadIdentity, SegmentRejection::kForeignOwner, SegmentRejection::kOpenFailed, SegmentRejection::kStringTable,
    SegmentRejection::kRingIndex,   SegmentRejection::kFault};
inline constexpr std::array kInvalidRecords = {InvalidRecord::kUnknownSeries, InvalidRecord::kWrongOp, InvalidRecord::kBadValue,
                                               InvalidRecord::kRejectedFamily, InvalidRecord::kBadFrame};

constexpr std::string_view to_label(SegmentRejection reason) {
  switch (reason) {
    case SegmentRejection::kTruncated: return "truncated";
    case SegmentRejection::kBadMagic: return "bad_magic";
    case SegmentRejection::kBadVersion: return "bad_version";
    case SegmentRejection::kBadLayout: return "bad_layout";
    case SegmentRejection::kBadIdentity: return "bad_identity";
    case SegmentRejection::kForeignOwner: return "foreign_owner";
    case SegmentRejection::kOpenFailed: return "open_failed";
    case SegmentRejection::kStringTable: return "string_table";
    case SegmentRejection::kRingIndex: return "ring_index";
    case SegmentRejection::kFault: return "fault";
  }
  return "unknown";
}

constexpr std::string_view to_label(InvalidRecord reason) {
  switch (reason) {
    case InvalidRecord::kUnknownSeries: return "unknown_series";
    case InvalidRecord::kWrongOp: return "wrong_op";
    case InvalidRecord::kBadValue: return "bad_value";
    case InvalidRecord::kRejectedFamily: return "rejected_family";
    case InvalidRecord::kBadFrame: return "bad_frame";
  }
  return "unknown";
}

}  // namespace agentmetrics::ipc
