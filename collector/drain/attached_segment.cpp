#include "collector/drain/attached_segment.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

#include "collector/drain/fault_guard.h"
#include "collector/common/log.h"
#include "ipc/outcome_event.h"
#include "ipc/segment_validator.h"
#include "ipc/string_table.h"

namespace agentmetrics::collector {
namespace {

constexpr std::size_t kBatch = 256;
constexpr std::size_t kMaxBatchesPerRing = 64;  // per drain pass, so one busy ring cannot starve others
constexpr std::size_t kMaxRecordsPerPass = kBatch * kMaxBatchesPerRing;

}  // namespace

std::variant<std::unique_ptr<AttachedSegment>, Rejection> AttachedSegment::attach(int dirfd, const std::string& name,
                                                                                  const AttachPolicy& policy) {
  std::unique_ptr<AttachedSegment> s(new AttachedSegment());
  s->name_ = name;
  // O_NOFOLLOW: a link planted in the directory cannot point us at another file. O_NONBLOCK:
  // opening a FIFO planted there cannot hang us.
  s->fd_ = ::openat(dirfd, name.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (s->fd_ < 0) return Rejection{ipc::SegmentRejection::kOpenFailed, std::strerror(errno), errno};
  struct stat st {};
  if (::fstat(s->fd_, &st) != 0 || !S_ISREG(st.st_mode)) return Rejection{ipc::SegmentRejection::kOpenFailed, "not a regular file"};
  if (!policy.allowed_owners.contains(st.st_uid)) {
    return Rejection{ipc::SegmentRejection::kForeignOwner, "owned by uid " + std::to_string(st.st_uid) + ", which is not an allowed owner"};
  }
  s->file_ = SegmentFile::of(st);
  const auto file_size = static_cast<std::uint64_t>(st.st_size);
  if (file_size < sizeof(ipc::SegmentHeader))
    return Rejection{ipc::SegmentRejection::kTruncated, "file of " + std::to_string(file_size) + " bytes"};

  ipc::SegmentDescriptor d{};
  if (::pread(s->fd_, &d, sizeof(d), 0) != static_cast<ssize_t>(sizeof(d)))
    return Rejection{ipc::SegmentRejection::kTruncated, "cannot read the header"};
  const ipc::SegmentCheck check = ipc::validate_descriptor(d, file_size);
  if (!check.ok) return Rejection{check.label, check.reason};
  s->descriptor_ = d;

  void* base = ::mmap(nullptr, d.segment_size, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd_, 0);
  if (base == MAP_FAILED) return Rejection{ipc::SegmentRejection::kOpenFailed, std::string("mmap: ") + std::strerror(errno), errno};
  s->base_ = static_cast<std::byte*>(base);
  s->size_ = d.segment_size;
  s->read_index_.assign(d.ring_count, 0);
  s->published_.assign(d.ring_count, 0);
  s->frames_.resize(d.ring_count);
  s->ring_live_.assign(d.ring_count, 0);
  // Each live ring starts from where earlier consumers (a collector that was restarted) left it.
  if (!s->find_live_rings()) {
    return Rejection{s->failure_.value_or(ipc::SegmentRejection::kRingIndex), s->failure_detail_};
  }
  return s;
}

bool AttachedSegment::find_live_rings() {
  if (live_rings_ == descriptor_.ring_count) return true;
  const auto rings_end = static_cast<off_t>(descriptor_.segment_size);
  const auto first = static_cast<off_t>(descriptor_.rings_offset);
  const auto stride = static_cast<off_t>(descriptor_.ring_stride);
  auto start_ring = [&](std::uint32_t i) {
    if (ring_live_[i]) return true;
    std::size_t read = 0;
    std::size_t write = 0;
    if (!guarded([&] {
          read = slot(i)->indices.read.load(std::memory_order_relaxed);
          write = slot(i)->indices.write.load(std::memory_order_relaxed);
        })) {
      fail(ipc::SegmentRejection::kFault, "fault while reading ring indices");
      return false;
    }
    if (!ipc::ring_indices_valid(write, read, descriptor_.ring_capacity)) {
      fail(ipc::SegmentRejection::kRingIndex, "ring " + std::to_string(i) + " has indices out of range");
      return false;
    }
    read_index_[i] = published_[i] = read;
    ring_live_[i] = 1;
    ++live_rings_;
    return true;
  };
  // The file's data regions (SEEK_DATA/SEEK_HOLE): a ring is live when its first page is in one.
  for (off_t at = first; at < rings_end;) {
    const off_t data = ::lseek(fd_, at, SEEK_DATA);
    if (data < 0) {
      if (errno == ENXIO) break;  // only holes from here on
      // A file system that cannot tell: every ring is taken as live.
      for (std::uint32_t i = 0; i < descriptor_.ring_count; ++i) {
        if (!start_ring(i)) return false;
      }
      return true;
    }
    const off_t hole = ::lseek(fd_, data, SEEK_HOLE);
    const off_t end = hole < 0 ? rings_end : hole;
    for (off_t ring = std::max<off_t>(0, (data - first + stride - 1) / stride);
         first + ring * stride < end && ring < descriptor_.ring_count; ++ring) {
      if (!start_ring(static_cast<std::uint32_t>(ring))) return false;
    }
    at = end;
  }
  return true;
}

void AttachedSegment::sync_declarations(Shard& shard, FamilyRegistry& registry, SelfMetrics& metrics) {
  refresh_string_table(shard, registry, metrics);
  // Rings a producer started without ringing (the flag was down) are found here.
  if (doorbell_ != Doorbell::kArmed) find_live_rings();
}

AttachedSegment::~AttachedSegment() {
  if (failure_) hold_.refuse();
  if (base_) ::munmap(base_, size_);
  if (fd_ >= 0) ::close(fd_);
}

ipc::RingSlot* AttachedSegment::slot(std::uint32_t ring) const {
  return reinterpret_cast<ipc::RingSlot*>(base_ + descriptor_.rings_offset + ring * descriptor_.ring_stride);
}

std::string AttachedSegment::program() const {
  std::string out;
  for (char c : descriptor_.program) {
    if (c == '\0') break;
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return out;
}

void AttachedSegment::fail(ipc::SegmentRejection reason, std::string detail) {
  if (failure_) return;
  failure_ = reason;
  failure_detail_ = std::move(detail);
}

bool AttachedSegment::prepare_sleep(futex_waitv& waiter, bool& raised) {
  if (failed()) return false;
  auto* header = reinterpret_cast<ipc::SegmentHeader*>(base_);
  if (doorbell_ != Doorbell::kArmed) {
    std::uint32_t was_up = 0;
    const bool ok = guarded([&] {
      // seq_cst, then the caller's heavy fence, then has_pending(): see ipc/doorbell.h.
      was_up = header->consumer_sleeping.exchange(1, std::memory_order_seq_cst);
      bell_ = header->doorbell.load(std::memory_order_acquire);
    });
    if (!ok) {
      fail(ipc::SegmentRejection::kFault, "fault while preparing to sleep");
      return false;
    }
    // Up all along since raised_at_ (not rung meanwhile): no new race with a producer's push.
    raised_now_ = was_up == 0 || doorbell_ == Doorbell::kAwake;
    if (raised_now_) {
      raised_at_ = std::chrono::steady_clock::now();
      fenced_since_raise_ = false;
      raised = true;
    }
    doorbell_ = Doorbell::kRaised;
  }
  waiter = futex_waitv{bell_, reinterpret_cast<std::uint64_t>(&header->doorbell), FUTEX_32, 0};
  return true;
}

bool AttachedSegment::rang() {
  auto* header = reinterpret_cast<ipc::SegmentHeader*>(base_);
  bool rung = false;
  // Acquire: a producer takes the flag down (acq_rel) after its push, so seeing it down makes
  // the push visible to the drain that follows.
  const bool ok = guarded([&] {
    rung = header->consumer_sleeping.load(std::memory_order_acquire) == 0 || header->doorbell.load(std::memory_order_acquire) != bell_;
  });
  if (!ok) fail(ipc::SegmentRejection::kFault, "fault while reading the doorbell");
  return rung || !ok;
}

bool AttachedSegment::has_pending(bool fenced) {
  if (failed()) return false;
  if (std::exchange(raised_now_, false)) fenced_since_raise_ = fenced;
  if (doorbell_ == Doorbell::kArmed) {
    if (!rang()) return false;
    doorbell_ = Doorbell::kAwake;
    return find_live_rings() && !failed();
  }
  bool pending = false;
  const bool ok = guarded([&] {
    for (std::uint32_t i = 0; i < descriptor_.ring_count && !pending; ++i) {
      pending = ring_live_[i] && slot(i)->indices.write.load(std::memory_order_acquire) != read_index_[i];
    }
  });
  if (!ok) {
    fail(ipc::SegmentRejection::kFault, "fault while checking the rings");
    return false;
  }
  if (pending) {
    doorbell_ = Doorbell::kAwake;
  } else if (doorbell_ == Doorbell::kRaised &&
             ((fenced_since_raise_ && producer_fenced()) || std::chrono::steady_clock::now() - raised_at_ >= kDoorbellSettle)) {
    doorbell_ = Doorbell::kArmed;
  }
  return pending;
}

void AttachedSegment::woke() {
  if (failed() || doorbell_ != Doorbell::kAwake) return;
  auto* header = reinterpret_cast<ipc::SegmentHeader*>(base_);
  // Relaxed: lowering the flag of a segment about to be drained only spares its producer a
  // needless wake-up; a producer that still sees 1 rings once more, which is harmless, and the
  // next prepare_sleep raises it seq_cst again.
  if (!guarded([&] { header->consumer_sleeping.store(0, std::memory_order_relaxed); }))
    fail(ipc::SegmentRejection::kFault, "fault while waking");
}

bool AttachedSegment::producer_gone() {
  // The producer holds an OFD write lock for as long as it lives; the kernel drops it when the
  // process dies, however it dies, and a reused pid cannot hold it.
  struct flock probe {};
  probe.l_type = F_RDLCK;
  probe.l_whence = SEEK_SET;
  if (::fcntl(fd_, F_OFD_GETLK, &probe) != 0 || probe.l_type != F_UNLCK) return false;
  doorbell_ = Doorbell::kAwake;
  find_live_rings();
  return true;
}

std::uint64_t AttachedSegment::take_new_drops() {
  if (failed()) return 0;
  std::uint64_t total = 0;
  // A ring drops only when full; an armed segment's rings were empty and every push since has
  // rung, so its rings' counters have not moved (unless frames hold ring space for the store).
  const bool rings_unchanged = doorbell_ == Doorbell::kArmed && pending_frames_ == 0;
  const bool ok = guarded([&] {
    total = reinterpret_cast<ipc::SegmentHeader*>(base_)->unringed_drops.load(std::memory_order_relaxed);
    if (!rings_unchanged) {
      ring_drops_ = 0;
      for (std::uint32_t i = 0; i < descriptor_.ring_count; ++i) {
        if (ring_live_[i]) ring_drops_ += slot(i)->control.dropped.load(std::memory_order_relaxed);
      }
    }
  });
  total += ring_drops_;
  if (!ok) {
    fail(ipc::SegmentRejection::kFault, "fault while reading drop counters");
    return 0;
  }
  return growth(total, drops_seen_);
}

std::uint64_t AttachedSegment::take_new_refused_series() {
  if (failed()) return 0;
  std::uint64_t total = 0;
  if (!guarded([&] { total = reinterpret_cast<ipc::SegmentHeader*>(base_)->series_refused.load(std::memory_order_relaxed); })) {
    fail(ipc::SegmentRejection::kFault, "fault while reading the refused-series counter");
    return 0;
  }
  return growth(total, refused_seen_);
}

std::uint64_t AttachedSegment::growth(std::uint64_t total, std::uint64_t& seen) {
  // The producer's counters only grow; a smaller total is a scribbling producer and adds nothing.
  if (total <= seen) return 0;
  const std::uint64_t fresh = total - seen;
  seen = total;
  return fresh;
}

double AttachedSegment::ring_fill() {
  // An armed segment's rings are empty, to the producer too once no frame holds space.
  if (failed() || (doorbell_ == Doorbell::kArmed && pending_frames_ == 0)) return 0;
  std::size_t fullest = 0;
  const bool ok = guarded([&] {
    for (std::uint32_t i = 0; i < descriptor_.ring_count; ++i) {
      if (!ring_live_[i]) continue;
      // Relaxed: a statistic. The write index is checked like any value from the producer.
      const std::size_t write = slot(i)->indices.write.load(std::memory_order_relaxed);
      if (!ipc::ring_indices_valid(write, published_[i], descriptor_.ring_capacity)) continue;
      fullest = std::max(fullest, (write - published_[i]) & descriptor_.ring_capacity);
    }
  });
  if (!ok) fail(ipc::SegmentRejection::kFault, "fault while reading ring indices");
  return static_cast<double>(fullest) / static_cast<double>(descriptor_.ring_capacity);
}

bool AttachedSegment::refresh_string_table(Shard& shard, FamilyRegistry& registry, SelfMetrics& metrics) {
  if (failed()) return false;
  auto* header = reinterpret_cast<ipc::SegmentHeader*>(base_);
  std::uint64_t committed = 0;
  const std::uint64_t have = strtab_copied_;
  bool ok = guarded([&] { committed = header->strtab_committed.load(std::memory_order_acquire); });
  if (!ok) {
    fail(ipc::SegmentRejection::kFault, "fault while reading the string table");
    return false;
  }
  if (committed == have) return true;
  if (committed < have || committed > descriptor_.strtab_capacity) {
    fail(ipc::SegmentRejection::kStringTable, "committed size " + std::to_string(committed) + " is out of range");
    return false;
  }
  // Only the new entries are copied, parsed and dropped: the producer commits whole entries.
  std::vector<std::byte> fresh(committed - have);
  ok = guarded([&] { std::memcpy(fresh.data(), base_ + descriptor_.strtab_offset + have, fresh.size()); });
  if (!ok) {
    fail(ipc::SegmentRejection::kFault, "fault while copying the string table");
    return false;
  }
  strtab_copied_ = committed;
  for (std::size_t at = 0; at < fresh.size();) {
    auto decoded = ipc::decode_entry(std::span<const std::byte>(fresh).subspan(at));
    if (auto* error = std::get_if<ipc::DecodeError>(&decoded)) {
      fail(ipc::SegmentRejection::kStringTable, "entry at byte " + std::to_string(have + at) + ": " + error->reason);
      return false;
    }
    auto& entry = std::get<ipc::DecodedEntry>(decoded);
    at += entry.size;
    if (auto* family = std::get_if<ipc::FamilyDecl>(&entry.decl)) {
      take_entry(*family, registry, metrics);
    } else {
      take_entry(std::get<ipc::SeriesDecl>(entry.decl), shard, registry, metrics);
    }
    if (failed()) return false;
  }
  return true;
}

void AttachedSegment::take_entry(const ipc::FamilyDecl& family, FamilyRegistry& registry, SelfMetrics& metrics) {
  if (family.family_id != families_.size()) {
    fail(ipc::SegmentRejection::kStringTable,
         "family id " + std::to_string(family.family_id) + " where " + std::to_string(families_.size()) + " was due");
    return;
  }
  const RegisteredFamily* registered = nullptr;
  std::string why = ipc::check_family(family);
  if (why.empty()) {
    auto result = registry.register_family(family);
    if (auto* r = std::get_if<const RegisteredFamily*>(&result)) {
      registered = *r;
    } else {
      why = std::get<std::string>(result);
    }
  }
  if (!registered) {
    metrics.record_invalid(ipc::InvalidRecord::kRejectedFamily).Increment();
    log(LogLevel::kWarn, "family refused", {{"segment", name_}, {"reason", why}});
  }
  families_.push_back(Family{family, registered});
}

void AttachedSegment::take_entry(const ipc::SeriesDecl& series, Shard& shard, FamilyRegistry& registry, SelfMetrics& metrics) {
  if (series.series_id != series_.size() || series.family_id >= families_.size()) {
    fail(ipc::SegmentRejection::kStringTable,
         "series id " + std::to_string(series.series_id) + " of family " + std::to_string(series.family_id) + " is out of order");
    return;
  }
  const Family& family = families_[series.family_id];
  SeriesAggregate* aggregate = nullptr;
  if (family.registered) {
    if (std::string why = ipc::check_series(series, family.decl); why.empty()) {
      Admission admission = registry.acquire_series(*family.registered, series.label_values);
      if (admission.refused != SeriesRefusal::kNone) {
        metrics.series_overflowed(family.decl.name).Increment();
        metrics.series_bounded(admission.refused).Increment();
      }
      aggregate = shard.aggregate(*admission.series);
      held_series_.push_back(std::move(admission.series));
    } else {
      metrics.record_invalid(ipc::InvalidRecord::kRejectedFamily).Increment();
      log(LogLevel::kWarn, "series refused", {{"segment", name_}, {"reason", why}});
    }
  }
  series_.push_back(aggregate);
}

std::size_t AttachedSegment::pop(std::uint32_t ring_number, ipc::Record* out, std::size_t max) {
  // Only our own indices and one validated load of the write index steer the copy (a producer
  // may change the shared read index at any moment), and every slot position is masked by the
  // validated capacity. It does not give the slots back: publish_read_index() does, once their
  // frames are stored.
  ipc::RingSlot& ring = *slot(ring_number);
  const std::size_t mask = descriptor_.ring_capacity;
  const std::size_t read = read_index_[ring_number];
  std::size_t write = 0;
  std::size_t shared_read = 0;
  std::size_t taken = 0;
  const bool ok = guarded([&] {
    // Acquire: pairs with the producer's release store of the write index (ipc/spsc_ring.h),
    // so the slots below it are complete. Relaxed for the read index: only we store it, and
    // it is read back only to catch a producer that scribbled on it.
    write = ring.indices.write.load(std::memory_order_acquire);
    shared_read = ring.indices.read.load(std::memory_order_relaxed);
    if (!ipc::ring_indices_valid(write, shared_read, mask) || shared_read != published_[ring_number]) return;
    taken = std::min(max, (write - read) & mask);
    const auto* slots = reinterpret_cast<const ipc::Record*>(reinterpret_cast<const std::byte*>(&ring) + ipc::kRingRecordsOffset);
    const std::size_t first = std::min(taken, mask + 1 - read);
    std::memcpy(out, slots + read, first * sizeof(ipc::Record));
    std::memcpy(out + first, slots, (taken - first) * sizeof(ipc::Record));
  });
  if (!ok) {
    fail(ipc::SegmentRejection::kFault, "fault while draining ring " + std::to_string(ring_number));
    return 0;
  }
  if (!ipc::ring_indices_valid(write, shared_read, mask) || shared_read != published_[ring_number]) {
    fail(ipc::SegmentRejection::kRingIndex,
         "ring " + std::to_string(ring_number) + " indices write=" + std::to_string(write) + " read=" + std::to_string(shared_read));
    return 0;
  }
  read_index_[ring_number] = (read + taken) & mask;
  return taken;
}

void AttachedSegment::publish_read_index(std::uint32_t ring_number) {
  std::size_t target = read_index_[ring_number];
  if (const auto& frames = frames_[ring_number]) {
    const std::uint64_t committed = frames->acks->committed.load(std::memory_order_acquire);
    while (!frames->pending.empty() && frames->pending.front().ticket <= committed) {
      frames->pending.pop_front();
      --pending_frames_;
    }
    if (!frames->pending.empty()) target = frames->pending.front().position;
  }
  if (target == published_[ring_number]) return;
  ipc::RingSlot& ring = *slot(ring_number);
  // Release: pairs with the producer's acquire load of the read index, so it reuses these
  // slots only after they were copied.
  if (!guarded([&] { ring.indices.read.store(target, std::memory_order_release); })) {
    fail(ipc::SegmentRejection::kFault, "fault while releasing ring " + std::to_string(ring_number));
    return;
  }
  published_[ring_number] = target;
}

void AttachedSegment::publish_acknowledged() {
  for (std::uint32_t ring = 0; ring < descriptor_.ring_count && !failed(); ++ring) publish_read_index(ring);
}

bool AttachedSegment::has_unacknowledged() const {
  if (pending_frames_ == 0) return false;
  for (const auto& frames : frames_) {
    if (frames && !frames->pending.empty() && frames->pending.back().ticket > frames->acks->committed.load(std::memory_order_acquire))
      return true;
  }
  return false;
}

bool AttachedSegment::take_frame(std::uint32_t ring, const ipc::Record& begin, std::size_t position) {
  if (begin.series_id != ipc::kOutcomeFrameKind) return false;
  // The length was checked against the frame's slots; the payload follows the begin slot.
  const std::span<const std::byte> payload(reinterpret_cast<const std::byte*>(&begin + 1), static_cast<std::size_t>(begin.value));
  auto decoded = ipc::decode_event(payload);
  auto* event = std::get_if<ipc::OutcomeEvent>(&decoded);
  if (!event || !ipc::check_event(*event).empty()) return false;
  if (!sink_) return true;
  auto& frames = frames_[ring];
  if (!frames) frames = std::make_unique<RingFrames>();
  const std::uint64_t ticket = ++frames->last_ticket;
  frames->pending.push_back(PendingFrame{ticket, position});
  ++pending_frames_;
  sink_->submit(store::PendingOutcome{std::move(*event), frames->acks, ticket});
  return true;
}

std::size_t AttachedSegment::drain_to_end(Shard& shard, FamilyRegistry& registry, SelfMetrics& metrics) {
  // A full ring takes capacity / kMaxRecordsPerPass passes (64 of a default ring); one more for
  // what arrived meanwhile.
  const std::size_t passes = descriptor_.ring_capacity / kMaxRecordsPerPass + 2;
  std::size_t total = 0;
  for (std::size_t pass = 0; pass < passes; ++pass) {
    const std::size_t n = drain(shard, registry, metrics);
    if (n == 0) break;
    total += n;
  }
  return total;
}

std::size_t AttachedSegment::drain(Shard& shard, FamilyRegistry& registry, SelfMetrics& metrics) {
  if (failed()) return 0;
  if (doorbell_ == Doorbell::kArmed) {
    if (!rang()) {
      // Nothing new, but the store may have committed frames whose space is due back.
      if (pending_frames_ > 0) publish_acknowledged();
      return 0;
    }
    doorbell_ = Doorbell::kAwake;
    // It rang: perhaps from a ring it had not used yet.
    if (!find_live_rings()) return 0;
  }
  std::size_t total = 0;
  for (std::uint32_t ring = 0; ring < descriptor_.ring_count && !failed(); ++ring) {
    if (ring_live_[ring]) total += drain_ring(ring, shard, registry, metrics);
  }
  return total;
}

std::size_t AttachedSegment::drain_ring(std::uint32_t ring, Shard& shard, FamilyRegistry& registry, SelfMetrics& metrics) {
  // Room for a full batch plus the rest of a frame that starts in its last slot.
  ipc::Record buffer[kBatch + ipc::kMaxFramePayloadSlots];
  std::size_t total = 0;
  std::uint64_t invalid_unknown = 0, invalid_op = 0, invalid_value = 0, invalid_refused = 0, invalid_frame = 0, frames = 0;
  std::size_t payload_slots = 0;  // a frame is one event however many slots it fills
  for (std::size_t batch = 0; batch < kMaxBatchesPerRing; ++batch) {
    const std::size_t batch_start = read_index_[ring];
    std::size_t n = pop(ring, buffer, kBatch);
    if (n == 0) break;
    total += n;
    shard.begin_batch();
    for (std::size_t i = 0; i < n; ++i) {
      const ipc::Record& r = buffer[i];
      if (r.op == static_cast<std::uint16_t>(ipc::Op::kFrameBegin)) {
        if (r.extra > ipc::kMaxFramePayloadSlots) {
          fail(ipc::SegmentRejection::kRingIndex, "frame of " + std::to_string(r.extra) + " slots is longer than allowed");
          break;
        }
        // A frame is published whole, so its tail is in the ring even if this batch ended.
        const std::size_t missing = (i + 1 + r.extra > n) ? i + 1 + r.extra - n : 0;
        if (missing > 0) {
          const std::size_t got = pop(ring, buffer + n, missing);
          n += got;
          total += got;
          if (got != missing) {
            fail(ipc::SegmentRejection::kRingIndex, "frame of " + std::to_string(r.extra) + " slots is incomplete");
            break;
          }
        }
        const bool length_ok = r.value >= 0 && r.value <= static_cast<double>(r.extra) * sizeof(ipc::Record);
        if (length_ok && take_frame(ring, r, (batch_start + i) & descriptor_.ring_capacity)) {
          ++frames;
        } else {
          ++invalid_frame;
        }
        i += r.extra;
        payload_slots += r.extra;
        continue;
      }
      if (r.series_id >= series_.size()) {
        // Declared after our last look: the declaration happened before this record was
        // pushed, so it is committed now.
        refresh_string_table(shard, registry, metrics);
        if (failed()) break;
        if (r.series_id >= series_.size()) {
          ++invalid_unknown;
          continue;
        }
      }
      SeriesAggregate* s = series_[r.series_id];
      if (!s) {
        ++invalid_refused;
        continue;
      }
      switch (shard.apply(*s, r)) {
        case ApplyResult::kApplied: break;
        case ApplyResult::kWrongOp: ++invalid_op; break;
        case ApplyResult::kBadValue: ++invalid_value; break;
      }
    }
    if (n < kBatch || failed()) break;
  }
  if (!failed()) publish_read_index(ring);
  if (const std::size_t events = total - payload_slots) {
    metrics.events_drained.Increment(static_cast<double>(events));
    if (producer_metrics_.drained) producer_metrics_.drained->Increment(static_cast<double>(events));
  }
  if (frames) metrics.frames_received.Increment(static_cast<double>(frames));
  if (invalid_unknown) metrics.record_invalid(ipc::InvalidRecord::kUnknownSeries).Increment(static_cast<double>(invalid_unknown));
  if (invalid_op) metrics.record_invalid(ipc::InvalidRecord::kWrongOp).Increment(static_cast<double>(invalid_op));
  if (invalid_value) metrics.record_invalid(ipc::InvalidRecord::kBadValue).Increment(static_cast<double>(invalid_value));
  if (invalid_refused) metrics.record_invalid(ipc::InvalidRecord::kRejectedFamily).Increment(static_cast<double>(invalid_refused));
  if (invalid_frame) metrics.record_invalid(ipc::InvalidRecord::kBadFrame).Increment(static_cast<double>(invalid_frame));
  return total;
}

}  // namespace agentmetrics::collector
