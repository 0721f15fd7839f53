// A drain thread: the only consumer of the rings of the segments it was given and the only
// writer of its shard. When every ring is empty it sleeps on its segments' doorbells, so an
// idle collector uses no CPU; it also notices producers that exited, drains them to the end
// and reclaims their segments.
#pragma once

#include <concurrentqueue/concurrentqueue.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "collector/drain/attached_segment.h"
#include "collector/drain/drain_pace.h"
#include "collector/drain/doorbell_waiter.h"
#include "collector/aggregate/family_registry.h"
#include "collector/drain/segment_directory.h"
#include "collector/expose/self_metrics.h"
#include "collector/aggregate/shard.h"

namespace agentmetrics::collector {

class DrainWorker {
 public:
  // `outcomes` (may be null) receives the outcome events; it must outlive the worker.
  // `priority`: whether the thread asks for real-time priority (drain_pace.h).
  DrainWorker(std::size_t index, FamilyRegistry& registry, SelfMetrics& metrics, SegmentDirectory& directory, bool use_io_uring,
              store::OutcomeSink* outcomes, DrainPriority priority = DrainPriority::kAuto);
  ~DrainWorker();

  // Hands a freshly attached segment to this worker (any thread) and wakes it.
  void adopt(std::unique_ptr<AttachedSegment> segment);
  void start();
  // Drains every ring one last time, then stops the thread.
  void stop();
  // After stop() and after the store has committed: gives the rings' space back up to the
  // last committed frame, so a restarted collector does not read those frames again.
  void publish_acknowledged();

  // steady-clock ns of the last time the thread came round its loop (at least once a second).
  std::int64_t last_alive_ns() const { return last_alive_ns_.load(std::memory_order_relaxed); }

 private:
  void run();
  void take_new_segments();
  std::size_t drain_all();
  void housekeeping();
  void count_drops(AttachedSegment& segment);
  void drop_segment(std::size_t i, bool remove_file);
  void sleep_until_rung(std::chrono::milliseconds longest);
  void wake();

  std::size_t index_;
  Shard shard_;
  FamilyRegistry& registry_;
  SelfMetrics& metrics_;
  SegmentDirectory& directory_;
  std::unique_ptr<DoorbellWaiter> waiter_;
  const bool heavy_fence_;
  store::OutcomeSink* outcomes_;
  const DrainPriority priority_;
  // Discovery -> worker hand-off, never on a producer's path.
  moodycamel::ConcurrentQueue<AttachedSegment*> inbox_;
  std::vector<std::unique_ptr<AttachedSegment>> segments_;
  std::vector<futex_waitv> waiters_;
  // A private futex word: adopt() and stop() bump it (release) and wake it, so a sleeping
  // worker sees new segments and the stop request at once.
  std::atomic<std::uint32_t> wake_word_{0};
  // Set by stop() (release), read by the worker (acquire) so it sees everything before it.
  std::atomic<bool> stopping_{false};
  // Written by the worker, read by /health: relaxed, a self-contained timestamp.
  std::atomic<std::int64_t> last_alive_ns_{0};
  std::thread thread_;
};

}  // namespace agentmetrics::collector
