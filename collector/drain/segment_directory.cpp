#include "collector/drain/segment_directory.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "ipc/segment_name.h"

namespace agentmetrics::collector {

SegmentDirectory::SegmentDirectory(std::string path, std::string ns) : path_(std::move(path)), ns_(std::move(ns)) {
  fd_ = ::open(path_.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open segment directory " + path_);
}

SegmentDirectory::~SegmentDirectory() { ::close(fd_); }

bool SegmentDirectory::claim(const std::string& name) {
  if (!ipc::parse_segment_file_name(name, ns_)) return false;
  std::lock_guard lock(mutex_);
  return held_.insert(name).second;
}

void SegmentDirectory::release(const std::string& name) {
  std::lock_guard lock(mutex_);
  held_.erase(name);
}

}  // namespace agentmetrics::collector
