#include "collector/drain/segment_discovery.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "collector/drain/abandoned_setups.h"
#include "collector/common/log.h"

namespace agentmetrics::collector {
namespace {

prometheus::Family<prometheus::Counter>& ignored_names(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("agentmetrics_segment_names_ignored_total")
      .Help("Segment names passed over because their file is attached already (hard links, renames) or was refused before")
      .Register(registry);
}

// Descriptors or address space ran out: the segment fits once some are given back.
bool out_of_room(int error) { return error == EMFILE || error == ENFILE || error == ENOMEM; }

}  // namespace

SegmentDiscovery::SegmentDiscovery(SegmentDirectory& directory, AttachPolicy policy, SelfMetrics& metrics, Adopt adopt)
    : directory_(directory),
      policy_(std::move(policy)),
      metrics_(metrics),
      adopt_(std::move(adopt)),
      attachments_(prometheus::BuildCounter()
                       .Name("agentmetrics_segment_attachments_total")
                       .Help("Segments attached since the collector started (each file once, whatever its names)")
                       .Register(metrics.registry())
                       .Add({})),
      deferred_(prometheus::BuildCounter()
                    .Name("agentmetrics_segments_deferred_total")
                    .Help("Segments that had to wait for room before being attached, by the bound that held them back")
                    .Register(metrics.registry())),
      names_of_attached_(ignored_names(metrics.registry()).Add({{"reason", "attached"}})),
      names_of_refused_(ignored_names(metrics.registry()).Add({{"reason", "refused"}})),
      waiting_gauge_(prometheus::BuildGauge()
                         .Name("agentmetrics_segments_waiting")
                         .Help("Segments waiting for room to be attached")
                         .Register(metrics.registry())
                         .Add({})),
      limit_gauge_(prometheus::BuildGauge()
                       .Name("agentmetrics_segment_limit")
                       .Help("How many segments may be attached at once: the configured bound, or fewer if the descriptor limit is lower")
                       .Register(metrics.registry())
                       .Add({})) {
  limit_gauge_.Set(static_cast<double>(directory_.segment_limit()));
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
// the other (or both: the directory holds a file once).
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
  if (!directory_.is_segment_name(name)) return;
  struct stat st {};
  // Gone already: renamed on (it is seen under its next name) or removed.
  if (::fstatat(directory_.fd(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
  SegmentFile file = SegmentFile::of(st);
  if (directory_.held(file)) {
    names_of_attached_.Increment();
    return;
  }
  if (directory_.refused(file)) {
    names_of_refused_.Increment();
    return;
  }
  // A foreign file is refused below whatever the room; an allowed owner's waits for it
  // without taking a descriptor.
  if (policy_.allowed_owners.contains(file.owner)) {
    if (const SegmentRoom room = directory_.room_for(file.owner); room != SegmentRoom::kAvailable) {
      wait_for_room(name, file.owner, room);
      return;
    }
  }
  auto result = AttachedSegment::attach(directory_.fd(), name, policy_);
  if (auto* rejection = std::get_if<Rejection>(&result)) {
    if (rejection->error == ENOENT) return;  // renamed on between the look and the open
    if (out_of_room(rejection->error)) {
      wait_for_room(name, file.owner, SegmentRoom::kDescriptors);
    } else {
      refuse(name, file, *rejection);
    }
    return;
  }
  auto& segment = std::get<std::unique_ptr<AttachedSegment>>(result);
  SegmentRoom room = SegmentRoom::kAvailable;
  SegmentHold hold = directory_.hold(segment->file(), room);
  if (!hold) {
    if (room == SegmentRoom::kAvailable) {
      names_of_attached_.Increment();  // the same file under another name, attached meanwhile
    } else {
      wait_for_room(name, file.owner, room);
    }
    return;
  }
  segment->keep(std::move(hold));
  waiting_names_.erase(name);
  attachments_.Increment();
  log(LogLevel::kInfo, "segment attached",
      {{"segment", name},
       {"pid", segment->descriptor().producer_pid},
       {"program", segment->program()},
       {"rings", segment->descriptor().ring_count}});
  adopt_(std::move(segment));
}

void SegmentDiscovery::refuse(const std::string& name, const SegmentFile& file, const Rejection& rejection) {
  directory_.refuse(file);
  metrics_.segment_rejected(rejection.reason).Increment();
  log(LogLevel::kWarn, "segment rejected",
      {{"segment", name}, {"reason", std::string(ipc::to_label(rejection.reason))}, {"detail", rejection.detail}});
}

void SegmentDiscovery::wait_for_room(const std::string& name, uid_t owner, SegmentRoom bound) {
  if (waiting_names_.contains(name)) return;  // counted and logged when it first waited
  if (waiting_.size() >= kMaxWaiting) {
    waiting_overflowed_ = true;  // found again by a scan once the queue is short
    return;
  }
  waiting_names_.insert(name);
  waiting_.push_back({name, owner});
  waiting_gauge_.Set(static_cast<double>(waiting_.size()));
  deferred_.Add({{"reason", std::string(to_label(bound))}}).Increment();
  log(LogLevel::kWarn, "segment waits for room",
      {{"segment", name},
       {"bound", std::string(to_label(bound))},
       {"attached", directory_.held_count()},
       {"limit", directory_.segment_limit()},
       {"owner", owner}});
}

void SegmentDiscovery::retry_waiting() {
  limit_gauge_.Set(static_cast<double>(directory_.segment_limit()));
  // In the order they came; those whose bound still holds keep their place.
  for (std::size_t n = waiting_.size(); n > 0; --n) {
    Waiting w = std::move(waiting_.front());
    waiting_.pop_front();
    if (!waiting_names_.contains(w.name)) continue;  // attached under a later sighting
    if (directory_.room_for(w.owner) != SegmentRoom::kAvailable) {
      waiting_.push_back(std::move(w));
      continue;
    }
    waiting_names_.erase(w.name);
    consider(w.name);
  }
  // More waited than were remembered: the rest are found by a scan once the queue is short.
  if (waiting_overflowed_ && waiting_.size() < kMaxWaiting / 2) {
    waiting_overflowed_ = false;
    scan();
  }
  waiting_gauge_.Set(static_cast<double>(waiting_.size()));
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
