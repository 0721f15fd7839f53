// The reflection worker: a thread of the collector that runs a reflection (reflection.h) every
// `interval` (cass_memory.reflectionInterval, 24 h by default) and whenever request() asks.
//
// It never stalls the drain or a scrape: each round runs on a short-lived thread that lowers its
// own priority first (SCHED_IDLE, or nice 19 where SCHED_IDLE is refused), while the worker's
// thread waits between rounds at normal priority (a thread left at idle priority would hold up the
// reaping of a killed collector on a busy machine), and it reads with a SQLite connection of its
// own (WAL: its reads never block the store thread). Its writes are short transactions of a few
// hundred rows, paced so that it holds the lock at most half the time, and they run on a second
// thread of normal priority (started by start(), idle in between, with a connection of its own): a
// thread at idle priority that held the store's lock would be starved by a busy machine while the
// collector's store thread waited for it (priority inversion). The first run after a start happens
// when the last recorded run is `interval` old (or `startup_delay` after start if it is overdue or
// there was none). Between runs it refreshes the playbook gauges every `metrics_refresh`.
//
// It reflects through the store seam (learning_store.h) under the store's reflection lease: on
// the embedded store the processes of the machine, on a team store (`team_url`) the sidecars of
// the team, reflect one at a time; a round whose lease another holds is skipped (logged, and
// counted as result="skipped"), and the next is due `interval` after the store's last
// reflection, whoever ran it. A scheduled round finds the team's last reflection first: a team
// reflects once an interval, not once per sidecar.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "collector/learning/reflection.h"

struct sqlite3;

namespace prometheus {
class Registry;
}

namespace agentmetrics::learning {

class LearningMetrics;
class LearningStore;
class WriteHelper;

struct ReflectionWorkerOptions {
  std::string metric_prefix = "opencode";
  ReflectionSettings reflection;
  std::chrono::seconds startup_delay{30};
  std::chrono::seconds metrics_refresh{60};
  // Unix seconds; empty: the system clock.
  std::function<double()> clock;
  // A team store (store.url, postgresql://...): reflect over the team's history in it.
  std::string team_url;
};

enum class WorkerPriority { kNotStarted, kIdle, kNice, kUnchanged };

class ReflectionWorker {
 public:
  // Registers the learning metrics in `registry`, which must outlive the worker. Starts nothing.
  ReflectionWorker(std::string store_path, std::chrono::seconds interval, prometheus::Registry& registry,
                   ReflectionWorkerOptions options = {});
  ~ReflectionWorker();  // stop()
  ReflectionWorker(const ReflectionWorker&) = delete;
  ReflectionWorker& operator=(const ReflectionWorker&) = delete;

  void start();
  // A reflection as soon as the thread is free (coalesced with one already asked for).
  void request();
  // Cancels a running reflection at its next step and joins the thread. Idempotent.
  void stop();
  // A new interval (configuration reload); the next run is rescheduled from the last one.
  void set_interval(std::chrono::seconds interval);

  // Rounds done: reflections run, failed or skipped.
  std::uint64_t runs() const { return runs_.load(); }
  // Rounds skipped because another process held the reflection lease.
  std::uint64_t skipped() const { return skipped_.load(); }
  // Waits until runs() >= n; false on timeout.
  bool wait_for_runs(std::uint64_t n, std::chrono::milliseconds timeout) const;
  std::optional<nlohmann::ordered_json> last_report() const;
  std::string last_error() const;
  // The priority the last round ran at.
  WorkerPriority priority() const { return priority_.load(); }

 private:
  void run();
  void refresh_playbook_gauges(LearningStore& store);
  double now() const;

  const std::string store_path_;
  ReflectionWorkerOptions options_;
  std::unique_ptr<LearningMetrics> metrics_;
  std::unique_ptr<WriteHelper> writer_;

  mutable std::mutex mutex_;
  mutable std::condition_variable wake_;
  mutable std::condition_variable done_;
  std::chrono::seconds interval_;
  bool requested_ = false;
  bool interval_changed_ = false;
  std::optional<nlohmann::ordered_json> last_report_;
  std::string last_error_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> runs_{0};
  std::atomic<std::uint64_t> skipped_{0};
  std::atomic<WorkerPriority> priority_{WorkerPriority::kNotStarted};
  std::thread thread_;
};

}  // namespace agentmetrics::learning
