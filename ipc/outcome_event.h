// Outcome events: what happened to a task, a pipeline run, a test run, a deployment... They
// travel through the producer's rings as frames (ipc/record.h) beside the metric samples and
// the collector keeps every one in its store. This file holds their schema (the kinds and
// their fields), the check both sides apply, and the byte encoding of a frame's payload.
//
// Payload: u16 kind | u16 field_count | u32 zero | u64 producer_id | u64 sequence | f64 time |
//          field_count x (u8 field id | value)
//   value: string u16 len | bytes;  number and time f64;  bool u8 (0 or 1)
// (producer_id, sequence) names an event uniquely: the store keeps the first copy it sees.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace agentmetrics::ipc {

// The frame kind (Record::series_id of a kFrameBegin slot) of an outcome event.
inline constexpr std::uint32_t kOutcomeFrameKind = 1;

// Kind numbers and field ids are on the wire and in every segment a running producer writes:
// they are append-only. A new kind or field takes the next free number; a number is never
// changed or given to something else, and a field that goes away leaves its id unused. The
// golden list tests/data/abi/outcome_fields.txt holds every number given out, and a test
// compares it with this schema.
enum class OutcomeKind : std::uint16_t {
  kTask = 1,
  kPipeline = 2,
  kTestRun = 3,
  kCoverage = 4,
  kLint = 5,
  kDeployment = 6,
  kPullRequest = 7,
  kBug = 8,
  kCommit = 9,
  kTechDebt = 10,
};

enum class FieldType : std::uint8_t {
  kText = 1,     // UTF-8, at most FieldSpec::max_bytes
  kLabel = 2,    // text that also becomes a Prometheus label value: at most 128 bytes
  kCount = 3,    // finite number >= 0
  kPercent = 4,  // finite number in [0, 100]
  kSeconds = 5,  // a duration: finite number >= 0
  kTime = 6,     // a moment: seconds since the Unix epoch, finite and > 0
  kBool = 7,
};

struct FieldSpec {
  std::uint8_t id;  // its number on the wire, unique in its kind (see OutcomeKind)
  std::string_view name;
  FieldType type;
  bool required;
  std::string_view help;
  std::size_t max_bytes = 0;  // text only
};

struct KindSpec {
  OutcomeKind kind;
  std::string_view name;  // as written on the command line and in the store
  std::string_view help;
  std::span<const FieldSpec> fields;
};

std::span<const KindSpec> outcome_kinds();
const KindSpec* find_kind(std::string_view name);
const KindSpec* find_kind(OutcomeKind kind);
const FieldSpec* find_field(const KindSpec& kind, std::string_view name);
const FieldSpec* find_field(const KindSpec& kind, std::uint8_t id);

using FieldValue = std::variant<std::string, double, bool>;

struct OutcomeEvent {
  OutcomeKind kind = OutcomeKind::kTask;
  std::uint64_t producer_id = 0;  // random per producer process
  std::uint64_t sequence = 0;     // per producer, from 1
  double time = 0;                // when it happened, seconds since the Unix epoch
  std::map<std::string, FieldValue, std::less<>> fields;

  const std::string* text(std::string_view name) const;
  std::optional<double> number(std::string_view name) const;
  std::optional<bool> flag(std::string_view name) const;
};

// Checks one field's value against its spec. Empty when valid, otherwise why not.
std::string check_field(const FieldSpec& field, const FieldValue& value);

// Checks an event against its kind's schema: known fields of the right type, required ones
// present, numbers in range, text valid UTF-8 of bounded length. Empty when valid.
std::string check_event(const OutcomeEvent& event);

// Parses a field's value from its text form ("true"/"false"/"1"/"0", numbers, times as Unix
// seconds or ISO 8601 UTC "2026-11-24T10:00:00Z"), as a command line gives it. Throws
// std::invalid_argument naming the field when the text does not fit the type.
FieldValue parse_field_value(const FieldSpec& field, std::string_view text);

// Encodes a checked event; the result fits a frame (kMaxFramePayloadBytes) or this throws
// std::invalid_argument.
std::vector<std::byte> encode_event(const OutcomeEvent& event);

struct OutcomeDecodeError {
  std::string reason;
};
// Decodes a payload copied out of a ring. Never reads outside `bytes`; the result still has to
// pass check_event.
std::variant<OutcomeEvent, OutcomeDecodeError> decode_event(std::span<const std::byte> bytes);

}  // namespace agentmetrics::ipc
