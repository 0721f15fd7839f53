// The directory where producers publish segments, and which of its files the collector holds,
// shared by discovery (which attaches) and the drain workers (which reclaim).
#pragma once

#include <mutex>
#include <string>
#include <unordered_set>

namespace agentmetrics::collector {

class SegmentDirectory {
 public:
  // Throws std::system_error if the directory cannot be opened.
  SegmentDirectory(std::string path, std::string ns);
  ~SegmentDirectory();
  SegmentDirectory(const SegmentDirectory&) = delete;
  SegmentDirectory& operator=(const SegmentDirectory&) = delete;

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  const std::string& ns() const { return ns_; }

  // True if `name` is a segment of our namespace that nobody holds yet; it is then held.
  bool claim(const std::string& name);
  // Lets go of a name (its segment was reclaimed or abandoned).
  void release(const std::string& name);

 private:
  std::string path_;
  std::string ns_;
  int fd_ = -1;
  std::mutex mutex_;
  std::unordered_set<std::string> held_;
};

}  // namespace agentmetrics::collector
