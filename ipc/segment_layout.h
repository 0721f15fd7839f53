// The byte layout of a producer's shared-memory segment. Both the client library and the
// collector include this file; no other code knows an offset.
//
//   [SegmentHeader][string table: strtab_capacity bytes][RingSlot 0][RingSlot 1]...[RingSlot n-1]
//
// Every region starts on a 4 KiB boundary so that a truncated file loses whole regions.
#pragma once

#include <atomic>
#include <boost/lockfree/spsc_queue.hpp>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "ipc/record.h"

namespace agentmetrics::ipc {

inline constexpr std::uint64_t kSegmentMagic = 0x4349525445'4d4741ULL;  // "AGMETRIC" little-endian
// 2: the doorbell (consumer_sleeping, doorbell) and descriptor flags joined the header.
// 3: series_refused joined the header, where version 2 has zeroed padding: the collector reads
// both (kOldestReadableAbiVersion).
inline constexpr std::uint32_t kAbiVersion = 3;
inline constexpr std::uint32_t kOldestReadableAbiVersion = 2;
inline constexpr std::size_t kPageSize = 4096;

// Slots per ring. A compile-time capacity keeps the ring's storage inline in the segment (no
// pointers), which is what lets Boost.Lockfree's spsc_queue live in shared memory.
inline constexpr std::size_t kRingCapacity = 65535;
using Ring = boost::lockfree::spsc_queue<Record, boost::lockfree::capacity<kRingCapacity>>;

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

struct RingSlot {
  RingControl control;
  Ring ring;
};

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
static_assert(sizeof(std::size_t) == 8, "Boost.Lockfree's ring indices are size_t: 64-bit only");
static_assert(std::is_standard_layout_v<RingControl> && std::is_standard_layout_v<SegmentDescriptor> &&
              std::is_standard_layout_v<SegmentHeader>);
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
// Boost's ring is not standard-layout (no offsetof): the ring follows its control line with no
// padding, and the Ring.* unit tests pin its indices and slots (kRing*Offset below).
static_assert(alignof(RingSlot) == 64 && sizeof(RingControl) % alignof(Ring) == 0 &&
              sizeof(RingSlot) == (sizeof(RingControl) + sizeof(Ring) + 63) / 64 * 64);

constexpr std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }

// The layout is a pure function of (ring_count, strtab_capacity): the collector recomputes it
// and compares, instead of trusting the offsets a producer wrote.
struct SegmentGeometry {
  std::uint64_t strtab_offset;
  std::uint64_t strtab_capacity;
  std::uint64_t rings_offset;
  std::uint64_t ring_stride;
  std::uint32_t ring_count;
  std::uint64_t segment_size;
};

constexpr SegmentGeometry compute_geometry(std::uint32_t ring_count, std::uint64_t strtab_capacity) {
  SegmentGeometry g{};
  g.strtab_offset = align_up(sizeof(SegmentHeader), kPageSize);
  g.strtab_capacity = align_up(strtab_capacity, kPageSize);
  g.rings_offset = g.strtab_offset + g.strtab_capacity;
  g.ring_stride = align_up(sizeof(RingSlot), kPageSize);
  g.ring_count = ring_count;
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
  d.ring_capacity = kRingCapacity;
  return d;
}

// Boost keeps the ring's indices private. The collector must check them before trusting a pop
// (they live in memory the producer can scribble on), so this names where they are; a unit
// test proves these offsets against the real type.
inline constexpr std::size_t kRingWriteIndexOffset = 0;
inline constexpr std::size_t kRingReadIndexOffset = BOOST_LOCKFREE_CACHELINE_BYTES;
inline constexpr std::size_t kRingStorageSlots = kRingCapacity + 1;
// Where the slots start: Boost's storage follows the read index, aligned for a Record.
inline constexpr std::size_t kRingStorageOffset =
    (kRingReadIndexOffset + sizeof(std::size_t) + alignof(Record) - 1) / alignof(Record) * alignof(Record);
static_assert(kRingStorageOffset + kRingStorageSlots * sizeof(Record) <= sizeof(Ring));

}  // namespace agentmetrics::ipc
