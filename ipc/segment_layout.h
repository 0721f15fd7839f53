// The byte layout of a producer's shared-memory segment. Both the client library and the
// collector include this file; no other code knows an offset.
//
//   [SegmentHeader][string table: strtab_capacity bytes][RingSlot 0][RingSlot 1]...[RingSlot n-1]
//
// where a RingSlot is [RingControl][RingIndices][ring_capacity + 1 Records].
//
// Every region starts on a 4 KiB boundary so that a truncated file loses whole regions.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "ipc/record.h"

namespace agentmetrics::ipc {

inline constexpr std::uint64_t kSegmentMagic = 0x4349525445'4d4741ULL;  // "AGMETRIC" little-endian
// 2: the doorbell (consumer_sleeping, doorbell) and descriptor flags joined the header.
// 3: series_refused joined the header, where version 2 has zeroed padding: the collector reads
// both (kOldestReadableAbiVersion).
// 4: the producer chooses the rings' capacity (ring_capacity, 2^k - 1 records); versions 2 and
// 3 are version 4 with kLegacyRingCapacity, byte for byte (the same indices and slots
// Boost.Lockfree's spsc_queue put there).
inline constexpr std::uint32_t kAbiVersion = 4;
inline constexpr std::uint32_t kOldestReadableAbiVersion = 2;
inline constexpr std::size_t kPageSize = 4096;

// Records a ring holds: 2^k - 1, in a ring of 2^k slots (one stays empty so that a full ring
// and an empty one differ), so an index wraps with a mask. Chosen per segment by the producer
// (AGENTMETRICS_RING_EVENTS; ipc/spsc_ring.h has the ring). A ring lasts capacity / rate.
inline constexpr std::uint32_t kMinRingCapacity = (1u << 12) - 1;     // longer than the longest frame
inline constexpr std::uint32_t kMaxRingCapacity = (1u << 24) - 1;     // 256 MiB a ring
inline constexpr std::uint32_t kLegacyRingCapacity = (1u << 16) - 1;  // of every version-2 and -3 segment
// 16 MiB a ring, 35 ms at 30 million events a second. A producer thread kept off the CPU writes
// nothing, then catches up at its full speed: its ring must hold what it owes for as long as the
// scheduler keeps it waiting, a slice (0.75 ms x (1 + log2 CPUs): 1.5 ms on 2 CPUs, 3 ms from 8)
// for each thread ahead of it on its CPU. Beside a CPU hog on a 2-CPU machine at load 7-13,
// 65535 records (2.2 ms) and 262143 (8.7 ms) overflowed and 1048575 (23 slices) did not
// (docs/benchmarks.md). A ring's memory is reserved when a thread first claims it
// (the first with the segment: agent/segment_writer.h), so a producer pays for the rings its
// threads use at once, not for all.
inline constexpr std::uint32_t kDefaultRingCapacity = (1u << 20) - 1;
// What the producer reserves of every ring when it makes the segment: the page that holds the
// ring's control line and indices, so that the collector finds every ring (a ring whose first
// page is a hole is taken as unused) and reads valid indices.
inline constexpr std::uint64_t kRingHeadBytes = kPageSize;

constexpr bool is_valid_ring_capacity(std::uint64_t capacity) {
  return capacity >= kMinRingCapacity && capacity <= kMaxRingCapacity && (capacity & (capacity + 1)) == 0;
}
// The smallest valid capacity of at least `records` (the largest for more than it allows).
constexpr std::uint32_t ring_capacity_for(std::uint64_t records) {
  std::uint64_t c = kMinRingCapacity;
  while (c < records && c < kMaxRingCapacity) c = c * 2 + 1;
  return static_cast<std::uint32_t>(c);
}

inline constexpr std::uint32_t kDefaultRingCount = 16;
inline constexpr std::uint32_t kMaxRingCount = 256;
inline constexpr std::uint64_t kDefaultStringTableBytes = 1u << 20;
inline constexpr std::uint64_t kMaxStringTableBytes = 64u << 20;

enum class RingOwner : std::uint32_t { kFree = 0, kClaimed = 1 };

struct alignas(64) RingControl {
  // Producer threads claim a free ring with a CAS (acquire) and give it back with a release
  // store when they exit, so the next owner's pushes happen after the previous owner's: the
  // ring keeps a single producer at any moment. The collector only reads it.
  std::atomic<std::uint32_t> owner;
  std::uint32_t reserved;
  // Events this ring refused because it was full. Written only by the owning thread (plain
  // load + store, relaxed: no RMW needed with one writer); read relaxed by the collector, which
  // only needs an eventually exact, monotonic value.
  std::atomic<std::uint64_t> dropped;
};

// A ring's two indices, each in [0, ring_capacity]: the slot the producer writes next and the
// one the consumer reads next. On their own cache lines so the two sides do not share one; the
// records follow the read index directly (where Boost's spsc_queue put them in versions 2-3).
// ipc/spsc_ring.h states the memory ordering of each access.
struct RingIndices {
  std::atomic<std::size_t> write;  // stored by the producer only
  std::byte line_padding[56];
  std::atomic<std::size_t> read;  // stored by the consumer only
};

// One ring: its control line, its indices, then ring_capacity + 1 Records (not a member: the
// capacity is the segment's, so the slot's size is too, ring_stride in the descriptor).
struct RingSlot {
  RingControl control;
  RingIndices indices;
};
// Where a ring's records start, from the start of its RingSlot.
inline constexpr std::size_t kRingRecordsOffset = sizeof(RingControl) + sizeof(RingIndices);

// The fixed part of the header, written once before the segment is published. Trivially
// copyable so the collector validates a private copy, not memory the producer can change.
struct SegmentDescriptor {
  std::uint64_t magic;
  std::uint32_t abi_version;
  std::uint32_t header_size;
  std::uint64_t segment_size;
  std::uint64_t strtab_offset;
  std::uint64_t strtab_capacity;
  std::uint64_t rings_offset;
  std::uint64_t ring_stride;
  std::uint32_t ring_count;
  std::uint32_t ring_capacity;
  std::int32_t producer_pid;
  std::uint32_t producer_uid;
  std::uint64_t producer_start_ticks;  // /proc/self/stat starttime: tells a reused pid apart
  std::uint64_t created_unix_ns;
  char program[64];     // NUL-terminated short name of the producer, for logs
  std::uint32_t flags;  // kSegmentFlag* bits; unknown bits are ignored
  std::uint32_t reserved;
};

// The producer registered for MEMBARRIER_CMD_GLOBAL_EXPEDITED, so the collector's heavy fence
// reaches it and the doorbell cannot miss a wake-up (see ipc/doorbell.h).
inline constexpr std::uint32_t kSegmentFlagMembarrier = 1;
static_assert(std::is_trivially_copyable_v<SegmentDescriptor>);

struct alignas(64) SegmentHeader {
  SegmentDescriptor descriptor;
  // Bytes of the string table that are complete. The producer writes an entry, then stores
  // the new end with release; the collector loads it with acquire before reading entries, so
  // every byte below it is visible and final.
  alignas(64) std::atomic<std::uint64_t> strtab_committed;
  // Events dropped outside any ring: the thread found every ring claimed. Rare, many writers:
  // relaxed fetch_add, read relaxed (a monotonic statistic).
  std::atomic<std::uint64_t> unringed_drops;
  // Families and series the producer refused to declare because the string table was full
  // (the caller got AM_STRING_TABLE_FULL). Relaxed fetch_add under the client's mutex, read
  // relaxed by the collector: a monotonic statistic.
  std::atomic<std::uint64_t> series_refused;

