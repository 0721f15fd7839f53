// Finds producers' segments: one scan of the directory at start, then inotify for segments
// published later (a producer publishes by renaming a ready file into place), so the
// collector never polls the namespace.
#pragma once

#include <functional>
#include <memory>
#include <string>

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

 private:
  void consider(const std::string& name);

  SegmentDirectory& directory_;
  AttachPolicy policy_;
  SelfMetrics& metrics_;
  Adopt adopt_;
  int inotify_fd_ = -1;
};

}  // namespace agentmetrics::collector
