#include "collector/store/store_writer.h"

#include <pthread.h>

#include "collector/common/log.h"
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

double unix_now() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

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
      healthy_gauge_(gauge(registry, "agentmetrics_store_healthy", "1 when the last store commit succeeded")) {
  healthy_gauge_.Set(1);
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
  if (healthy_.exchange(false, std::memory_order_relaxed)) log(LogLevel::kError, what, {{"store", options_.path}, {"error", error}});
  healthy_gauge_.Set(0);
  std::lock_guard lock(error_mutex_);
  last_error_ = error;
}

bool StoreWriter::open_store() {
  if (store_) return true;
  try {
    ensure_store_directory(options_.path);
    store_ = SqliteEventStore::open(options_.path, SqliteEventStore::Mode::kReadWrite);
  } catch (const StoreError& e) {
    report_failure(e.what(), "the store cannot be opened; metrics are served meanwhile and opening is retried");
    return false;
  }
  return true;
}

bool StoreWriter::commit(std::vector<PendingOutcome>& batch) {
  if (!open_store()) {
    failures_.Increment();
    return false;
  }
  std::vector<ipc::OutcomeEvent> events, replacing;
  events.reserve(batch.size());
  for (auto& p : batch) {
    if (p.acks) (p.replace ? replacing : events).push_back(p.event);
  }
  try {
    const double now = unix_now();
    const std::size_t future = dated_after(events, now) + dated_after(replacing, now);
    const std::size_t added = store_->store_batch(events, replacing, now);
    clamped_.Increment(static_cast<double>(future));
    stored_.Increment(static_cast<double>(added));
    if (added > 0 && on_commit_) on_commit_();
    duplicates_.Increment(static_cast<double>(events.size() + replacing.size() - added));
  } catch (const StoreError& e) {
    failures_.Increment();
    report_failure(e.what(), "store commit failed; will retry");
    return false;
  }
  if (!healthy_.exchange(true, std::memory_order_relaxed)) log(LogLevel::kInfo, "store commits again", {{"store", options_.path}});
  healthy_gauge_.Set(1);
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
  while (true) {
    const bool stopping = stopping_.load(std::memory_order_acquire);
    if (batch.size() < kMaxBatch) {
      const std::size_t n =
          queue_.wait_dequeue_bulk_timed(items, std::min<std::size_t>(std::size(items), kMaxBatch - batch.size()),
                                         batch.empty() && !stopping ? std::chrono::microseconds(std::chrono::seconds(1)) : kBatchWait);
      if (batch.empty() && n > 0) batch_started = std::chrono::steady_clock::now();
      for (std::size_t i = 0; i < n; ++i) batch.push_back(std::move(items[i]));
      queued_.Set(static_cast<double>(queue_.size_approx()));
      // Keep filling while events flow.
      if (n > 0 && batch.size() < kMaxBatch && !stopping && std::chrono::steady_clock::now() - batch_started < kMaxBatchAge) continue;
    }
    if (!batch.empty()) {
      if (commit(batch)) {
        batch.clear();
      } else if (stopping && std::chrono::steady_clock::now() >= stop_deadline_) {
        log(LogLevel::kError, "stopping with uncommitted outcome events; their rings still hold them", {{"count", batch.size()}});
        return;
      } else {
        std::this_thread::sleep_for(stopping ? std::chrono::milliseconds(50) : options_.retry_delay);
      }
      continue;
    }
    if (stopping && queue_.size_approx() == 0) return;
    open_store();  // when it failed before: the store is usable again soon after it can be
    if (std::chrono::steady_clock::now() >= next_retention) {
      apply_retention();
      next_retention = std::chrono::steady_clock::now() + kRetentionInterval;
    }
  }
}

}  // namespace agentmetrics::store
