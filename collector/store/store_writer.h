// The store thread: the one writer of the event store. Drain threads submit decoded outcome
// events through a moodycamel queue (never blocking); the thread commits them in batches, one
// transaction each, then acknowledges them to their rings. When the store fails (disk full,
// read-only) it keeps the batch, reports itself unhealthy and tries again, so nothing a ring
// accepted is lost while the collector lives, and nothing is acknowledged that is not stored.
// With a team store (PostgreSQL), a batch the database cannot take goes to a bounded spool on the
// local disk (store_spool.h) and is acknowledged once the spool committed it; while the spool
// holds events, new batches join it behind them, and the thread replays it, oldest first, as
// soon as the database answers again. Only when the spool is full do batches wait as above.
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

#include "collector/store/event_store.h"
#include "collector/store/store_spool.h"
#include "collector/store/outcome_sink.h"

namespace agentmetrics::store {

struct StoreOptions {
  std::string path;                                             // the SQLite store
  std::string url{};                                            // a team store (PostgreSQL); when set, `path` is not used
  std::string spool_path{};                                     // with `url`: where events wait while it is unreachable
  std::size_t spool_limit = 1000000;                            // events the spool may hold
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
  // Why the last commit failed (naming a URL without its password).
  std::string last_error() const;
  const std::string& path() const { return options_.path; }
  // How many events wait in the spool (0 without one).
  std::size_t spooled() const { return spooled_count_.load(std::memory_order_relaxed); }

 private:
  void run();
  bool open_store();
  bool commit(std::vector<PendingOutcome>& batch);
  // Commits to the spool (opening it when needed); false when it is full or cannot be written.
  bool spool(std::span<const ipc::OutcomeEvent> events, std::span<const ipc::OutcomeEvent> replacing, double now);
  // Replays a few batches from the spool into the store; false when the store failed.
  bool replay();
  void stored_again();
  void report_failure(const std::string& error, const char* what);
  void apply_retention();

  StoreOptions options_;
  std::unique_ptr<EventStore> store_;
  std::string name_;  // the store's path, or its URL without the password
  std::unique_ptr<StoreSpool> spool_;
  std::chrono::steady_clock::time_point next_replay_{};
  // Relaxed: a figure for /health.
  std::atomic<std::size_t> spooled_count_{0};
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
  prometheus::Counter& spooled_total_;
  prometheus::Counter& replayed_;
  prometheus::Gauge& spool_events_;
};

}  // namespace agentmetrics::store
