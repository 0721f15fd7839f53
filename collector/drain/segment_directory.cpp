#include "collector/drain/segment_directory.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>
#include <vector>

#include "ipc/segment_name.h"

namespace agentmetrics::collector {

SegmentFile SegmentFile::of(const struct stat& st) {
  return SegmentFile{st.st_dev, st.st_ino, st.st_uid, st.st_size,
                     static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

std::string_view to_label(SegmentRoom room) {
  switch (room) {
    case SegmentRoom::kAvailable: return "available";
    case SegmentRoom::kAllSegments: return "segments";
    case SegmentRoom::kOwner: return "owner";
    case SegmentRoom::kDescriptors: return "descriptors";
  }
  return "segments";
}

SegmentHold::SegmentHold(SegmentHold&& other) noexcept
    : directory_(std::exchange(other.directory_, nullptr)), file_(other.file_), refuse_(other.refuse_) {}

SegmentHold& SegmentHold::operator=(SegmentHold&& other) noexcept {
  if (this != &other) {
    if (directory_) directory_->release(file_, refuse_);
    directory_ = std::exchange(other.directory_, nullptr);
    file_ = other.file_;
    refuse_ = other.refuse_;
  }
  return *this;
}

SegmentHold::~SegmentHold() {
  if (directory_) directory_->release(file_, refuse_);
}

SegmentDirectory::SegmentDirectory(std::string path, std::string ns, SegmentLimits limits)
    : path_(std::move(path)), ns_(std::move(ns)), limits_(limits) {
  fd_ = ::open(path_.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open segment directory " + path_);
}

SegmentDirectory::~SegmentDirectory() { ::close(fd_); }

bool SegmentDirectory::is_segment_name(std::string_view name) const { return ipc::parse_segment_file_name(name, ns_).has_value(); }

std::size_t SegmentDirectory::segment_limit() const {
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur == RLIM_INFINITY) return limits_.max_segments;
  const auto allowed = files.rlim_cur > limits_.descriptor_reserve ? files.rlim_cur - limits_.descriptor_reserve : 0;
  return std::min<std::size_t>(limits_.max_segments, allowed);
}

SegmentRoom SegmentDirectory::room_locked(uid_t owner) const {
  if (held_.size() >= limits_.max_segments) return SegmentRoom::kAllSegments;
  if (held_.size() >= segment_limit()) return SegmentRoom::kDescriptors;
  const auto it = held_per_owner_.find(owner);
  if (it != held_per_owner_.end() && it->second >= limits_.max_per_owner) return SegmentRoom::kOwner;
  return SegmentRoom::kAvailable;
}

SegmentRoom SegmentDirectory::room_for(uid_t owner) const {
  std::lock_guard lock(mutex_);
  return room_locked(owner);
}

SegmentHold SegmentDirectory::hold(const SegmentFile& file, SegmentRoom& room) {
  std::lock_guard lock(mutex_);
  room = SegmentRoom::kAvailable;
  if (held_.contains(FileKey{file.dev, file.ino})) return {};
  room = room_locked(file.owner);
  if (room != SegmentRoom::kAvailable) return {};
  held_.emplace(FileKey{file.dev, file.ino}, file.owner);
  ++held_per_owner_[file.owner];
  return SegmentHold(this, file);
}

bool SegmentDirectory::held(const SegmentFile& file) const {
  std::lock_guard lock(mutex_);
  return held_.contains(FileKey{file.dev, file.ino});
}

std::size_t SegmentDirectory::held_count() const {
  std::lock_guard lock(mutex_);
  return held_.size();
}

void SegmentDirectory::release(const SegmentFile& file, bool refuse) {
  {
    std::lock_guard lock(mutex_);
    const auto it = held_.find(FileKey{file.dev, file.ino});
    if (it == held_.end()) return;
    if (auto owner = held_per_owner_.find(it->second); owner != held_per_owner_.end() && --owner->second == 0) held_per_owner_.erase(owner);
    held_.erase(it);
  }
  if (refuse) this->refuse(file);
  room_freed_.store(true, std::memory_order_release);
}

bool SegmentDirectory::refused(const SegmentFile& file) const {
  std::lock_guard lock(mutex_);
  return refused_.contains(Refusal{FileKey{file.dev, file.ino}, file.size, file.mtime_ns});
}

void SegmentDirectory::refuse(const SegmentFile& file) {
  std::lock_guard lock(mutex_);
  const Refusal r{FileKey{file.dev, file.ino}, file.size, file.mtime_ns};
  if (!refused_.insert(r).second) return;
  refusal_order_.push_back(r);
  if (refusal_order_.size() > kRememberedRefusals) {
    refused_.erase(refusal_order_.front());
    refusal_order_.pop_front();
  }
}

void SegmentDirectory::remove(const SegmentFile& file, const std::string& known_name) const {
  auto same_file = [&](const char* name, nlink_t* links) {
    struct stat st {};
    if (::fstatat(fd_, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || st.st_dev != file.dev || st.st_ino != file.ino) return false;
    if (links) *links = st.st_nlink;
    return true;
  };
  nlink_t links = 0;
  if (same_file(known_name.c_str(), &links)) {
    ::unlinkat(fd_, known_name.c_str(), 0);
    if (links <= 1) return;
  }
  // Renamed, or linked under other names too: look for its names. Names of other kinds (not
  // our segment names) are left alone: whoever made them owns them.
  // A descriptor of its own, not a dup: drain threads call this while discovery reads the
  // directory, and a dup would share its offset.
  const int fd = ::openat(fd_, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return;
  }
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {
    if (is_segment_name(entry->d_name) && same_file(entry->d_name, nullptr)) names.emplace_back(entry->d_name);
  }
  ::closedir(dir);
  for (const auto& name : names) ::unlinkat(fd_, name.c_str(), 0);
}

}  // namespace agentmetrics::collector
