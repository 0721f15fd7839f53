// A producer's segment as the collector holds it: mapped, validated, its string table parsed
// as it grows, its rings drained into a shard. Everything read from the mapping is untrusted;
// a segment that breaks the format or faults is marked failed and is never touched again.
#pragma once

#include <linux/futex.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "collector/aggregate/family_registry.h"
#include "collector/drain/segment_directory.h"
#include "collector/store/outcome_sink.h"
#include "ipc/rejection_reason.h"
#include "ipc/segment_layout.h"
#include "collector/expose/self_metrics.h"
#include "collector/aggregate/shard.h"

namespace agentmetrics::collector {

// How long after its flag went up a segment whose producer is not reached by the heavy fence
// is taken to be covered by its doorbell: a push made just before the flag went up may not have
// seen it, but is visible by then (a store buffer drains in far less).
inline constexpr std::chrono::milliseconds kDoorbellSettle{5};

struct AttachPolicy {
  std::set<uid_t> allowed_owners;  // file owners whose segments are accepted
};

struct Rejection {
  ipc::SegmentRejection reason;  // for the rejection counter
  std::string detail;            // for the log
  int error = 0;                 // errno, when opening or mapping failed
};

class AttachedSegment {
 public:
  static std::variant<std::unique_ptr<AttachedSegment>, Rejection> attach(int dirfd, const std::string& name, const AttachPolicy& policy);
  ~AttachedSegment();
  AttachedSegment(const AttachedSegment&) = delete;
  AttachedSegment& operator=(const AttachedSegment&) = delete;

  // Drains every ring (a bounded amount per ring, for fairness between segments) into the
  // shard, hands outcome events to the sink, and returns the number of records taken.
  std::size_t drain(Shard& shard, FamilyRegistry& registry, SelfMetrics& metrics);
  // Drains until the rings are empty, for at most the passes that empty full rings (so that a
  // producer that keeps writing cannot hold the caller): for a producer that is gone, and at
  // shutdown. Returns the records taken.
  std::size_t drain_to_end(Shard& shard, FamilyRegistry& registry, SelfMetrics& metrics);
  // Where outcome events go. Without a sink they are counted and let go.
  void set_outcome_sink(store::OutcomeSink* sink) { sink_ = sink; }
  // Gives the producers back the ring space up to the first frame whose event the store has
  // not committed yet. drain() does this too; call it when not draining (at shutdown).
  void publish_acknowledged();
  // Whether some frame taken from a ring still waits for the store's commit.
  bool has_unacknowledged() const;
  // Reads declarations added to the string table since the last look, so declared series
  // appear (at zero) before their first record.
  void sync_declarations(Shard& shard, FamilyRegistry& registry, SelfMetrics& metrics);
  // The doorbell protocol (ipc/doorbell.h). prepare_sleep raises the sleeping flag (setting
  // `raised` if it went up now, so a heavy fence is due) and fills the futex to wait on;
  // has_pending tells whether records wait, `fenced` saying whether the heavy fence ran after
  // the flags that went up in this round; woke lowers the flag of a segment that is to be
  // drained. All false/no-ops on a failed segment.
  //
  // A segment whose rings were all found empty after its flag went up, with the fence or long
  // enough after it (kDoorbellSettle) that no push from before can still be on its way, is
  // covered by its doorbell: any later push rings it. Its flag stays up across wake-ups and
  // drain() and housekeeping skip its rings until it rings, so idle segments cost nothing
  // however many rings they have.
  bool prepare_sleep(futex_waitv& waiter, bool& raised);
  bool has_pending(bool fenced);
  void woke();
  bool doorbell_covers() const { return doorbell_ == Doorbell::kArmed || failed(); }
  // Whether the producer registered for the heavy fence (else its wake-ups may be late).
  bool producer_fenced() const { return (descriptor_.flags & ipc::kSegmentFlagMembarrier) != 0; }
  // True once the producer has exited: its lock on the file is gone. Its rings are then read
  // on every pass whatever its doorbell, which nobody will ring again.
  bool producer_gone();
  // Drops the producer reported since the last call (full rings, no ring).
  std::uint64_t take_new_drops();
  // Declarations the producer refused since the last call: its string table was full.
  std::uint64_t take_new_refused_series();
  // How full the fullest ring is now, 0 to 1 (0 on a failed segment).
  double ring_fill();
  // This producer's own series in the collector's metrics; drain() counts into them.
  void set_producer_metrics(const SelfMetrics::Producer& producer) { producer_metrics_ = producer; }
  const SelfMetrics::Producer& producer_metrics() const { return producer_metrics_; }
  // Set after a fault or a broken rule of the format; the reason is in failure().
  bool failed() const { return failure_.has_value(); }
  std::optional<ipc::SegmentRejection> failure() const { return failure_; }
  const std::string& failure_detail() const { return failure_detail_; }
  // The file as it was when attached, and its place in the directory, given back with the
  // segment (a failed segment's file is then remembered as refused).
  const SegmentFile& file() const { return file_; }
  void keep(SegmentHold hold) { hold_ = std::move(hold); }