  // The doorbell (ipc/doorbell.h): a futex word producers bump to wake a sleeping collector,
  // and the flag by which the collector says it sleeps. On their own cache line: producers
  // read the flag after every push and it changes only when the collector sleeps or wakes.
  alignas(64) std::atomic<std::uint32_t> consumer_sleeping;
  std::atomic<std::uint32_t> doorbell;
};

static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(std::atomic<std::size_t>::is_always_lock_free);

// The layout producers and the collector share, pinned byte for byte (docs/segment-format.md
// draws it): a 32-bit producer, another compiler or a reordered field must fail to build, not
// write a segment the collector misreads. A change here is a new kAbiVersion. Atomics must be
// plain words in memory (same size as the value, lock-free) for another process to share them.
static_assert(sizeof(std::atomic<std::uint64_t>) == 8 && sizeof(std::atomic<std::uint32_t>) == 4);
static_assert(sizeof(std::size_t) == 8, "ring indices are 64-bit words: 64-bit only");
static_assert(std::is_standard_layout_v<RingControl> && std::is_standard_layout_v<SegmentDescriptor> &&
              std::is_standard_layout_v<SegmentHeader> && std::is_standard_layout_v<RingIndices> && std::is_standard_layout_v<RingSlot>);
static_assert(sizeof(RingControl) == 64 && offsetof(RingControl, owner) == 0 && offsetof(RingControl, dropped) == 8);
static_assert(sizeof(SegmentDescriptor) == 160);
static_assert(offsetof(SegmentDescriptor, magic) == 0 && offsetof(SegmentDescriptor, abi_version) == 8 &&
              offsetof(SegmentDescriptor, header_size) == 12 && offsetof(SegmentDescriptor, segment_size) == 16 &&
              offsetof(SegmentDescriptor, strtab_offset) == 24 && offsetof(SegmentDescriptor, strtab_capacity) == 32 &&
              offsetof(SegmentDescriptor, rings_offset) == 40 && offsetof(SegmentDescriptor, ring_stride) == 48 &&
              offsetof(SegmentDescriptor, ring_count) == 56 && offsetof(SegmentDescriptor, ring_capacity) == 60 &&
              offsetof(SegmentDescriptor, producer_pid) == 64 && offsetof(SegmentDescriptor, producer_uid) == 68 &&
              offsetof(SegmentDescriptor, producer_start_ticks) == 72 && offsetof(SegmentDescriptor, created_unix_ns) == 80 &&
              offsetof(SegmentDescriptor, program) == 88 && offsetof(SegmentDescriptor, flags) == 152 &&
              offsetof(SegmentDescriptor, reserved) == 156);
static_assert(sizeof(SegmentHeader) == 320 && offsetof(SegmentHeader, descriptor) == 0 &&
              offsetof(SegmentHeader, strtab_committed) == 192 && offsetof(SegmentHeader, unringed_drops) == 200 &&
              offsetof(SegmentHeader, series_refused) == 208 && offsetof(SegmentHeader, consumer_sleeping) == 256 &&
              offsetof(SegmentHeader, doorbell) == 260);
static_assert(offsetof(RingIndices, write) == 0 && offsetof(RingIndices, read) == 64 && sizeof(RingIndices) == 72);
static_assert(offsetof(RingSlot, control) == 0 && offsetof(RingSlot, indices) == 64 && kRingRecordsOffset == 136 &&
              kRingRecordsOffset % alignof(Record) == 0);

constexpr std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }

