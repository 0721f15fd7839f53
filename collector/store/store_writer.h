// The store thread: the one writer of the event store. Drain threads submit decoded outcome
// events through a moodycamel queue (never blocking); the thread commits them in batches, one
// transaction each, then acknowledges them to their rings. When the store fails (disk full,
// read-only) it keeps the batch, reports itself unhealthy and tries again, so nothing a ring
// accepted is lost while the collector lives, and nothing is acknowledged that is not stored.
#pragma once

#include <concurrentqueue/blockingconcurrentqueue.h>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "collector/store/sqlite_event_store.h"
#include "collector/store/outcome_sink.h"

namespace agentmetrics::store {

struct StoreOptions {
  std::string path;
  std::chrono::seconds retention{std::chrono::hours(90 * 24)};  // by the time of receipt
  std::chrono::milliseconds retry_delay{1000};                  // after a failed commit
};

class StoreWriter final : public OutcomeSink {
 public:
  // Tries to open the store now; while it cannot be opened (a read-only or full disk, a bad
  // path) the writer is unhealthy, keeps what it is given and tries again at each commit.
  StoreWriter(StoreOptions options, prometheus::Registry& registry);
  ~StoreWriter() override;

  void submit(PendingOutcome outcome) override;
  std::size_t queued() const override { return queue_.size_approx(); }
  // Called on the store thread after each commit that stored something; set before start().
  void on_commit(std::function<void()> listener) { on_commit_ = std::move(listener); }
  void start();
  // Commits what is queued (trying until `deadline` if the store fails), then stops.
  void stop(std::chrono::milliseconds deadline = std::chrono::milliseconds(5000));

  // False after a failed commit, until one succeeds.
  bool healthy() const { return healthy_.load(std::memory_order_relaxed); }
  std::string last_error() const;
  const std::string& path() const { return options_.path; }

 private:
  void run();
  bool open_store();
  bool commit(std::vector<PendingOutcome>& batch);
  void report_failure(const std::string& error, const char* what);
  void apply_retention();

  StoreOptions options_;
  std::unique_ptr<SqliteEventStore> store_;
  moodycamel::BlockingConcurrentQueue<PendingOutcome> queue_;
  // Set by stop() (release) and read by the thread (acquire).
  std::atomic<bool> stopping_{false};
  std::chrono::steady_clock::time_point stop_deadline_{};
  // Relaxed: a status flag read by /health; nothing is published through it.
  std::atomic<bool> healthy_{true};
  mutable std::mutex error_mutex_;
  std::string last_error_;
  std::thread thread_;
  std::function<void()> on_commit_;

  prometheus::Counter& stored_;
  prometheus::Counter& duplicates_;
  prometheus::Counter& failures_;
  prometheus::Counter& retired_;
  prometheus::Counter& clamped_;  // dated after their receipt
  prometheus::Gauge& queued_;
  prometheus::Gauge& healthy_gauge_;
};

}  // namespace agentmetrics::store
