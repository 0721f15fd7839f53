// The process-wide client: owns the segment, the declared families and series, and the
// thread-to-ring assignment. Everything here is off the hot path except publish().
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "ipc/record.h"
#include "agent/segment_writer.h"
#include "ipc/string_table.h"

namespace agentmetrics::agent {

// A declaration that does not fit the segment's string table: the collector could never learn
// the series, so nothing is declared (AM_STRING_TABLE_FULL in the C ABI).
class StringTableFull : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Client {
 public:
  static Client& instance();

  // Returns the id of the family, declaring it if new. Throws std::invalid_argument for a bad
  // declaration or one that conflicts with an earlier one of the same name, StringTableFull
  // when a new one does not fit the segment.
  std::uint32_t declare_family(ipc::FamilyDecl family);
  // Returns the id of the series, declaring it if new. Throws std::invalid_argument for label
  // values that do not fit the family, StringTableFull when a new one does not fit the segment.
  std::uint32_t declare_series(std::uint32_t family_id, std::vector<std::string> label_values);
  const ipc::FamilyDecl& family(std::uint32_t family_id);

  bool connected();
  std::string last_error();
  std::uint64_t dropped_events();
  void count_local_drop() { local_drops_.fetch_add(1, std::memory_order_relaxed); }

  // Gives the calling thread a ring of the current segment (or none); called by the hot path
  // when its cached ring belongs to an older epoch.
  ipc::RingSlot* attach_thread(std::uint64_t& epoch_out, ipc::SegmentHeader*& header_out);
  void count_unringed_drop();
  // Who this process is to the store: a random id (new in a forked child) and the number of its
  // next outcome event. (producer_id, sequence) names an event for the store's deduplication.
  std::uint64_t producer_id() const { return producer_id_.load(std::memory_order_relaxed); }
  std::uint64_t next_sequence() { return sequence_.fetch_add(1, std::memory_order_relaxed) + 1; }
  // Bumped whenever the segment is replaced (in a forked child), so threads re-attach.
  // Relaxed loads suffice on the hot path: a thread that sees a new epoch re-attaches under
  // the mutex, which orders everything else; one that sees the old epoch is in the parent.
  static std::atomic<std::uint64_t> epoch;

 private:
  Client();
  void ensure_segment_locked();
  bool append_locked(std::span<const std::byte> entry);
  // Appends a new declaration's entry; throws StringTableFull (and counts it) when the segment
  // exists and cannot take it. Without a segment the entry waits for one, as records do.
  void append_new_locked(std::vector<std::byte> entry);
  void on_fork_prepare();
  void on_fork_parent();
  void on_fork_child();

  std::mutex mutex_;
  std::unique_ptr<SegmentWriter> segment_;
  // The same writer, for the lock-free drop path (release on store, acquire on load).
  std::atomic<SegmentWriter*> live_segment_{nullptr};
  bool table_full_ = false;
  bool segment_attempted_ = false;
  std::string error_;
  // Every entry ever declared, so that a forked child can replay them into its own segment.
  std::vector<std::vector<std::byte>> entries_;
  std::vector<ipc::FamilyDecl> families_;
  std::unordered_map<std::string, std::uint32_t> family_by_name_;
  std::map<std::pair<std::uint32_t, std::vector<std::string>>, std::uint32_t> series_by_labels_;
  std::uint32_t series_count_ = 0;
  // Events dropped with no segment to count them in (relaxed: a statistic).
  std::atomic<std::uint64_t> local_drops_{0};
  // Relaxed: each is a self-contained value; the fork handler resets both while no other
  // thread exists in the child.
  std::atomic<std::uint64_t> producer_id_{0};
  std::atomic<std::uint64_t> sequence_{0};
};

// The hot path: put one record in the calling thread's ring. Never blocks, never allocates.
void publish(const ipc::Record& record) noexcept;
// Puts a frame (a kFrameBegin slot and the payload) in the ring as one unit, or drops it whole.
// Returns false if it was dropped. payload.size() <= ipc::kMaxFramePayloadBytes.
bool publish_frame(std::uint32_t kind, std::span<const std::byte> payload) noexcept;

}  // namespace agentmetrics::agent