  // The name it was attached under (it may have others, or have been renamed since).
  const std::string& name() const { return name_; }
  const ipc::SegmentDescriptor& descriptor() const { return descriptor_; }
  // The producer's program name, printable ASCII only (it comes from the producer).
  std::string program() const;

 private:
  AttachedSegment() = default;
  void fail(ipc::SegmentRejection reason, std::string detail);
  bool refresh_string_table(Shard& shard, FamilyRegistry& registry, SelfMetrics& metrics);
  void take_entry(const ipc::FamilyDecl& family, FamilyRegistry& registry, SelfMetrics& metrics);
  void take_entry(const ipc::SeriesDecl& series, Shard& shard, FamilyRegistry& registry, SelfMetrics& metrics);
  std::size_t pop(std::uint32_t ring, ipc::Record* out, std::size_t max);
  void publish_read_index(std::uint32_t ring);
  // Decodes one frame's payload and hands its event to the sink; false for a bad frame.
  bool take_frame(std::uint32_t ring, const ipc::Record& begin, std::size_t position);
  std::size_t drain_ring(std::uint32_t ring, Shard& shard, FamilyRegistry& registry, SelfMetrics& metrics);
  ipc::RingSlot* slot(std::uint32_t ring) const;

  std::string name_;
  int fd_ = -1;
  SegmentFile file_{};
  SegmentHold hold_;
  std::byte* base_ = nullptr;
  std::size_t size_ = 0;
  ipc::SegmentDescriptor descriptor_{};  // private copy, validated
  std::optional<ipc::SegmentRejection> failure_;
  std::string failure_detail_;

  std::uint64_t strtab_copied_ = 0;  // bytes of the string table taken so far
  struct Family {
    ipc::FamilyDecl decl;
    const RegisteredFamily* registered;  // null: refused
  };
  std::vector<Family> families_;
  std::vector<SeriesAggregate*> series_;  // by series id; null: refused
  // kAwake: the rings are looked at on every pass. kRaised: the flag is up, not yet known to
  // catch every push. kArmed: it does (doorbell_covers).
  enum class Doorbell { kAwake, kRaised, kArmed };
  Doorbell doorbell_ = Doorbell::kAwake;
  std::uint32_t bell_ = 0;  // the doorbell's value when the flag went up
  std::chrono::steady_clock::time_point raised_at_{};
  bool raised_now_ = false;          // the flag went up in this round's prepare_sleep
  bool fenced_since_raise_ = false;  // the heavy fence ran after it went up
  // Whether the producer rang since the flag went up (or took the flag down).
  bool rang();
  // The series this producer declared, kept from expiring while it is attached.
  std::vector<SeriesHold> held_series_;
  std::vector<std::size_t> read_index_;  // how far we have read each ring
  std::vector<std::size_t> published_;   // the read index the producer sees
  // Frames whose events are not committed yet, per ring, in ring order: the ring's slots from
  // the first of them on are not given back to the producer. Made at a ring's first frame, so
  // rings that carry only metric records cost nothing here.
  struct PendingFrame {
    std::uint64_t ticket;
    std::size_t position;  // of its kFrameBegin slot
  };
  struct RingFrames {
    std::deque<PendingFrame> pending;
    std::shared_ptr<store::RingAcks> acks = std::make_shared<store::RingAcks>();
    std::uint64_t last_ticket = 0;
  };
  std::vector<std::unique_ptr<RingFrames>> frames_;
  std::size_t pending_frames_ = 0;  // in all rings
  // Rings whose first page holds data: the producer has written there (its library does for
  // every ring when it makes the segment). Those still a hole are never read, so a sparse segment
  // of many rings costs no memory for rings nobody uses; a ring is looked at again when the
  // producer rings, at housekeeping, and at the end.
  std::vector<std::uint8_t> ring_live_;
  std::uint32_t live_rings_ = 0;
  // Finds rings that have become live and starts them from their indices; false on a bad one.
  bool find_live_rings();
  store::OutcomeSink* sink_ = nullptr;
  std::uint64_t drops_seen_ = 0;
  std::uint64_t ring_drops_ = 0;  // the rings' own drop counters at the last look
  std::uint64_t refused_seen_ = 0;
  // What a producer's monotonic counter at `total` adds to `seen`, which it then becomes.
  static std::uint64_t growth(std::uint64_t total, std::uint64_t& seen);
  SelfMetrics::Producer producer_metrics_{};
};

}  // namespace agentmetrics::collector
