#include "collector/alerts/alert_notifier.h"

#include <curl/curl.h>
#include <pthread.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <utility>

#include "collector/common/log.h"

#ifndef AGENTMETRICS_VERSION
#define AGENTMETRICS_VERSION "0.0.0"
#endif

namespace agentmetrics::alerts {
namespace {

using agentmetrics::LogLevel;
using std::chrono::milliseconds;

// The outcome of one HTTP attempt.
struct Attempt {
  bool sent = false;       // 2xx
  bool retryable = false;  // connection error, timeout, 408, 429, 5xx
  bool aborted = false;    // stop() cut it short
  long status = 0;         // 0: no answer
  std::string error;       // libcurl's reason when there was no answer
  std::string response;    // the start of the answer's body, for the log
  milliseconds retry_after{0};
};

struct Response {
  std::string body;  // the first bytes only, for the log
  milliseconds retry_after{0};
};

constexpr std::size_t kBodyKept = 256;

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<Response*>(user);
  const size_t bytes = size * count;
  if (response->body.size() < kBodyKept) response->body.append(data, std::min(bytes, kBodyKept - response->body.size()));
  return bytes;
}

// Retry-After in delta-seconds (an HTTP date is ignored: the backoff applies).
size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<Response*>(user);
  const size_t bytes = size * count;
  std::string_view line(data, bytes);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    bool match = true;
    for (size_t i = 0; i < kName.size() && match; ++i) {
      match = std::tolower(static_cast<unsigned char>(line[i])) == kName[i];
    }
    if (match) {
      std::string_view value = line.substr(kName.size());
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
      long long seconds = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
      if (ec == std::errc() && seconds >= 0) response->retry_after = std::chrono::seconds(std::min(seconds, 24LL * 3600));
    }
  }
  return bytes;
}

// libcurl calls this during a transfer (at least about once a second); non-zero aborts it.
int on_progress(void* abort, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::atomic<bool>*>(abort)->load(std::memory_order_relaxed) ? 1 : 0;
}

bool retryable_status(long status) { return status >= 500 || status == 408 || status == 429; }

Attempt post(CURL* curl, const AlertNotifierOptions& options, const std::string& user_agent, std::atomic<bool>& abort,
             const std::string& body) {
  Attempt attempt;
  if (!curl) {
    attempt.error = "cannot create a libcurl handle";
    return attempt;
  }
  Response response;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  curl_easy_reset(curl);                            // keeps the connection cache: the next attempt may reuse it
  curl_easy_setopt(curl, CURLOPT_URL, options.url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);  // other threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &abort);
  const CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) {
    attempt.aborted = code == CURLE_ABORTED_BY_CALLBACK;
    attempt.retryable = !attempt.aborted;
    attempt.error = curl_easy_strerror(code);
    return attempt;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &attempt.status);
  attempt.sent = attempt.status >= 200 && attempt.status < 300;
  attempt.retryable = retryable_status(attempt.status);
  attempt.response = std::move(response.body);
  attempt.retry_after = response.retry_after;
  return attempt;
}

AlertNotifierOptions checked(AlertNotifierOptions options) {
  if (!options.url.empty() && !options.url.starts_with("http://") && !options.url.starts_with("https://")) {
    throw std::invalid_argument("alert webhook URL '" + options.url + "' is not an http:// or https:// URL");
  }
  if (options.max_attempts < 1) throw std::invalid_argument("alert max attempts must be at least 1");
  if (options.timeout <= milliseconds(0)) throw std::invalid_argument("alert timeout must be positive");
  if (options.initial_backoff < milliseconds(0) || options.max_backoff < milliseconds(0)) {
    throw std::invalid_argument("alert backoff must not be negative");
  }
  if (options.queue_capacity == 0) throw std::invalid_argument("alert queue capacity must be at least 1");
  validate(PayloadOptions{options.receiver, options.external_url, options.extra_labels});
  return options;
}

constexpr const char* kNotificationsHelp =
    "KPI alert webhook notifications by outcome: sent (2xx) or failed (retries exhausted, not retryable, "
    "dropped from a full queue, or abandoned at shutdown)";

