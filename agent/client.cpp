#include "agent/client.h"

#include "ipc/doorbell.h"
#include "ipc/spsc_ring.h"

#include <pthread.h>
#include <sys/random.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

namespace agentmetrics::agent {
namespace {

// What the calling thread publishes into. Initial-exec TLS: one load from the thread pointer,
// no __tls_get_addr call, which is what keeps publish() at a few nanoseconds.
struct ThreadRing {
  ipc::RingSlot* slot = nullptr;
  ipc::SegmentHeader* header = nullptr;  // of the segment the ring is in, for the doorbell
  std::size_t ring_capacity = 0;         // the segment's, copied so a push reads no shared line for it
  std::uint64_t epoch = 0;
};
thread_local ThreadRing t_ring __attribute__((tls_model("initial-exec")));

// Gives the thread's ring back when the thread exits (a trivially destructible thread_local
// cannot). The key's value remembers the epoch so a forked child never touches the parent's.
struct RingLease {
  ipc::RingSlot* slot;
  std::uint64_t epoch;
};
pthread_key_t g_lease_key;

void release_lease(void* p) {
  auto* lease = static_cast<RingLease*>(p);
  if (lease->slot && lease->epoch == Client::epoch.load(std::memory_order_relaxed)) {
    SegmentWriter::release_ring(lease->slot);
  }
  t_ring = ThreadRing{};
  delete lease;
}

bool same_shape(const ipc::FamilyDecl& a, const ipc::FamilyDecl& b) {
  return a.type == b.type && a.help == b.help && a.label_names == b.label_names && a.buckets == b.buckets;
}

}  // namespace

std::atomic<std::uint64_t> Client::epoch{1};

Client& Client::instance() {
  // Never destroyed: threads may still publish while static destructors run at exit.
  static Client* client = new Client();
  return *client;
}

namespace {

std::uint64_t random_producer_id() {
  std::uint64_t id = 0;
  while (id == 0) {
    if (::getrandom(&id, sizeof(id), 0) != static_cast<ssize_t>(sizeof(id))) {
      // No entropy source: the pid and the clock still tell processes of one host apart.
      id = (static_cast<std::uint64_t>(::getpid()) << 40) ^
           static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    }
  }
  return id;
}

}  // namespace

Client::Client() : producer_id_(random_producer_id()) {
  pthread_key_create(&g_lease_key, release_lease);
  pthread_atfork([] { instance().on_fork_prepare(); }, [] { instance().on_fork_parent(); }, [] { instance().on_fork_child(); });
}

void Client::on_fork_prepare() { mutex_.lock(); }
void Client::on_fork_parent() { mutex_.unlock(); }

void Client::on_fork_child() {
  // The child must not write into its parent's rings: drop the inherited segment and make
  // every thread (there is one) attach to a fresh one, created and replayed on first use.
  if (segment_) segment_->abandon_after_fork();
  live_segment_.store(nullptr, std::memory_order_relaxed);
  segment_.reset();
  segment_attempted_ = false;
  table_full_ = false;
  epoch.fetch_add(1, std::memory_order_relaxed);
  // The child's events are its own: a fresh identity, so they never collide with the parent's.
  producer_id_.store(random_producer_id(), std::memory_order_relaxed);
  sequence_.store(0, std::memory_order_relaxed);
  mutex_.unlock();
}

void Client::ensure_segment_locked() {
  if (segment_ || segment_attempted_) return;
  segment_attempted_ = true;
  try {
    segment_ = SegmentWriter::create(SegmentOptions::from_environment());
    error_.clear();
  } catch (const std::exception& e) {
    error_ = e.what();
    return;
  }
  // Release: a thread that loads the pointer (acquire) sees an initialised writer.
  live_segment_.store(segment_.get(), std::memory_order_release);
  for (const auto& entry : entries_) {
    if (!append_locked(entry)) break;
  }
}

bool Client::append_locked(std::span<const std::byte> entry) {
  if (!segment_) return false;
  // Entries must reach the segment in id order with no gap, so the first one that does not
  // fit closes the table for good.
  if (table_full_ || !segment_->append_entry(entry)) {
    table_full_ = true;
    error_ = "the string table of " + segment_->path() + " is full (" + std::to_string(segment_->string_table_capacity()) +
             " bytes): no new family or series can be declared; AGENTMETRICS_STRING_TABLE_BYTES sets a larger one";
    return false;
  }
  return true;
}

void Client::append_new_locked(std::vector<std::byte> entry) {
  entries_.push_back(std::move(entry));
  if (append_locked(entries_.back()) || !segment_) return;
  // Ids are dense: the refused entry must not stay for a forked child to replay.
  entries_.pop_back();
  segment_->count_refused_series();
  throw StringTableFull(error_);
}

std::uint32_t Client::declare_family(ipc::FamilyDecl family) {
  family.family_id = 0;
  if (auto why = ipc::check_family(family); !why.empty()) throw std::invalid_argument(why);
  std::lock_guard lock(mutex_);
  if (auto it = family_by_name_.find(family.name); it != family_by_name_.end()) {
    if (!same_shape(families_[it->second], family)) {
      throw std::invalid_argument("metric '" + family.name + "' was already declared with another type, help, labels or buckets");
    }
    return it->second;
  }
  // A segment created now replays the earlier entries; this one is appended after them.
  ensure_segment_locked();
  family.family_id = static_cast<std::uint32_t>(families_.size());
  append_new_locked(ipc::encode_entry(family));
  family_by_name_.emplace(family.name, family.family_id);
  families_.push_back(std::move(family));
  return families_.back().family_id;
}

std::uint32_t Client::declare_series(std::uint32_t family_id, std::vector<std::string> label_values) {
  std::lock_guard lock(mutex_);
  if (family_id >= families_.size()) throw std::invalid_argument("unknown family");
  ipc::SeriesDecl series{series_count_, family_id, std::move(label_values)};
  if (auto why = ipc::check_series(series, families_[family_id]); !why.empty()) throw std::invalid_argument(why);
  auto key = std::make_pair(family_id, series.label_values);
  if (auto it = series_by_labels_.find(key); it != series_by_labels_.end()) return it->second;
  ensure_segment_locked();
  append_new_locked(ipc::encode_entry(series));
  series_by_labels_.emplace(std::move(key), series.series_id);
  ++series_count_;
  return series.series_id;
}

const ipc::FamilyDecl& Client::family(std::uint32_t family_id) {
  std::lock_guard lock(mutex_);
  return families_.at(family_id);
}

bool Client::connected() {
  std::lock_guard lock(mutex_);
  ensure_segment_locked();
  return segment_ != nullptr;
}

std::string Client::last_error() {
  std::lock_guard lock(mutex_);
  return error_;
}

std::uint64_t Client::dropped_events() {
  std::lock_guard lock(mutex_);
  return local_drops_.load(std::memory_order_relaxed) + (segment_ ? segment_->dropped_in_segment() : 0);
}

ipc::RingSlot* Client::attach_thread(std::uint64_t& epoch_out, ipc::SegmentHeader*& header_out) {
  std::lock_guard lock(mutex_);
  ensure_segment_locked();
  epoch_out = epoch.load(std::memory_order_relaxed);
  header_out = segment_ ? segment_->header() : nullptr;
  ipc::RingSlot* slot = segment_ ? segment_->claim_ring() : nullptr;
  if (slot) {
    pthread_setspecific(g_lease_key, new RingLease{slot, epoch_out});
  } else if (segment_ && segment_->ring_reservation_failed()) {
    error_ = "cannot reserve a ring in " + segment_->path() +
             " (is its file system full?): this thread's events are counted as dropped; AGENTMETRICS_RING_EVENTS sets smaller rings";
  }
  return slot;
}

void Client::count_unringed_drop() {
  if (SegmentWriter* s = live_segment_.load(std::memory_order_acquire)) {
    s->count_unringed_drop();
  } else {
    count_local_drop();
  }
}

namespace {

inline ThreadRing& ring_of_this_thread() noexcept {
  ThreadRing& t = t_ring;
  if (t.epoch != Client::epoch.load(std::memory_order_relaxed)) [[unlikely]] {
    try {
      t.slot = Client::instance().attach_thread(t.epoch, t.header);
    } catch (...) {
      t.slot = nullptr;
    }
    if (t.slot != nullptr) t.ring_capacity = t.header->descriptor.ring_capacity;
  }
  return t;
}

void count_ring_drop(ipc::RingSlot* slot) noexcept {
  auto& dropped = slot->control.dropped;
  dropped.store(dropped.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

}  // namespace

void publish(const ipc::Record& record) noexcept {
  ThreadRing& t = ring_of_this_thread();
  if (t.slot == nullptr) [[unlikely]] {
    Client::instance().count_unringed_drop();
    return;
  }
  if (!ipc::SpscRing(*t.slot, t.ring_capacity).push(record)) [[unlikely]] {
    count_ring_drop(t.slot);
    return;
  }
  ipc::wake_consumer_if_sleeping(*t.header);
}

bool publish_frame(std::uint32_t kind, std::span<const std::byte> payload) noexcept {
  if (payload.size() > ipc::kMaxFramePayloadBytes) return false;
  ipc::Record slots[ipc::kMaxFramePayloadSlots + 1];
  const auto payload_slots = static_cast<std::uint16_t>((payload.size() + sizeof(ipc::Record) - 1) / sizeof(ipc::Record));
  slots[0] = ipc::Record{kind, static_cast<std::uint16_t>(ipc::Op::kFrameBegin), payload_slots, static_cast<double>(payload.size())};
  std::memset(&slots[1], 0, payload_slots * sizeof(ipc::Record));
  std::memcpy(&slots[1], payload.data(), payload.size());
  const std::size_t n = payload_slots + 1u;

  ThreadRing& t = ring_of_this_thread();
  if (t.slot == nullptr) {
    Client::instance().count_unringed_drop();
    return false;
  }
  if (!ipc::SpscRing(*t.slot, t.ring_capacity).push_all(slots, n)) {
    count_ring_drop(t.slot);
    return false;
  }
  ipc::wake_consumer_if_sleeping(*t.header);
  return true;
}

}  // namespace agentmetrics::agent
