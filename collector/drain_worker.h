// A drain thread: the only consumer of the rings of the segments it was given and the only
// writer of its shard. It also notices producers that exited, drains them to the end and
// reclaims their segments.
#pragma once

#include <concurrentqueue/concurrentqueue.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "attached_segment.h"
#include "family_registry.h"
#include "segment_directory.h"
#include "self_metrics.h"
#include "shard.h"

namespace agentmetrics::collector {

class DrainWorker {
 public:
  DrainWorker(std::size_t index, FamilyRegistry& registry, SelfMetrics& metrics, SegmentDirectory& directory);
  ~DrainWorker();

  // Hands a freshly attached segment to this worker (any thread).
  void adopt(std::unique_ptr<AttachedSegment> segment);
  void start();
  // Drains every ring one last time, then stops the thread.
  void stop();

  Shard& shard() { return shard_; }

 private:
  void run();
  void take_new_segments();
  std::size_t drain_all();
  void housekeeping();
  void drop_segment(std::size_t i, bool remove_file);

  std::size_t index_;
  Shard shard_;
  FamilyRegistry& registry_;
  SelfMetrics& metrics_;
  SegmentDirectory& directory_;
  // Discovery -> worker hand-off, never on a producer's path.
  moodycamel::ConcurrentQueue<AttachedSegment*> inbox_;
  std::vector<std::unique_ptr<AttachedSegment>> segments_;
  // Set by stop() (release), read by the worker (acquire) so it sees everything before it.
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace agentmetrics::collector