const char* status_name(const KpiAlert& alert) { return alert.firing ? "firing" : "resolved"; }

}  // namespace

AlertNotifier::AlertNotifier(AlertNotifierOptions options, prometheus::Registry& registry)
    : options_(checked(std::move(options))),
      payload_options_{options_.receiver, options_.external_url, options_.extra_labels},
      user_agent_(options_.user_agent.empty() ? std::string("agentmetrics/") + AGENTMETRICS_VERSION : options_.user_agent),
      sent_(prometheus::BuildCounter()
                .Name("agentmetrics_alert_notifications_total")
                .Help(kNotificationsHelp)
                .Register(registry)
                .Add({{"result", "sent"}})),
      failed_(prometheus::BuildCounter()
                  .Name("agentmetrics_alert_notifications_total")
                  .Help(kNotificationsHelp)
                  .Register(registry)
                  .Add({{"result", "failed"}})),
      retries_(prometheus::BuildCounter()
                   .Name("agentmetrics_alert_notification_retries_total")
                   .Help("KPI alert webhook attempts after the first one of a notification")
                   .Register(registry)
                   .Add({})),
      jitter_(std::random_device{}()) {
  if (!enabled()) return;
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  worker_ = std::thread([this] { run(); });
  pthread_setname_np(worker_.native_handle(), "am-alerts");
}

AlertNotifier::~AlertNotifier() { stop(); }

void AlertNotifier::notify(KpiAlert alert) {
  const auto now = std::chrono::system_clock::now();
  if (!enabled()) {
    agentmetrics::log(LogLevel::kDebug, "alert not sent: no webhook URL",
                      {{"alertname", alert_name(alert.kpi)}, {"window", alert.window}, {"status", status_name(alert)}});
    return;
  }
  if (alert.starts_at == std::chrono::system_clock::time_point{}) alert.starts_at = now;
  if (!alert.firing && !alert.ends_at) alert.ends_at = now;
  std::optional<KpiAlert> dropped;  // built under the lock, logged after it
  bool stopped = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      stopped = true;
      dropped = std::move(alert);
    } else {
      if (queue_.size() >= options_.queue_capacity) {
        dropped = std::move(queue_.front());
        queue_.pop_front();
      }
      queue_.push_back(std::move(alert));
    }
  }
  if (!stopped) wake_.notify_one();
  if (dropped) {
    failed_.Increment();
    agentmetrics::log(
        LogLevel::kWarn,
        stopped ? "alert notification dropped: notifier stopped" : "alert notification dropped: queue full, oldest alert pushed out",
        {{"alertname", alert_name(dropped->kpi)},
         {"window", dropped->window},
         {"status", status_name(*dropped)},
         {"queue_capacity", options_.queue_capacity}});
  }
}

void AlertNotifier::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    abort_.store(true, std::memory_order_relaxed);
  }
  wake_.notify_all();
  // Concurrent callers queue here: the first joins, the others find nothing left to join.
  std::lock_guard join_lock(join_mutex_);
  if (worker_.joinable()) worker_.join();
}

void AlertNotifier::run() {
  CURL* curl = curl_easy_init();  // one handle for the worker's life: connections are reused
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    KpiAlert alert = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    try {
      deliver(curl, alert);
    } catch (const std::exception& e) {  // nothing may escape the thread
      failed_.Increment();
      agentmetrics::log(LogLevel::kError, "alert notification failed",
                        {{"alertname", alert_name(alert.kpi)}, {"window", alert.window}, {"error", e.what()}});
    }
    lock.lock();
  }
  std::deque<KpiAlert> abandoned;
  abandoned.swap(queue_);
  lock.unlock();
  if (curl) curl_easy_cleanup(curl);
  for (const auto& alert : abandoned) {
    failed_.Increment();
    agentmetrics::log(LogLevel::kWarn, "alert notification abandoned: notifier stopped",
                      {{"alertname", alert_name(alert.kpi)}, {"window", alert.window}, {"status", status_name(alert)}});
  }
}

