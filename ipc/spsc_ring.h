// The producer's side of a ring (ipc/segment_layout.h: RingSlot): a single-producer,
// single-consumer queue of Records over the segment's memory, whose capacity is the segment's
// (2^k - 1 records in 2^k slots, so an index wraps with a mask). The consumer is the collector,
// which reads the same indices and slots as untrusted memory (collector/drain/attached_segment):
// it loads `write` with acquire, copies the records below it, then stores `read` with release.
//
// One producer per ring at a time (RingControl::owner hands a ring from thread to thread with
// acquire/release), so the producer is the only writer of `write` and the consumer the only
// writer of `read`: no read-modify-write is needed on either.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>

#include "ipc/record.h"
#include "ipc/segment_layout.h"

namespace agentmetrics::ipc {

class SpscRing {
 public:
  // `capacity` is the segment's ring_capacity (valid: 2^k - 1), which is also the index mask.
  SpscRing(RingSlot& slot, std::size_t capacity) noexcept
      : indices_(slot.indices),
        records_(reinterpret_cast<Record*>(reinterpret_cast<std::byte*>(&slot) + kRingRecordsOffset)),
        mask_(capacity) {}

  // Appends one record; false (nothing written) when the ring is full.
  bool push(const Record& record) noexcept {
    // Relaxed: only this thread stores `write`, so it reads its own last store.
    const std::size_t write = indices_.write.load(std::memory_order_relaxed);
    const std::size_t next = (write + 1) & mask_;
    // Acquire, pairing with the consumer's release store of `read`: its copies out of the slots
    // it gave back happen before this thread overwrites them.
    if (next == indices_.read.load(std::memory_order_acquire)) return false;
    records_[write] = record;
    // Release, pairing with the consumer's acquire load of `write`: the record is visible
    // before the index that publishes it.
    indices_.write.store(next, std::memory_order_release);
    return true;
  }

  // Appends all `n` records, published by one index store so the consumer sees all or none;
  // false (nothing written) when they do not fit.
  bool push_all(const Record* records, std::size_t n) noexcept {
    // Relaxed and acquire, as in push.
    const std::size_t write = indices_.write.load(std::memory_order_relaxed);
    if (free_slots(write, indices_.read.load(std::memory_order_acquire)) < n) return false;
    const std::size_t first = std::min(n, mask_ + 1 - write);  // up to the end of the storage
    std::memcpy(records_ + write, records, first * sizeof(Record));
    std::memcpy(records_, records + first, (n - first) * sizeof(Record));
    // Release, as in push: every record of the batch before the index.
    indices_.write.store((write + n) & mask_, std::memory_order_release);
    return true;
  }

  // Records the ring can take now (more once the consumer catches up, never fewer: only this
  // thread fills it).
  std::size_t write_available() const noexcept {
    // Relaxed for `write` (this thread's own); acquire for `read`, as in push, since a caller
    // may write into the room it reports.
    return free_slots(indices_.write.load(std::memory_order_relaxed), indices_.read.load(std::memory_order_acquire));
  }

 private:
  // Slots from `write` up to the one before `read` (one slot always stays empty).
  std::size_t free_slots(std::size_t write, std::size_t read) const noexcept { return (read - write - 1) & mask_; }

  RingIndices& indices_;
  Record* records_;
  std::size_t mask_;
};

}  // namespace agentmetrics::ipc
