// The directory where producers publish segments, and which of its files the collector holds,
// shared by discovery (which attaches) and the drain workers (which reclaim).
//
// A file is held once, whatever its names: by its device and inode, so a segment hard-linked
// under many names or renamed in a loop is attached once. How many files are held is bounded in
// all, per owner, and by the descriptors the process may open (each held file keeps one), less
// a reserve for the HTTP listener, the store and the event loop. Files refused for what they
// are (not a segment, a foreign owner, a broken format) are remembered while unchanged, so a
// junk file renamed in a loop costs one look, not one per name.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace agentmetrics::collector {

struct SegmentLimits {
  std::size_t max_segments = 1024;       // attached at once, in all
  std::size_t max_per_owner = 512;       // attached at once, of one owner (file uid)
  std::size_t descriptor_reserve = 256;  // descriptors never taken by segments
};

// A file as the directory tells files apart: the same inode with the same size and time of
// change is the same file, whatever its name.
struct SegmentFile {
  dev_t dev = 0;
  ino_t ino = 0;
  uid_t owner = 0;
  off_t size = 0;
  std::int64_t mtime_ns = 0;
  static SegmentFile of(const struct stat& st);
};

// Why a file cannot be held now: which bound is reached.
enum class SegmentRoom { kAvailable, kAllSegments, kOwner, kDescriptors };
// "segments", "owner", "descriptors" (the `reason` label of agentmetrics_segments_deferred_total).
std::string_view to_label(SegmentRoom room);

class SegmentDirectory;

// A file held by the collector; its place is given back when this is destroyed.
class SegmentHold {
 public:
  SegmentHold() = default;
  SegmentHold(SegmentHold&& other) noexcept;
  SegmentHold& operator=(SegmentHold&& other) noexcept;
  ~SegmentHold();
  SegmentHold(const SegmentHold&) = delete;
  SegmentHold& operator=(const SegmentHold&) = delete;

  explicit operator bool() const { return directory_ != nullptr; }
  const SegmentFile& file() const { return file_; }
  // The file is not to be attached again while unchanged (it broke the format): its release
  // remembers it as refused.
  void refuse() { refuse_ = true; }

 private:
  friend class SegmentDirectory;
  SegmentHold(SegmentDirectory* directory, const SegmentFile& file) : directory_(directory), file_(file) {}
  SegmentDirectory* directory_ = nullptr;
  SegmentFile file_{};
  bool refuse_ = false;
};

class SegmentDirectory {
 public:
  // Throws std::system_error if the directory cannot be opened.
  SegmentDirectory(std::string path, std::string ns, SegmentLimits limits = {});
  ~SegmentDirectory();
  SegmentDirectory(const SegmentDirectory&) = delete;
  SegmentDirectory& operator=(const SegmentDirectory&) = delete;

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  const std::string& ns() const { return ns_; }
  // A published segment's name in our namespace.
  bool is_segment_name(std::string_view name) const;

  // Whether a file of `owner` would fit now, else the bound that stops it.
  SegmentRoom room_for(uid_t owner) const;
  // Holds `file` if it is not held under another name and there is room. An empty hold with
  // kAvailable: it is held already.
  SegmentHold hold(const SegmentFile& file, SegmentRoom& room);
  bool held(const SegmentFile& file) const;
  std::size_t held_count() const;
  // The bound on segments in all now: the configured one, or fewer when the descriptor limit
  // (RLIMIT_NOFILE, less the reserve) is lower.
  std::size_t segment_limit() const;
  // True once after a hold was given back since the last call: deferred segments may fit now.
  bool take_room_freed() { return room_freed_.exchange(false, std::memory_order_acq_rel); }

  // Files refused for what they are, remembered (the most recent kRememberedRefusals) while
  // unchanged.
  bool refused(const SegmentFile& file) const;
  void refuse(const SegmentFile& file);
  static constexpr std::size_t kRememberedRefusals = 4096;

  // Removes every segment name of ours under which `file` is in the directory: a reclaimed
  // segment under whatever names it was given. `known_name` is tried first.
  void remove(const SegmentFile& file, const std::string& known_name) const;

 private:
  friend class SegmentHold;
  void release(const SegmentFile& file, bool refuse);
  SegmentRoom room_locked(uid_t owner) const;

  struct FileKey {
    dev_t dev;
    ino_t ino;
    bool operator==(const FileKey&) const = default;
  };
  struct FileKeyHash {
    std::size_t operator()(const FileKey& k) const { return std::hash<std::uint64_t>{}(k.ino * 0x9e3779b97f4a7c15ULL ^ k.dev); }
  };
  struct Refusal {
    FileKey key;
    off_t size;
    std::int64_t mtime_ns;
    bool operator==(const Refusal&) const = default;
  };
  struct RefusalHash {
    std::size_t operator()(const Refusal& r) const {
      return FileKeyHash{}(r.key) ^ std::hash<std::int64_t>{}(r.mtime_ns + static_cast<std::int64_t>(r.size));
    }
  };

  std::string path_;
  std::string ns_;
  SegmentLimits limits_;
  int fd_ = -1;
  mutable std::mutex mutex_;
  std::unordered_map<FileKey, uid_t, FileKeyHash> held_;
  std::unordered_map<uid_t, std::size_t> held_per_owner_;
  std::unordered_set<Refusal, RefusalHash> refused_;
  std::deque<Refusal> refusal_order_;  // oldest first, to forget beyond kRememberedRefusals
  std::atomic<bool> room_freed_{false};
};

}  // namespace agentmetrics::collector
