#include "collector/drain/segment_discovery.h"

#include <dirent.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "collector/drain/abandoned_setups.h"
#include "collector/common/log.h"

namespace agentmetrics::collector {

SegmentDiscovery::SegmentDiscovery(SegmentDirectory& directory, AttachPolicy policy, SelfMetrics& metrics, Adopt adopt)
    : directory_(directory), policy_(std::move(policy)), metrics_(metrics), adopt_(std::move(adopt)) {
  inotify_fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (inotify_fd_ < 0) throw std::system_error(errno, std::generic_category(), "inotify_init1");
  if (::inotify_add_watch(inotify_fd_, directory_.path().c_str(), IN_MOVED_TO | IN_ONLYDIR) < 0) {
    const int e = errno;
    ::close(inotify_fd_);
    throw std::system_error(e, std::generic_category(), "cannot watch " + directory_.path());
  }
}

SegmentDiscovery::~SegmentDiscovery() { ::close(inotify_fd_); }

// The watch exists before the scan, so a segment published during the scan is seen by one or
// the other (or both: claim() makes the second sighting a no-op).
void SegmentDiscovery::scan() {
  const int fd = ::dup(directory_.fd());
  if (fd < 0) return;
  DIR* dir = ::fdopendir(fd);
  if (!dir) {
    ::close(fd);
    return;
  }
  ::rewinddir(dir);  // the duplicate shares the directory's offset, left at the end by the last reader
  while (const dirent* entry = ::readdir(dir)) consider(entry->d_name);
  ::closedir(dir);
  tidy();
}

void SegmentDiscovery::tidy() { remove_abandoned_setups(directory_.fd(), directory_.ns(), policy_.allowed_owners); }

void SegmentDiscovery::consider(const std::string& name) {
  if (!directory_.claim(name)) return;
  auto result = AttachedSegment::attach(directory_.fd(), name, policy_);
  if (auto* rejection = std::get_if<Rejection>(&result)) {
    metrics_.segment_rejected(rejection->reason).Increment();
    log(LogLevel::kWarn, "segment rejected",
        {{"segment", name}, {"reason", std::string(ipc::to_label(rejection->reason))}, {"detail", rejection->detail}});
    directory_.release(name);
    return;
  }
  auto& segment = std::get<std::unique_ptr<AttachedSegment>>(result);
  log(LogLevel::kInfo, "segment attached",
      {{"segment", name},
       {"pid", segment->descriptor().producer_pid},
       {"program", segment->program()},
       {"rings", segment->descriptor().ring_count}});
  adopt_(std::move(segment));
}

void SegmentDiscovery::on_readable() {
  alignas(inotify_event) char buffer[16 * 1024];
  for (;;) {
    const ssize_t n = ::read(inotify_fd_, buffer, sizeof(buffer));
    if (n <= 0) return;  // EAGAIN: all taken
    for (ssize_t off = 0; off < n;) {
      const auto* event = reinterpret_cast<const inotify_event*>(buffer + off);
      if (event->mask & IN_Q_OVERFLOW) {
        log(LogLevel::kWarn, "inotify queue overflowed; rescanning the segment directory");
        scan();
      } else if (event->len > 0) {
        consider(event->name);
      }
      off += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
    }
  }
}

}  // namespace agentmetrics::collector
