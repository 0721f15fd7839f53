#include "collector/store/store_writer.h"

#include <pthread.h>

#include "collector/common/log.h"
#include "collector/common/unix_time.h"
#include "collector/store/store_factory.h"
#include "collector/store/store_location.h"

namespace agentmetrics::store {
namespace {

constexpr std::size_t kMaxBatch = 1024;
// A batch is committed once it is full or the queue has been quiet this long, so an event is
// durable (and its ring slot released) within a few milliseconds.
constexpr auto kBatchWait = std::chrono::milliseconds(2);
// ... and a steady trickle cannot hold a batch open for longer than this.
constexpr auto kMaxBatchAge = std::chrono::milliseconds(20);
constexpr auto kRetentionInterval = std::chrono::hours(1);
// How many spooled events one turn of the thread replays: more than a turn can add, so the spool
// shrinks while events keep coming.
constexpr std::size_t kReplayChunk = 4 * kMaxBatch;

prometheus::Counter& counter(prometheus::Registry& registry, const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

prometheus::Gauge& gauge(prometheus::Registry& registry, const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

}  // namespace

StoreWriter::StoreWriter(StoreOptions options, prometheus::Registry& registry)
    : options_(std::move(options)),
      stored_(counter(registry, "agentmetrics_outcome_events_stored_total", "Outcome events committed to the store")),
      duplicates_(counter(registry, "agentmetrics_outcome_events_duplicate_total",
                          "Outcome events the store already had (read again after a restart)")),
      failures_(counter(registry, "agentmetrics_store_commit_failures_total", "Store commits that failed and were retried")),
      retired_(counter(registry, "agentmetrics_outcome_events_retired_total", "Outcome events removed by the retention policy")),
      clamped_(counter(registry, "agentmetrics_outcome_events_future_dated_total",
                       "Outcome events dated after the store received them, stored as happening when received")),
      queued_(gauge(registry, "agentmetrics_store_queue_events", "Outcome events waiting for the store")),
      healthy_gauge_(gauge(registry, "agentmetrics_store_healthy", "1 when the last store commit succeeded")),
      spooled_total_(counter(registry, "agentmetrics_store_spooled_total",
                             "Outcome events written to the local spool while the team store was unreachable")),
      replayed_(counter(registry, "agentmetrics_store_spool_replayed_total", "Spooled outcome events replayed into the team store")),
      spool_events_(gauge(registry, "agentmetrics_store_spool_events", "Outcome events waiting in the local spool")) {
  name_ = store_name({options_.url, options_.path});
  healthy_gauge_.Set(1);
  if (!options_.url.empty()) {
    // Events a previous run spooled are replayed first.
    try {
      ensure_store_directory(options_.spool_path);
      spool_ = std::make_unique<StoreSpool>(options_.spool_path, options_.spool_limit);
      spooled_count_.store(spool_->size(), std::memory_order_relaxed);
      spool_events_.Set(static_cast<double>(spool_->size()));
    } catch (const StoreError& e) {
      log(LogLevel::kError, "the spool cannot be opened; while the team store is unreachable, events wait in their rings",
          {{"spool", options_.spool_path}, {"error", e.what()}});
    }
  }
  open_store();
}

StoreWriter::~StoreWriter() { stop(); }

void StoreWriter::submit(PendingOutcome outcome) { queue_.enqueue(std::move(outcome)); }

void StoreWriter::start() {
  thread_ = std::thread([this] {
    try {
      run();
    } catch (const std::exception& e) {
      healthy_.store(false, std::memory_order_relaxed);
      healthy_gauge_.Set(0);
      log(LogLevel::kError, "store thread stopped", {{"error", e.what()}});
    }
  });
  pthread_setname_np(thread_.native_handle(), "am-store");
}

void StoreWriter::stop(std::chrono::milliseconds deadline) {
  if (!thread_.joinable()) return;
  stop_deadline_ = std::chrono::steady_clock::now() + deadline;
  stopping_.store(true, std::memory_order_release);
  queue_.enqueue(PendingOutcome{});  // wakes the thread; an empty item is skipped
  thread_.join();
}

std::string StoreWriter::last_error() const {
  std::lock_guard lock(error_mutex_);
  return last_error_;
}

void StoreWriter::report_failure(const std::string& error, const char* what) {
  if (healthy_.exchange(false, std::memory_order_relaxed)) log(LogLevel::kError, what, {{"store", name_}, {"error", error}});
  healthy_gauge_.Set(0);
  std::lock_guard lock(error_mutex_);
  last_error_ = error;
}

bool StoreWriter::open_store() {
  if (store_) return true;
  try {
    if (options_.url.empty()) ensure_store_directory(options_.path);
    store_ = open_event_store({options_.url, options_.path}, StoreAccess::kReadWrite);
  } catch (const StoreError& e) {
    report_failure(e.what(), "the store cannot be opened; metrics are served meanwhile and opening is retried");
    return false;
  }
  return true;
}

void StoreWriter::stored_again() {
  if (!healthy_.exchange(true, std::memory_order_relaxed)) log(LogLevel::kInfo, "store commits again", {{"store", name_}});
  healthy_gauge_.Set(1);
  std::lock_guard lock(error_mutex_);
  last_error_.clear();
}

bool StoreWriter::spool(std::span<const ipc::OutcomeEvent> events, std::span<const ipc::OutcomeEvent> replacing, double now) {
  if (!spool_) return false;
  try {
    if (!spool_->append(events, replacing, now)) {
      log(LogLevel::kWarn, "the spool is full; outcome events wait in their rings until the team store answers",
          {{"spool", spool_->path()}, {"limit", spool_->limit()}});
      return false;
    }
  } catch (const StoreError& e) {
    log(LogLevel::kError, "the spool cannot be written; outcome events wait in their rings",
        {{"spool", spool_->path()}, {"error", e.what()}});
    return false;
  }
  spooled_total_.Increment(static_cast<double>(events.size() + replacing.size()));
  spooled_count_.store(spool_->size(), std::memory_order_relaxed);
  spool_events_.Set(static_cast<double>(spool_->size()));
  return true;
}

bool StoreWriter::replay() {
  if (!open_store()) return false;
  std::int64_t last_id = 0;
  const auto spooled = spool_->oldest(kReplayChunk, &last_id);
  try {
    // One store_batch per run of events received together, in the spool's order: a replay cut
    // short is simply done again (the store keeps one row per key).
    std::vector<ipc::OutcomeEvent> events, replacing;
    for (std::size_t i = 0; i < spooled.size(); ++i) {
      (spooled[i].replacing ? replacing : events).push_back(spooled[i].event);
      if (i + 1 == spooled.size() || spooled[i + 1].received != spooled[i].received) {
        const std::size_t added = store_->store_batch(events, replacing, spooled[i].received);
        stored_.Increment(static_cast<double>(added));
        duplicates_.Increment(static_cast<double>(events.size() + replacing.size() - added));
        events.clear();
        replacing.clear();
      }
    }
  } catch (const StoreError& e) {
    failures_.Increment();
    report_failure(e.what(), "the team store cannot be written; outcome events are spooled on the local disk");
    return false;
  }
  spool_->remove_through(last_id);
  replayed_.Increment(static_cast<double>(spooled.size()));
  spooled_count_.store(spool_->size(), std::memory_order_relaxed);
  spool_events_.Set(static_cast<double>(spool_->size()));
  if (spool_->size() == 0) log(LogLevel::kInfo, "the spool is replayed into the team store", {{"store", name_}});
  stored_again();
  if (on_commit_) on_commit_();
  return true;
}

bool StoreWriter::commit(std::vector<PendingOutcome>& batch) {
  std::vector<ipc::OutcomeEvent> events, replacing;
  events.reserve(batch.size());
  for (auto& p : batch) {
    if (p.acks) (p.replace ? replacing : events).push_back(p.event);
  }
  const double now = unix_now();
  const std::size_t future = dated_after(events, now) + dated_after(replacing, now);
  // While the spool holds events, later ones queue behind them, so the store gets them in order.
  bool stored = spool_ && spool_->size() > 0 && spool(events, replacing, now);
  if (!stored) {
    if (!open_store()) {
      failures_.Increment();
      stored = spool(events, replacing, now);
      next_replay_ = std::chrono::steady_clock::now() + options_.retry_delay;
    } else {
      try {
        const std::size_t added = store_->store_batch(events, replacing, now);
        stored_.Increment(static_cast<double>(added));
        if (added > 0 && on_commit_) on_commit_();
        duplicates_.Increment(static_cast<double>(events.size() + replacing.size() - added));
        stored = true;
        stored_again();
      } catch (const StoreError& e) {
        failures_.Increment();
        report_failure(e.what(), spool_ ? "the team store cannot be written; outcome events are spooled on the local disk"
                                        : "store commit failed; will retry");
        stored = spool(events, replacing, now);
        next_replay_ = std::chrono::steady_clock::now() + options_.retry_delay;
      }
    }
  }
  if (!stored) return false;
  clamped_.Increment(static_cast<double>(future));
  // Only now may the rings give these slots back to their producers.
  for (auto& p : batch) {
    if (p.acks && p.acks->committed.load(std::memory_order_relaxed) < p.ticket) {
      p.acks->committed.store(p.ticket, std::memory_order_release);
    }
  }
  return true;
}

void StoreWriter::apply_retention() {
  if (!open_store()) return;
  const double cutoff = unix_now() - std::chrono::duration<double>(options_.retention).count();
  try {
    if (const std::size_t removed = store_->delete_received_before(cutoff)) {
      retired_.Increment(static_cast<double>(removed));
      log(LogLevel::kInfo, "old outcome events removed", {{"count", removed}});
    }
  } catch (const StoreError& e) {
    log(LogLevel::kWarn, "retention failed", {{"error", e.what()}});
  }
}

void StoreWriter::run() {
  std::vector<PendingOutcome> batch;
  batch.reserve(kMaxBatch);
  PendingOutcome items[64];
  auto next_retention = std::chrono::steady_clock::now();
  auto batch_started = next_retention;
  // The spool is replayed, and a store that could not be opened is tried again, at most once
  // per retry_delay while it fails. True when the spool was replayed (or tried).
  const auto replay_when_due = [&](bool replaying) {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_replay_) return false;
    if (replaying) {
      if (!replay()) next_replay_ = now + options_.retry_delay;
      return true;
    }
    if (!store_ && !open_store()) next_replay_ = now + options_.retry_delay;
    return false;
  };
  while (true) {
    const bool stopping = stopping_.load(std::memory_order_acquire);
    const bool replaying = spool_ && spool_->size() > 0;
    if (batch.size() < kMaxBatch) {
      const std::size_t n = queue_.wait_dequeue_bulk_timed(
          items, std::min<std::size_t>(std::size(items), kMaxBatch - batch.size()),
          batch.empty() && !stopping && !replaying ? std::chrono::microseconds(std::chrono::seconds(1)) : kBatchWait);
      if (batch.empty() && n > 0) batch_started = std::chrono::steady_clock::now();
      for (std::size_t i = 0; i < n; ++i) batch.push_back(std::move(items[i]));
      queued_.Set(static_cast<double>(queue_.size_approx()));
      // Keep filling while events flow.
      if (n > 0 && batch.size() < kMaxBatch && !stopping && std::chrono::steady_clock::now() - batch_started < kMaxBatchAge) continue;
    }
    if (!batch.empty()) {
      if (commit(batch)) {
        batch.clear();
        // Under a steady flow the thread is rarely idle: the spool is replayed between batches.
        if (replaying && !stopping) replay_when_due(true);
      } else if (stopping && std::chrono::steady_clock::now() >= stop_deadline_) {
        log(LogLevel::kError, "stopping with uncommitted outcome events; their rings still hold them", {{"count", batch.size()}});
        return;
      } else {
        std::this_thread::sleep_for(stopping ? std::chrono::milliseconds(50) : options_.retry_delay);
      }
      continue;
    }
    if (stopping && queue_.size_approx() == 0) return;
    if (replay_when_due(replaying)) continue;
    if (std::chrono::steady_clock::now() >= next_retention) {
      apply_retention();
      next_retention = std::chrono::steady_clock::now() + kRetentionInterval;
    }
  }
}

}  // namespace agentmetrics::store
