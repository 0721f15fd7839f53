// The producer's side of a segment: creates and publishes it, appends string-table entries,
// and hands rings to threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ipc/segment_layout.h"

namespace agentmetrics::agent {

struct SegmentOptions {
  std::string dir;
  std::string ns;
  std::uint32_t ring_count = ipc::kDefaultRingCount;
  // Records each ring should hold, rounded up to a valid capacity (2^k - 1, 4095 to 16777215);
  // 0: ipc::kDefaultRingCapacity (1048575).
  std::uint64_t ring_events = 0;
  std::uint64_t strtab_bytes = ipc::kDefaultStringTableBytes;

  std::uint32_t ring_capacity() const { return ring_events == 0 ? ipc::kDefaultRingCapacity : ipc::ring_capacity_for(ring_events); }

  // From AGENTMETRICS_SHM_DIR, AGENTMETRICS_NAMESPACE, AGENTMETRICS_RINGS,
  // AGENTMETRICS_RING_EVENTS and AGENTMETRICS_STRING_TABLE_BYTES, with defaults.
  static SegmentOptions from_environment();
};

class SegmentWriter {
 public:
  // Creates the file (owner-only, never through a symbolic link), reserves all its memory up
  // front so that a full tmpfs fails here with ENOSPC instead of a SIGBUS later, locks it (the
  // collector reads a released lock as "producer gone"), and publishes it by renaming.
  // Throws std::system_error or std::invalid_argument with a message that says what failed.
  static std::unique_ptr<SegmentWriter> create(const SegmentOptions& options);
  ~SegmentWriter();
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  // Appends one encoded entry and publishes it. The caller serialises calls. False when the
  // string table is full.
  bool append_entry(std::span<const std::byte> entry);
  // A free ring for the calling thread, its records reserved on the file system first (the
  // first claim of a ring reserves them), or nullptr when all are claimed or none can be
  // reserved (ring_reservation_failed()). The caller serialises calls.
  ipc::RingSlot* claim_ring();
  // Whether the last claim_ring() found the file system without room for a ring's records.
  bool ring_reservation_failed() const { return reserve_failed_; }
  static void release_ring(ipc::RingSlot* slot);
  void count_unringed_drop();
  std::uint64_t dropped_in_segment() const;
  void count_refused_series();
  std::uint64_t string_table_capacity() const;

  // In a forked child: forget the parent's segment without touching the file, which still
  // belongs to the parent.
  void abandon_after_fork();

  const std::string& path() const { return path_; }

  ipc::SegmentHeader* header() const { return reinterpret_cast<ipc::SegmentHeader*>(base_); }

 private:
  SegmentWriter() = default;
  ipc::RingSlot* ring(std::uint32_t i) const;
  // Reserves ring i's records (its head is reserved with the segment); false when the file
  // system has no room.
  bool reserve_ring(std::uint32_t i);

  std::byte* base_ = nullptr;
  std::size_t size_ = 0;
  int fd_ = -1;
  std::string path_;
  std::vector<bool> ring_reserved_;  // by ring: its records are reserved (claim_ring's caller serialises)
  bool reserve_failed_ = false;
};

}  // namespace agentmetrics::agent
