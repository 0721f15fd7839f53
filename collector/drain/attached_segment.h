// A producer's segment as the collector holds it: mapped, validated, its string table parsed
// as it grows, its rings drained into a shard. Everything read from the mapping is untrusted;
// a segment that breaks the format or faults is marked failed and is never touched again.
#pragma once

#include <linux/futex.h>
#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "collector/aggregate/family_registry.h"
#include "collector/store/outcome_sink.h"
#include "ipc/rejection_reason.h"
#include "ipc/segment_layout.h"
#include "collector/expose/self_metrics.h"
#include "collector/aggregate/shard.h"

namespace agentmetrics::collector {

struct AttachPolicy {
  std::set<uid_t> allowed_owners;  // file owners whose segments are accepted
};

struct Rejection {
  ipc::SegmentRejection reason;  // for the rejection counter
  std::string detail;            // for the log
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
  // Where outcome events go. Without a sink they are counted and let go.
  void set_outcome_sink(store::OutcomeSink* sink) { sink_ = sink; }
  // Gives the producers back the ring space up to the first frame whose event the store has
  // not committed yet. drain() does this too; call it when not draining (at shutdown).
  void publish_acknowledged();
  // Whether some frame taken from a ring still waits for the store's commit.
  bool has_unacknowledged() const;
  // Reads declarations added to the string table since the last look, so declared series
  // appear (at zero) before their first record.
  void sync_declarations(Shard& shard, FamilyRegistry& registry, SelfMetrics& metrics) { refresh_string_table(shard, registry, metrics); }
  // The doorbell protocol (ipc/doorbell.h). prepare_sleep raises the sleeping flag and fills
  // the futex to wait on; has_pending tells whether any ring holds records; woke lowers the
  // flag again. All false/no-ops on a failed segment.
  bool prepare_sleep(futex_waitv& waiter);
  bool has_pending();
  void woke();
  // Whether the producer registered for the heavy fence (else its wake-ups may be late).
  bool producer_fenced() const { return (descriptor_.flags & ipc::kSegmentFlagMembarrier) != 0; }
  // True once the producer has exited: its lock on the file is gone.
  bool producer_gone() const;
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
  // Removes the file, if it is still the one we mapped.
  void remove_file(int dirfd) const;

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
  dev_t dev_ = 0;
  ino_t ino_ = 0;
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
  // The series this producer declared, kept from expiring while it is attached.
  std::vector<SeriesHold> held_series_;
  std::vector<std::size_t> read_index_;  // how far we have read each ring
  std::vector<std::size_t> published_;   // the read index the producer sees
  // Frames whose events are not committed yet, per ring, in ring order: the ring's slots from
  // the first of them on are not given back to the producer.
  struct PendingFrame {
    std::uint64_t ticket;
    std::size_t position;  // of its kFrameBegin slot
  };
  std::vector<std::deque<PendingFrame>> pending_;
  std::vector<std::shared_ptr<store::RingAcks>> acks_;
  std::vector<std::uint64_t> tickets_;  // the last ticket given, per ring
  store::OutcomeSink* sink_ = nullptr;
  std::uint64_t drops_seen_ = 0;
  std::uint64_t refused_seen_ = 0;
  // What a producer's monotonic counter at `total` adds to `seen`, which it then becomes.
  static std::uint64_t growth(std::uint64_t total, std::uint64_t& seen);
  SelfMetrics::Producer producer_metrics_{};
};

}  // namespace agentmetrics::collector
