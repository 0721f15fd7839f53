#include "collector/drain/drain_worker.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <thread>

#include "ipc/doorbell.h"
#include "collector/common/log.h"
#include "collector/common/thread_memory.h"

namespace agentmetrics::collector {
namespace {

using Clock = std::chrono::steady_clock;
// Liveness of producers, new declarations and drop counters are looked at this often; it is
// also the longest an idle worker sleeps, so an idle collector wakes about once a second.
constexpr auto kHousekeepingInterval = std::chrono::milliseconds(1000);
// While a segment is not yet covered by its doorbell (its producer not reached by the heavy
// fence, its flag just raised: attached_segment.h), the sleep is kept short.
constexpr auto kUnfencedSleep = std::chrono::milliseconds(10);
// While frames wait for the store's commit, the worker looks again this often to give their
// ring space back (the store commits within a few milliseconds).
constexpr auto kAckPoll = std::chrono::milliseconds(5);

}  // namespace

DrainWorker::DrainWorker(std::size_t index, FamilyRegistry& registry, SelfMetrics& metrics, SegmentDirectory& directory, bool use_io_uring,
                         store::OutcomeSink* outcomes, DrainPriority priority)
    : index_(index),
      registry_(registry),
      metrics_(metrics),
      directory_(directory),
      waiter_(make_doorbell_waiter(use_io_uring)),
      heavy_fence_(ipc::heavy_fence_available()),
      outcomes_(outcomes),
      priority_(priority) {
  if (index_ == 0) {
    log(LogLevel::kInfo, "drain threads wait on doorbells",
        {{"with", waiter_->name()}, {"heavy_fence", heavy_fence_ ? "membarrier" : "none"}});
  }
}

DrainWorker::~DrainWorker() {
  stop();
  AttachedSegment* s = nullptr;
  while (inbox_.try_dequeue(s)) delete s;
}

void DrainWorker::wake() {
  wake_word_.fetch_add(1, std::memory_order_release);
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&wake_word_), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

void DrainWorker::adopt(std::unique_ptr<AttachedSegment> segment) {
  inbox_.enqueue(segment.release());
  wake();
}

void DrainWorker::start() {
  last_alive_ns_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
  thread_ = std::thread([this] {
    // A drain thread must not take the daemon down: an exception (out of memory) is logged,
    // and /health reports the thread as stalled once it stops coming round.
    try {
      run();
    } catch (const std::exception& e) {
      log(LogLevel::kError, "drain thread stopped", {{"thread", index_}, {"error", e.what()}});
    }
  });
  const std::string name = "am-drain-" + std::to_string(index_);
  pthread_setname_np(thread_.native_handle(), name.c_str());
}

void DrainWorker::stop() {
  if (!thread_.joinable()) return;
  stopping_.store(true, std::memory_order_release);
  wake();
  thread_.join();
}

void DrainWorker::publish_acknowledged() {
  for (auto& s : segments_) s->publish_acknowledged();
}

void DrainWorker::take_new_segments() {
  AttachedSegment* s = nullptr;
  while (inbox_.try_dequeue(s)) {
    s->set_producer_metrics(metrics_.add_producer(s->program(), std::to_string(s->descriptor().producer_pid), s->name()));
    s->set_outcome_sink(outcomes_);
    segments_.emplace_back(s);
    metrics_.segments_attached.Increment();
  }
}

std::size_t DrainWorker::drain_all() {
  std::size_t total = 0;
  for (auto& s : segments_) total += s->drain(shard_, registry_, metrics_);
  return total;
}

void DrainWorker::drop_segment(std::size_t i, bool remove_file) {
  auto& s = segments_[i];
  if (remove_file) directory_.remove(s->file(), s->name());
  metrics_.remove_producer(s->producer_metrics());
  segments_[i] = std::move(segments_.back());
  segments_.pop_back();
  metrics_.segments_attached.Decrement();
}

void DrainWorker::count_drops(AttachedSegment& s) {
  if (const auto drops = s.take_new_drops()) {
    metrics_.events_dropped.Increment(static_cast<double>(drops));
    s.producer_metrics().dropped->Increment(static_cast<double>(drops));
  }
  if (const auto refused = s.take_new_refused_series()) {
    metrics_.series_refused.Increment(static_cast<double>(refused));
    s.producer_metrics().series_refused->Increment(static_cast<double>(refused));
    log(LogLevel::kWarn, "a producer's string table is full: it refuses new series",
        {{"segment", s.name()}, {"program", s.program()}, {"refused", std::to_string(refused)}});
  }
}

void DrainWorker::housekeeping() {
  for (std::size_t i = segments_.size(); i-- > 0;) {
    AttachedSegment& s = *segments_[i];
    s.sync_declarations(shard_, registry_, metrics_);
    count_drops(s);
    s.producer_metrics().ring_fill->Set(s.ring_fill());
    if (s.failed()) {
      log(LogLevel::kError, "segment abandoned",
          {{"segment", s.name()}, {"reason", std::string(ipc::to_label(*s.failure()))}, {"detail", s.failure_detail()}});
      prometheus::Counter& rejected = metrics_.segment_rejected(*s.failure());
      drop_segment(i, false);  // `s` is gone from here on
      rejected.Increment();
      continue;
    }
    if (s.producer_gone()) {
      // The producer can no longer push: what is in the rings now is all there will be (bounded:
      // another process could still hold the mapping and write).
      s.drain_to_end(shard_, registry_, metrics_);
      count_drops(s);
      // Its last frames must be stored before the file goes, or a crash now would lose them.
      if (s.has_unacknowledged() && !s.failed()) continue;
      log(LogLevel::kInfo, "segment reclaimed", {{"segment", s.name()}, {"pid", s.descriptor().producer_pid}});
      drop_segment(i, !s.failed());
      // After the drop: a scrape that sees the segment reclaimed sees it detached too.
      metrics_.segments_reclaimed.Increment();
    }
  }
  // Series this thread made and housekeeping has since expired were freed on another thread:
  // their pages come back to this thread's allocator only when it looks.
  release_thread_memory();
}

void DrainWorker::sleep_until_rung(std::chrono::milliseconds longest) {
  waiters_.clear();
  bool raised = false;
  for (auto& s : segments_) {
    futex_waitv w{};
    if (s->prepare_sleep(w, raised)) waiters_.push_back(w);
  }
  waiters_.push_back(futex_waitv{wake_word_.load(std::memory_order_acquire), reinterpret_cast<std::uint64_t>(&wake_word_),
                                 FUTEX_32 | FUTEX_PRIVATE_FLAG, 0});
  // The fence is due only when a flag went up now (ipc/doorbell.h).
  const bool fenced = heavy_fence_ && (!raised || ipc::heavy_fence());
  bool pending = inbox_.size_approx() > 0 || stopping_.load(std::memory_order_acquire);
  bool awaiting_store = false;
  // A segment not yet covered by its doorbell (attached_segment.h) is looked at again soon.
  bool covered = true;
  for (auto& s : segments_) {
    pending = pending || s->has_pending(fenced);
    covered = covered && s->doorbell_covers();
    awaiting_store = awaiting_store || s->has_unacknowledged();
  }
  auto sleep = covered ? longest : std::min(longest, kUnfencedSleep);
  if (awaiting_store) sleep = std::min(sleep, std::chrono::duration_cast<std::chrono::milliseconds>(kAckPoll));
  if (!pending) waiter_->wait(waiters_, sleep);
  for (auto& s : segments_) s->woke();
}

void DrainWorker::run() {
  // Naps are short (DrainPace): the default 50 us of timer slack would stretch them.
  ::prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
  DrainPace pace(priority_);
  if (index_ == 0) log(LogLevel::kInfo, "drain threads run at their priority", {{"priority", pace.describe()}});
  auto next_housekeeping = Clock::now();
  while (!stopping_.load(std::memory_order_acquire)) {
    last_alive_ns_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
    take_new_segments();
    const std::size_t drained = drain_all();
    if (Clock::now() >= next_housekeeping) {
      housekeeping();
      next_housekeeping = Clock::now() + kHousekeepingInterval;
    }
    if (drained > 0) {
      // Producers are writing: a nap at their pace lets records pile up, so the next pass takes
      // them in a long batch instead of reading each ring's write index (a cache line its
      // producer writes on every push) as fast as it moves. The doorbell stays silent: the
      // producers are not told we sleep, so they make no system call.
      if (const auto nap = pace.after_pass(drained); nap.count() > 0) std::this_thread::sleep_for(nap);
    } else {
      // Sleep until a doorbell rings, a segment arrives, or housekeeping is due.
      // Rounded up: rounding down would wake it just before housekeeping is due, and again after.
      const auto until_housekeeping = std::chrono::ceil<std::chrono::milliseconds>(next_housekeeping - Clock::now());
      sleep_until_rung(std::max(std::chrono::milliseconds(1), until_housekeeping));
      pace.woke();
    }
  }
  // Final drain: everything producers had pushed when we were told to stop. Bounded, so that a
  // producer that keeps writing cannot hold the shutdown.
  take_new_segments();
  for (auto& s : segments_) s->drain_to_end(shard_, registry_, metrics_);
  housekeeping();
}

}  // namespace agentmetrics::collector
