// Posts KPI alerts to a webhook in Alertmanager's format (see alertmanager_payload.h), off the
// caller's thread: notify() only queues; one worker thread sends with libcurl and retries.
//
// Delivery: 2xx is sent. A connection error, a timeout, 408, 429 and 5xx are retried with
// exponential backoff and jitter (initial_backoff doubling up to max_backoff, each wait drawn
// from [half, all] of that; a longer Retry-After in seconds is honoured up to max_backoff)
// until max_attempts attempts have been made. Any other status (3xx, 4xx) is not retried.
//
// Every alert handed to an enabled notifier ends as exactly one of
//   agentmetrics_alert_notifications_total{result="sent"}    delivered (2xx), or
//   agentmetrics_alert_notifications_total{result="failed"}  given up, not retryable, pushed
//                                                             out of a full queue, or
//                                                             abandoned by stop();
// and agentmetrics_alert_notification_retries_total counts the attempts after each first one.
// Each failure is logged (warn or error) with the alert and the reason.
//
// Thread safety: notify() and stop() may be called from any thread, concurrently. The queue
// and the stop flag are guarded by one mutex; the worker alone owns the curl handle and the
// random generator; the counters are prometheus-cpp counters (atomic).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include "collector/alerts/alert.h"
#include "collector/alerts/alertmanager_payload.h"

namespace agentmetrics::alerts {

// What one HTTP attempt came to, for AlertNotifierOptions::on_attempt.
struct AttemptReport {
  enum class Outcome {
    kSent,       // 2xx
    kRetrying,   // failed; the next attempt follows after retry_in
    kFailed,     // failed for good: not retryable, or the last attempt
    kAbandoned,  // cut short by stop()
  };
  const KpiAlert& alert;
  int attempt;        // 1 for the first
  long http_status;   // 0: no answer (connection error, timeout, aborted)
  std::string error;  // libcurl's reason when there was no answer
  Outcome outcome;
  std::chrono::milliseconds retry_in{0};
};

struct AlertNotifierOptions {
  std::string url;                          // http:// or https://; empty: disabled (notify() only logs at debug)
  std::chrono::milliseconds timeout{5000};  // per attempt: connect, send and answer
  int max_attempts = 5;                     // the first attempt included; >= 1
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{60000};
  LabelSet extra_labels;     // added to every alert (see PayloadOptions)
  std::string external_url;  // the collector's own base URL, for externalURL/generatorURL
  std::string receiver = "agentmetrics";
  std::size_t queue_capacity = 256;  // alerts waiting; beyond, the oldest is dropped (failed)
  std::string user_agent;            // empty: "agentmetrics/<version>"
  // Called on the worker thread after each attempt (tests, diagnostics). It must return
  // quickly and must not call stop() (the worker would wait for itself).
  std::function<void(const AttemptReport&)> on_attempt;
};

class AlertNotifier {
 public:
  // Registers the two counter families in `registry` (which must outlive the notifier) and,
  // if options.url is set, starts the worker thread. Throws std::invalid_argument for a
  // malformed option (URL scheme, max_attempts < 1, negative durations, zero queue capacity,
  // an invalid or reserved extra label).
  AlertNotifier(AlertNotifierOptions options, prometheus::Registry& registry);
  ~AlertNotifier();  // stop()
  AlertNotifier(const AlertNotifier&) = delete;
  AlertNotifier& operator=(const AlertNotifier&) = delete;

  // Queues the alert and returns at once: never waits for the network nor for the worker
  // beyond a short lock. A recovery without ends_at (and an alert without starts_at) is
  // stamped with the current time here. Disabled or stopped: logged and dropped (stopped
  // also counts it failed).
  void notify(KpiAlert alert);

  // Stops the worker: a backoff wait ends at once, a request in flight is aborted (libcurl
  // checks about once a second, and the request is bounded by `timeout` anyway), alerts still
  // queued are counted failed and logged. Idempotent; also called by the destructor.
  void stop();

  bool enabled() const { return !options_.url.empty(); }
  const AlertNotifierOptions& options() const { return options_; }

 private:
  void run();
  void deliver(void* curl, const KpiAlert& alert);
  std::chrono::milliseconds backoff(int attempt, std::chrono::milliseconds retry_after);
  bool sleep_unless_stopped(std::chrono::milliseconds delay);  // false: stopping

  const AlertNotifierOptions options_;
  PayloadOptions payload_options_;
  std::string user_agent_;
  prometheus::Counter& sent_;
  prometheus::Counter& failed_;
  prometheus::Counter& retries_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<KpiAlert> queue_;  // guarded by mutex_
  bool stopping_ = false;       // guarded by mutex_
  // A copy of stopping_ that libcurl's progress callback reads without the lock.
  std::atomic<bool> abort_{false};
  std::mt19937_64 jitter_;  // the worker's alone
  std::mutex join_mutex_;   // one joiner at a time
  std::thread worker_;
};

}  // namespace agentmetrics::alerts
