// The string table: where a producer declares, once, the metric families and series its ring
// records refer to by number. Entries are appended and never changed; the producer publishes
// them by advancing SegmentHeader::strtab_committed.
//
// Entry: u32 size (bytes, header included, a multiple of 8) | u16 kind | u16 zero | body | pad
//   family body: u32 family_id | u8 type | u8 zero | u16 label_count | u16 bucket_count |
//                u16 name_len | u16 help_len | u16 zero | name | help |
//                label_count x (u16 len | bytes) | pad to 8 | bucket_count x f64
//   series body: u32 series_id | u32 family_id | u16 value_count | value_count x (u16 len | bytes)
// Ids are dense and in order: the n-th family entry has family_id n, likewise for series.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace agentmetrics::ipc {

enum class MetricType : std::uint8_t { kCounter = 1, kGauge = 2, kHistogram = 3 };

inline constexpr std::size_t kMaxNameBytes = 200;
inline constexpr std::size_t kMaxHelpBytes = 1024;
inline constexpr std::size_t kMaxLabels = 16;
inline constexpr std::size_t kMaxLabelValueBytes = 1024;
inline constexpr std::size_t kMaxBuckets = 64;
inline constexpr std::uint32_t kMaxEntryBytes = 64 * 1024;

struct FamilyDecl {
  std::uint32_t family_id = 0;
  MetricType type = MetricType::kCounter;
  std::string name;
  std::string help;
  std::vector<std::string> label_names;
  std::vector<double> buckets;  // histogram upper bounds, strictly increasing, +Inf implied
};

struct SeriesDecl {
  std::uint32_t series_id = 0;
  std::uint32_t family_id = 0;
  std::vector<std::string> label_values;
};

// Checks a declaration before it is encoded (producer) or after it is decoded (collector).
// Returns an empty string when valid, otherwise why not.
std::string check_family(const FamilyDecl& family);
std::string check_series(const SeriesDecl& series, const FamilyDecl& family);

std::vector<std::byte> encode_entry(const FamilyDecl& family);
std::vector<std::byte> encode_entry(const SeriesDecl& series);

struct DecodeError {
  std::string reason;
};
struct DecodedEntry {
  std::variant<FamilyDecl, SeriesDecl> decl;
  std::uint32_t size;  // bytes consumed
};

// Decodes one entry at the start of `bytes`, a private copy of committed string-table bytes.
// Checks every length against the span; it never reads outside it. Validity of names, labels
// and buckets is check_family/check_series's job.
std::variant<DecodedEntry, DecodeError> decode_entry(std::span<const std::byte> bytes);

}  // namespace agentmetrics::ipc
