// How a producer wakes a sleeping collector without making a system call while it is awake.
//
// Collector, before sleeping:  consumer_sleeping = 1 (seq_cst); heavy fence (membarrier
//                              GLOBAL_EXPEDITED); check every ring again; if all are empty,
//                              futex-wait on `doorbell` for the value read before the check.
// Producer, after each push:   compiler fence; if (consumer_sleeping) ring_doorbell().
// ring_doorbell():             if exchange(consumer_sleeping, 0) was 1: bump `doorbell` and
//                              FUTEX_WAKE it (one system call per sleep, not per event).
//
// Why no wake-up is lost: the membarrier makes every registered producer thread execute a full
// barrier between the collector's store of the flag and its re-check. A producer whose push
// came before that barrier has its ring index visible to the re-check (the collector does not
// sleep); one whose flag load came after it sees the flag (it rings). The producer's side
// needs only a compiler fence, so its hot path stays free of fences and system calls. Where
// membarrier is unavailable, the collector bounds its sleep instead (docs/operations.md).
#pragma once

#include <atomic>

#include "ipc/segment_layout.h"

namespace agentmetrics::ipc {

void ring_doorbell(SegmentHeader& header) noexcept;

inline void wake_consumer_if_sleeping(SegmentHeader& header) noexcept {
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (header.consumer_sleeping.load(std::memory_order_relaxed)) [[unlikely]]
    ring_doorbell(header);
}

// The producer's half of the fence protocol: register this process for the collector's heavy
// fence. True on success.
bool register_for_heavy_fence() noexcept;
// The collector's half: a barrier on every registered producer thread. False if unavailable.
bool heavy_fence() noexcept;
bool heavy_fence_available() noexcept;

}  // namespace agentmetrics::ipc
