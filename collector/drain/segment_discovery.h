// Finds producers' segments: one scan of the directory at start, then inotify for segments
// published later (a producer publishes by renaming a ready file into place), so the
// collector never polls the namespace.
//
// Each file is attached once whatever its names (segment_directory.h). A segment that does not
// fit under the limits waits, in the order it came, and is attached once room comes back
// (retry_waiting, every second): the events in it are drained late, never lost. A file
// refused for what it is is counted and logged once, however often it is renamed.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_set>

#include "collector/drain/attached_segment.h"
#include "collector/drain/segment_directory.h"
#include "collector/expose/self_metrics.h"

namespace agentmetrics::collector {

class SegmentDiscovery {
 public:
  using Adopt = std::function<void(std::unique_ptr<AttachedSegment>)>;

  // Throws std::system_error if inotify cannot watch the directory.
  SegmentDiscovery(SegmentDirectory& directory, AttachPolicy policy, SelfMetrics& metrics, Adopt adopt);
  ~SegmentDiscovery();

  // The descriptor to watch for readability; on_readable() takes what it reports.
  int fd() const { return inotify_fd_; }
  void on_readable();
  // Attaches every segment already in the directory, and tidies.
  void scan();
  // Removes the set-up files of producers that died before publishing (abandoned_setups.h).
  void tidy();
  // Attaches the segments that wait for room, as far as there is room now, oldest first.
  void retry_waiting();
  std::size_t waiting() const { return waiting_.size(); }

  // Names remembered as waiting; beyond, the directory is scanned again once room comes back.
  static constexpr std::size_t kMaxWaiting = 16384;

 private:
  void consider(const std::string& name);
  void wait_for_room(const std::string& name, uid_t owner, SegmentRoom bound);
  void refuse(const std::string& name, const SegmentFile& file, const Rejection& rejection);

  SegmentDirectory& directory_;
  AttachPolicy policy_;
  SelfMetrics& metrics_;
  Adopt adopt_;
  int inotify_fd_ = -1;

  struct Waiting {
    std::string name;
    uid_t owner;
  };
  std::deque<Waiting> waiting_;
  std::unordered_set<std::string> waiting_names_;
  bool waiting_overflowed_ = false;

  prometheus::Counter& attachments_;
  prometheus::Family<prometheus::Counter>& deferred_;
  prometheus::Counter& names_of_attached_;
  prometheus::Counter& names_of_refused_;
  prometheus::Gauge& waiting_gauge_;
  prometheus::Gauge& limit_gauge_;
};

}  // namespace agentmetrics::collector