void AlertNotifier::deliver(void* handle, const KpiAlert& alert) {
  using Outcome = AttemptReport::Outcome;
  // Invalid UTF-8 in a name becomes U+FFFD rather than an exception.
  const std::string body =
      build_alertmanager_payload(alert, payload_options_).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const std::string alertname = alert_name(alert.kpi);
  for (int attempt_number = 1;; ++attempt_number) {
    if (attempt_number > 1) retries_.Increment();
    const Attempt attempt = post(static_cast<CURL*>(handle), options_, user_agent_, abort_, body);
    Outcome outcome = Outcome::kRetrying;
    if (attempt.sent) {
      outcome = Outcome::kSent;
    } else if (attempt.aborted) {
      outcome = Outcome::kAbandoned;
    } else if (!attempt.retryable || attempt_number >= options_.max_attempts) {
      outcome = Outcome::kFailed;
    }
    const milliseconds delay = outcome == Outcome::kRetrying ? backoff(attempt_number, attempt.retry_after) : milliseconds(0);
    if (options_.on_attempt) options_.on_attempt(AttemptReport{alert, attempt_number, attempt.status, attempt.error, outcome, delay});

    switch (outcome) {
      case Outcome::kSent:
        sent_.Increment();
        agentmetrics::log(LogLevel::kInfo, "alert notification sent",
                          {{"alertname", alertname},
                           {"window", alert.window},
                           {"status", status_name(alert)},
                           {"attempts", attempt_number},
                           {"http_status", attempt.status}});
        return;
      case Outcome::kAbandoned:
        failed_.Increment();
        agentmetrics::log(
            LogLevel::kWarn, "alert notification abandoned: notifier stopped during the request",
            {{"alertname", alertname}, {"window", alert.window}, {"status", status_name(alert)}, {"attempts", attempt_number}});
        return;
      case Outcome::kFailed:
        failed_.Increment();
        agentmetrics::log(LogLevel::kError,
                          attempt.retryable ? "alert notification failed: attempts exhausted" : "alert notification failed: not retryable",
                          {{"alertname", alertname},
                           {"window", alert.window},
                           {"status", status_name(alert)},
                           {"attempts", attempt_number},
                           {"http_status", attempt.status},
                           {"error", attempt.error},
                           {"response", attempt.response},
                           {"url", options_.url}});
        return;
      case Outcome::kRetrying: break;
    }
    agentmetrics::log(LogLevel::kWarn, "alert notification attempt failed, retrying",
                      {{"alertname", alertname},
                       {"window", alert.window},
                       {"status", status_name(alert)},
                       {"attempt", attempt_number},
                       {"http_status", attempt.status},
                       {"error", attempt.error},
                       {"response", attempt.response},
                       {"retry_in_ms", static_cast<long long>(delay.count())}});
    if (!sleep_unless_stopped(delay)) {
      failed_.Increment();
      agentmetrics::log(LogLevel::kWarn, "alert notification abandoned: notifier stopped before the next attempt",
                        {{"alertname", alertname}, {"window", alert.window}, {"status", status_name(alert)}, {"attempts", attempt_number}});
      return;
    }
  }
}

milliseconds AlertNotifier::backoff(int attempt, milliseconds retry_after) {
  // initial_backoff * 2^(attempt-1), capped; then a wait drawn from [half, all] of it so that
  // several collectors that failed together do not retry together.
  milliseconds base = options_.initial_backoff;
  for (int i = 1; i < attempt && base < options_.max_backoff; ++i) base *= 2;
  base = std::min(base, options_.max_backoff);
  std::uniform_int_distribution<long long> draw(base.count() / 2, base.count());
  milliseconds delay(draw(jitter_));
  if (retry_after > delay) delay = std::min(retry_after, options_.max_backoff);
  return delay;
}

bool AlertNotifier::sleep_unless_stopped(milliseconds delay) {
  std::unique_lock lock(mutex_);
  return !wake_.wait_for(lock, delay, [&] { return stopping_; });
}

}  // namespace agentmetrics::alerts
