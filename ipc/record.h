// One slot of a producer ring: the unit a producer publishes and the collector drains.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace agentmetrics::ipc {

enum class Op : std::uint16_t {
  kCounterAdd = 1,        // value: the increment, finite and >= 0
  kGaugeSet = 2,          // value: the new value
  kGaugeAdd = 3,          // value: a finite delta, may be negative
  kHistogramObserve = 4,  // value: the observation, finite
  kFrameBegin = 5,        // a frame of `extra` payload slots follows; series_id holds the frame kind
};

// Fixed 16 bytes so that a slot never straddles a cache line and a ring of N slots is N*16 bytes.
struct Record {
  std::uint32_t series_id;
  std::uint16_t op;
  std::uint16_t extra;  // kFrameBegin: the number of payload slots after this one
  double value;
};
// The layout producers and the collector share (docs/segment-format.md): a change here is a new
// kAbiVersion.
static_assert(sizeof(Record) == 16 && alignof(Record) == 8);
static_assert(std::is_trivially_copyable_v<Record> && std::is_standard_layout_v<Record>);
static_assert(offsetof(Record, series_id) == 0 && offsetof(Record, op) == 4 && offsetof(Record, extra) == 6 &&
              offsetof(Record, value) == 8);
static_assert(sizeof(double) == 8 && std::numeric_limits<double>::is_iec559);

// A frame carries a larger event (an outcome) as raw bytes in the slots after its kFrameBegin
// slot. The producer publishes the whole frame with one index store, so the collector sees all
// of it or none of it.
inline constexpr std::uint32_t kMaxFramePayloadSlots = 255;
inline constexpr std::uint32_t kMaxFramePayloadBytes = kMaxFramePayloadSlots * sizeof(Record);

}  // namespace agentmetrics::ipc