// The layout is a pure function of (ring_count, ring_capacity, strtab_capacity): the collector
// recomputes it and compares, instead of trusting the offsets a producer wrote.
struct SegmentGeometry {
  std::uint64_t strtab_offset;
  std::uint64_t strtab_capacity;
  std::uint64_t rings_offset;
  std::uint64_t ring_stride;
  std::uint32_t ring_count;
  std::uint32_t ring_capacity;
  std::uint64_t segment_size;
};

// `ring_capacity` must be valid (is_valid_ring_capacity), so the sizes cannot overflow.
constexpr SegmentGeometry compute_geometry(std::uint32_t ring_count, std::uint32_t ring_capacity, std::uint64_t strtab_capacity) {
  SegmentGeometry g{};
  g.strtab_offset = align_up(sizeof(SegmentHeader), kPageSize);
  g.strtab_capacity = align_up(strtab_capacity, kPageSize);
  g.rings_offset = g.strtab_offset + g.strtab_capacity;
  g.ring_stride = align_up(kRingRecordsOffset + (std::uint64_t{ring_capacity} + 1) * sizeof(Record), kPageSize);
  g.ring_count = ring_count;
  g.ring_capacity = ring_capacity;
  g.segment_size = g.rings_offset + g.ring_stride * ring_count;
  return g;
}

// A descriptor with the format's constants and the geometry filled in; the producer adds who
// it is.
constexpr SegmentDescriptor describe_layout(const SegmentGeometry& g) {
  SegmentDescriptor d{};
  d.magic = kSegmentMagic;
  d.abi_version = kAbiVersion;
  d.header_size = sizeof(SegmentHeader);
  d.segment_size = g.segment_size;
  d.strtab_offset = g.strtab_offset;
  d.strtab_capacity = g.strtab_capacity;
  d.rings_offset = g.rings_offset;
  d.ring_stride = g.ring_stride;
  d.ring_count = g.ring_count;
  d.ring_capacity = g.ring_capacity;
  return d;
}

}  // namespace agentmetrics::ipc
