// AlertNotifier against a real HTTP receiver on 127.0.0.1 (in the test process):
// delivery, the Alertmanager body on the wire, retries, backoff, the bounded queue and stop().
// Every wait is on a condition with a generous deadline; every time check is relative to the
// backoff or timeout configured, never an absolute wall-clock figure.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <prometheus/registry.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "collector/alerts/alert_notifier.h"
#include "collector/http/http_server.h"
#include "ipc/timestamp.h"

namespace agentmetrics::alerts {
namespace {

using collector::HttpRequest;
using collector::HttpResponse;
using collector::HttpRoute;

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr auto kDeadline = 20s;  // generous: only a broken notifier comes near it

struct Reply {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct Received {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  Clock::time_point at;
};

// One webhook endpoint at http://127.0.0.1:<port>/hook/<n>. `respond` is called with the
// request's index (0 for the first) on a listener thread; it may call gate() to hold the
// answer until the test calls release() (the destructor releases too).
class Endpoint {
 public:
  explicit Endpoint(std::function<Reply(std::size_t)> respond) : respond_(std::move(respond)) {}

  void set_respond(std::function<Reply(std::size_t)> respond) {
    std::lock_guard lock(mutex_);
    respond_ = std::move(respond);
  }
  std::size_t count() const {
    std::lock_guard lock(mutex_);
    return received_.size();
  }
  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  bool wait_for_count(std::size_t n, std::chrono::nanoseconds timeout) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return received_.size() >= n; });
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    changed_.notify_all();
  }
  void gate() const {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return released_; });
  }

  HttpResponse serve(const HttpRequest& http) {
    Received request;
    request.at = Clock::now();
    request.method = http.method;
    request.path = http.path;
    request.headers = http.headers;
    request.body = http.body;
    std::size_t index = 0;
    std::function<Reply(std::size_t)> respond;
    {
      std::lock_guard lock(mutex_);
      index = received_.size();
      received_.push_back(std::move(request));
      respond = respond_;
    }
    changed_.notify_all();
    const Reply reply = respond(index);
    return HttpResponse{reply.status, "text/plain", reply.headers, "ok\n"};
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::function<Reply(std::size_t)> respond_;
  std::vector<Received> received_;
  bool released_ = false;
};

// One webhook endpoint with a listener of its own on 127.0.0.1:<ephemeral> (the collector's
// HTTP server, whose 8 threads let several answers be held at once).
class Receiver {
 public:
  explicit Receiver(std::function<Reply(std::size_t)> respond = [](std::size_t) { return Reply{}; })
      : endpoint_(std::make_shared<Endpoint>(std::move(respond))),
        path_("/hook/" + std::to_string(++receivers_made)),
        server_(listener_options(),
                {{path_, HttpRoute{[endpoint = endpoint_](const HttpRequest& r) { return endpoint->serve(r); }, {"POST"}}}}) {}
  // Held answers are released before the listener stops: its threads wait for their handlers.
  ~Receiver() { endpoint_->release(); }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_.port()) + path_; }
  const std::string& path() const { return path_; }
  // Replaces the answers; set it before anything is sent.
  void set_respond(std::function<Reply(std::size_t)> respond) { endpoint_->set_respond(std::move(respond)); }
  std::size_t count() const { return endpoint_->count(); }
  std::vector<Received> received() const { return endpoint_->received(); }
  bool wait_for_count(std::size_t n, std::chrono::nanoseconds timeout = kDeadline) const { return endpoint_->wait_for_count(n, timeout); }
  void release() { endpoint_->release(); }
  void gate() const { endpoint_->gate(); }

 private:
  static collector::HttpOptions listener_options() {
    collector::HttpOptions options;
    options.listen_address = "127.0.0.1:0";
    options.request_timeout_ms = 60000;
    return options;
  }
  static inline std::atomic<int> receivers_made{0};

  std::shared_ptr<Endpoint> endpoint_;
  std::string path_;
  collector::HttpServer server_;  // last: it stops, and its handlers finish, before the rest goes
};

// A port on 127.0.0.1 that refuses connections: bound (so nobody else takes it) but not
// listening.
class ClosedPort {
 public:
  ClosedPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) throw std::runtime_error("bind");
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~ClosedPort() { ::close(fd_); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/hook"; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

double counter_value(prometheus::Registry& registry, const std::string& name, const std::string& result = "") {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& metric : family.metric) {
      const bool match = result.empty() ? metric.label.empty()
                                        : (metric.label.size() == 1 && metric.label[0].name == "result" && metric.label[0].value == result);
      if (match) return metric.counter.value;
    }
  }
  return -1;  // not registered
}

struct Counts {
  prometheus::Registry& registry;
  double sent() const { return counter_value(registry, "agentmetrics_alert_notifications_total", "sent"); }
  double failed() const { return counter_value(registry, "agentmetrics_alert_notifications_total", "failed"); }
  double retries() const { return counter_value(registry, "agentmetrics_alert_notification_retries_total"); }
  double done() const { return sent() + failed(); }
};

// What the notifier reported after each attempt (AlertNotifierOptions::on_attempt).
class Attempts {
 public:
  struct Entry {
    int attempt;
    long http_status;
    AttemptReport::Outcome outcome;
    std::chrono::milliseconds retry_in;
  };
  std::function<void(const AttemptReport&)> recorder() {
    return [this](const AttemptReport& report) {
      std::lock_guard lock(mutex_);
      entries_.push_back({report.attempt, report.http_status, report.outcome, report.retry_in});
    };
  }
  std::vector<Entry> entries() const {
    std::lock_guard lock(mutex_);
    return entries_;
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<Entry> entries_;
};

template <typename Condition>
bool eventually(Condition condition, std::chrono::nanoseconds timeout = kDeadline) {
  const auto until = Clock::now() + timeout;
  while (!condition()) {
    if (Clock::now() > until) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

template <typename Duration>
long long ms(Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

KpiAlert coverage_alert(bool firing = true) {
  KpiAlert alert;
  alert.kpi = "code_coverage";
  alert.name = "Code Coverage";
  alert.window = "24h";
  alert.group = "quality";
  alert.severity = "warning";
  alert.firing = firing;
  alert.value = firing ? 72.5 : 81;
  alert.target = 80;
  alert.threshold = 75;
  alert.unit = "%";
  alert.starts_at = std::chrono::sys_seconds{std::chrono::seconds(1714564800)} + 250ms;  // 2024-05-01T12:00:00.25Z
  return alert;
}

KpiAlert numbered_alert(int i) {
  KpiAlert alert = coverage_alert();
  alert.kpi = "kpi_" + std::to_string(i);
  return alert;
}

AlertNotifierOptions fast_options(const std::string& url) {
  AlertNotifierOptions options;
  options.url = url;
  options.timeout = 10s;
  options.max_attempts = 5;
  options.initial_backoff = 10ms;
  options.max_backoff = 100ms;
  options.external_url = "http://collector.example:9090";
  options.extra_labels = {{"cluster", "prod"}};
  return options;
}

TEST(AlertNotifier, FiringAlertArrivesOnceInAlertmanagersShape) {
  Receiver receiver;
  prometheus::Registry registry;
  Counts counts{registry};
  AlertNotifier notifier(fast_options(receiver.url()), registry);
  ASSERT_TRUE(notifier.enabled());
  EXPECT_EQ(counts.sent(), 0);  // registered before anything is sent
  EXPECT_EQ(counts.failed(), 0);
  EXPECT_EQ(counts.retries(), 0);

  notifier.notify(coverage_alert());
  ASSERT_TRUE(eventually([&] { return counts.done() == 1; }));
  notifier.stop();  // nothing more can be sent after this

  EXPECT_EQ(counts.sent(), 1);
  EXPECT_EQ(counts.failed(), 0);
  EXPECT_EQ(counts.retries(), 0);
  const auto received = receiver.received();
  ASSERT_EQ(received.size(), 1u);
  const Received& request = received[0];
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.path, receiver.path());
  EXPECT_EQ(request.headers.at("content-type"), "application/json");
  EXPECT_EQ(request.headers.at("user-agent"), std::string("agentmetrics/") + AGENTMETRICS_VERSION);

  const json body = json::parse(request.body);
  EXPECT_EQ(body["version"], "4");
  EXPECT_EQ(body["status"], "firing");
  EXPECT_EQ(body["receiver"], "agentmetrics");
  EXPECT_EQ(body["truncatedAlerts"], 0);
  EXPECT_EQ(body["externalURL"], "http://collector.example:9090");
  EXPECT_EQ(body["groupKey"], "{}:{alertname=\"KpiCodeCoverage\", kpi=\"code_coverage\", window=\"24h\"}");
  EXPECT_EQ(body["groupLabels"], (json{{"alertname", "KpiCodeCoverage"}, {"kpi", "code_coverage"}, {"window", "24h"}}));
  const json labels = {{"alertname", "KpiCodeCoverage"}, {"cluster", "prod"},     {"group", "quality"},
                       {"kpi", "code_coverage"},         {"severity", "warning"}, {"window", "24h"}};
  EXPECT_EQ(body["commonLabels"], labels);
  ASSERT_TRUE(body["alerts"].is_array());
  ASSERT_EQ(body["alerts"].size(), 1u);
  const json& alert = body["alerts"][0];
  EXPECT_EQ(alert.size(), 7u) << alert.dump();  // status labels annotations startsAt endsAt generatorURL fingerprint
  EXPECT_EQ(alert["status"], "firing");
  EXPECT_EQ(alert["labels"], labels);
  EXPECT_EQ(alert["annotations"]["summary"], "Code Coverage (24h) is below its alert threshold of 75%");
  EXPECT_EQ(alert["annotations"]["description"], "Code Coverage over the last 24h is 72.5% (alert threshold 75%, target 80%).");
  EXPECT_EQ(alert["annotations"]["value"], "72.5");
  EXPECT_EQ(alert["annotations"]["target"], "80");
  EXPECT_EQ(alert["annotations"]["threshold"], "75");
  EXPECT_EQ(alert["annotations"]["unit"], "%");
  EXPECT_EQ(body["commonAnnotations"], alert["annotations"]);
  EXPECT_EQ(alert["startsAt"], "2024-05-01T12:00:00.25Z");
  EXPECT_EQ(alert["endsAt"], "0001-01-01T00:00:00Z");
  EXPECT_EQ(alert["generatorURL"], "http://collector.example:9090/kpi?kpi=code_coverage&window=24h");
  EXPECT_EQ(alert["fingerprint"], "3ed5d598b8b09245");
}

TEST(AlertNotifier, RecoveryArrivesResolvedWithEndsAt) {
  Receiver receiver;
  prometheus::Registry registry;
  Counts counts{registry};
  AlertNotifier notifier(fast_options(receiver.url()), registry);

  KpiAlert recovered = coverage_alert(false);
  recovered.ends_at = std::chrono::sys_seconds{std::chrono::seconds(1714564800)} + 2h;
  notifier.notify(recovered);
  const auto before = std::chrono::system_clock::now();
  notifier.notify(coverage_alert(false));  // no ends_at: stamped by notify()
  const auto after = std::chrono::system_clock::now();
  ASSERT_TRUE(eventually([&] { return counts.done() == 2; }));
  EXPECT_EQ(counts.sent(), 2);

  const auto received = receiver.received();
  ASSERT_EQ(received.size(), 2u);
  const json first = json::parse(received[0].body);
  EXPECT_EQ(first["status"], "resolved");
  EXPECT_EQ(first["alerts"][0]["status"], "resolved");
  EXPECT_EQ(first["alerts"][0]["startsAt"], "2024-05-01T12:00:00.25Z");
  EXPECT_EQ(first["alerts"][0]["endsAt"], "2024-05-01T14:00:00Z");
  EXPECT_EQ(first["alerts"][0]["fingerprint"], "3ed5d598b8b09245");  // the firing alert's
  EXPECT_EQ(first["alerts"][0]["annotations"]["value"], "81");

  // Stamped between the two clock readings around notify() (to the millisecond it is written in).
  const std::string stamped = json::parse(received[1].body)["alerts"][0]["endsAt"];
  const auto stamped_at = ipc::parse_timestamp(stamped);
  ASSERT_TRUE(stamped_at) << stamped;
  const auto unix_seconds = [](std::chrono::system_clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
  };
  EXPECT_GE(*stamped_at, unix_seconds(std::chrono::floor<std::chrono::seconds>(before)));
  EXPECT_LE(*stamped_at, unix_seconds(after + std::chrono::milliseconds(1)));
}

TEST(AlertNotifier, RetriesServerErrorsUntilAccepted) {
  Receiver receiver([](std::size_t i) { return Reply{i < 2 ? 500 : 200, {}}; });
  prometheus::Registry registry;
  Counts counts{registry};
  AlertNotifier notifier(fast_options(receiver.url()), registry);

  notifier.notify(coverage_alert());
  ASSERT_TRUE(eventually([&] { return counts.done() == 1; }));
  notifier.stop();
  EXPECT_EQ(receiver.count(), 3u);
  EXPECT_EQ(counts.sent(), 1);
  EXPECT_EQ(counts.failed(), 0);
  EXPECT_EQ(counts.retries(), 2);
  const auto received = receiver.received();
  EXPECT_EQ(received[1].body, received[0].body);  // the same notification each time
  EXPECT_EQ(received[2].body, received[0].body);
  // Backoff between attempts: at least half of 10 ms, then of 20 ms.
  EXPECT_GE(received[1].at - received[0].at, 5ms);
  EXPECT_GE(received[2].at - received[1].at, 10ms);
}

TEST(AlertNotifier, UnreachableReceiverGetsMaxAttemptsWithoutBlockingTheCaller) {
  ClosedPort closed;
  prometheus::Registry registry;
  Counts counts{registry};
  AlertNotifierOptions options = fast_options(closed.url());
  options.max_attempts = 5;
  options.initial_backoff = 20ms;
  options.max_backoff = 1s;
  // The waits between the 5 attempts are at least half of 20, 40, 80 and 160 ms.
  constexpr auto kLeastBackoff = 10ms + 20ms + 40ms + 80ms;
  Attempts attempts;
  options.on_attempt = attempts.recorder();
  AlertNotifier notifier(options, registry);

  const auto start = Clock::now();
  notifier.notify(coverage_alert());
  const auto notify_took = Clock::now() - start;
  ASSERT_TRUE(eventually([&] { return counts.done() == 1; }));
  const auto delivery_took = Clock::now() - start;

  EXPECT_EQ(counts.failed(), 1);
  EXPECT_EQ(counts.sent(), 0);
  EXPECT_EQ(counts.retries(), options.max_attempts - 1);  // attempts = 1 + retries = max_attempts
  const auto entries = attempts.entries();
  ASSERT_EQ(entries.size(), static_cast<std::size_t>(options.max_attempts));
  for (std::size_t i = 0; i < entries.size(); ++i) {
    EXPECT_EQ(entries[i].attempt, static_cast<int>(i + 1));
    EXPECT_EQ(entries[i].http_status, 0);  // no answer
    const bool last = i + 1 == entries.size();
    EXPECT_EQ(entries[i].outcome, last ? AttemptReport::Outcome::kFailed : AttemptReport::Outcome::kRetrying);
    if (!last) {  // backoff doubling from 20 ms, with jitter in [half, all]
      const auto base = options.initial_backoff * (1 << i);
      EXPECT_GE(entries[i].retry_in, base / 2);
      EXPECT_LE(entries[i].retry_in, base);
    }
  }
  EXPECT_GE(delivery_took, kLeastBackoff);                                                // the retries did wait
  EXPECT_LT(notify_took, kLeastBackoff) << "notify() took " << ms(notify_took) << " ms";  // notify() did not
}

class NotRetried : public ::testing::TestWithParam<int> {};

TEST_P(NotRetried, ClientErrorIsFailedAfterOneAttempt) {
  const int status = GetParam();
  Receiver receiver([status](std::size_t) { return Reply{status, {}}; });
  prometheus::Registry registry;
  Counts counts{registry};
  AlertNotifier notifier(fast_options(receiver.url()), registry);

  notifier.notify(coverage_alert());
  ASSERT_TRUE(eventually([&] { return counts.done() == 1; }));
  notifier.stop();
  EXPECT_EQ(receiver.count(), 1u);
  EXPECT_EQ(counts.failed(), 1);
  EXPECT_EQ(counts.sent(), 0);
  EXPECT_EQ(counts.retries(), 0);
}
INSTANTIATE_TEST_SUITE_P(AlertNotifier, NotRetried, ::testing::Values(400, 401, 404, 422, 301));

class Retried : public ::testing::TestWithParam<int> {};

TEST_P(Retried, TransientStatusIsRetried) {
  const int status = GetParam();
  Receiver receiver([status](std::size_t i) { return Reply{i == 0 ? status : 204, {}}; });
  prometheus::Registry registry;
  Counts counts{registry};
  AlertNotifier notifier(fast_options(receiver.url()), registry);

  notifier.notify(coverage_alert());
  ASSERT_TRUE(eventually([&] { return counts.done() == 1; }));
  notifier.stop();
  EXPECT_EQ(receiver.count(), 2u);
  EXPECT_EQ(counts.sent(), 1);  // any 2xx
  EXPECT_EQ(counts.retries(), 1);
}
INSTANTIATE_TEST_SUITE_P(AlertNotifier, Retried, ::testing::Values(408, 429, 500, 502, 503));

TEST(AlertNotifier, GivesUpAfterMaxAttemptsOfServerErrors) {
  Receiver receiver([](std::size_t) { return Reply{503, {}}; });
  prometheus::Registry registry;
  Counts counts{registry};
  AlertNotifierOptions options = fast_options(receiver.url());
  options.max_attempts = 3;
  AlertNotifier notifier(options, registry);

  notifier.notify(coverage_alert());
  ASSERT_TRUE(eventually([&] { return counts.done() == 1; }));
  notifier.stop();
  EXPECT_EQ(receiver.count(), 3u);
  EXPECT_EQ(counts.failed(), 1);
  EXPECT_EQ(counts.retries(), 2);
}

TEST(AlertNotifier, RetryAfterLengthensTheBackoff) {
  Receiver receiver([](std::size_t i) { return i == 0 ? Reply{429, {{"Retry-After", "1"}}} : Reply{200, {}}; });
  prometheus::Registry registry;
  Counts counts{registry};
  AlertNotifierOptions options = fast_options(receiver.url());
  options.max_backoff = 5s;  // the cap for Retry-After too
  AlertNotifier notifier(options, registry);

  notifier.notify(coverage_alert());
  ASSERT_TRUE(eventually([&] { return counts.done() == 1; }));
  const auto received = receiver.received();
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(counts.sent(), 1);
  // 1 s asked for, against a backoff of at most 10 ms.
  EXPECT_GE(received[1].at - received[0].at, 1s);
}

TEST(AlertNotifier, StopDuringALongBackoffReturnsPromptly) {
  Receiver receiver([](std::size_t) { return Reply{503, {}}; });
  prometheus::Registry registry;
  Counts counts{registry};
  AlertNotifierOptions options = fast_options(receiver.url());
  options.initial_backoff = 30s;  // the first wait is at least 15 s
  options.max_backoff = 60s;
  constexpr auto kLeastBackoff = 15s;
  Attempts attempts;
  options.on_attempt = attempts.recorder();
  AlertNotifier notifier(options, registry);

  notifier.notify(coverage_alert());
  // The first attempt has its answer and the worker is on its way into the backoff wait.
  ASSERT_TRUE(eventually([&] { return attempts.size() == 1; }));
  ASSERT_EQ(attempts.entries()[0].outcome, AttemptReport::Outcome::kRetrying);
  ASSERT_GE(attempts.entries()[0].retry_in, kLeastBackoff);
  const auto start = Clock::now();
  notifier.stop();
  const auto stop_took = Clock::now() - start;
  EXPECT_LT(stop_took, kLeastBackoff / 10) << "stop() took " << ms(stop_took) << " ms";
  EXPECT_EQ(receiver.count(), 1u);
  EXPECT_EQ(counts.failed(), 1);  // abandoned
  EXPECT_EQ(counts.sent(), 0);
  EXPECT_EQ(counts.retries(), 0);  // the retry never happened
  EXPECT_EQ(attempts.size(), 1u);
}

TEST(AlertNotifier, StopAbortsARequestInFlight) {
  Receiver hanging;
  hanging.set_respond([&hanging](std::size_t) {
    hanging.gate();  // answers only when the test ends
    return Reply{};
  });
  prometheus::Registry registry;
  Counts counts{registry};
  AlertNotifierOptions options = fast_options(hanging.url());
  options.timeout = 60s;
  Attempts attempts;
  options.on_attempt = attempts.recorder();
  AlertNotifier notifier(options, registry);

  notifier.notify(coverage_alert());
  notifier.notify(numbered_alert(2));  // still queued when stop() comes
  ASSERT_TRUE(hanging.wait_for_count(1));
  const auto start = Clock::now();
  notifier.stop();
  const auto stop_took = Clock::now() - start;
  hanging.release();
  // libcurl checks the abort flag about once a second; far below the 60 s timeout.
  EXPECT_LT(stop_took, options.timeout / 10) << "stop() took " << ms(stop_took) << " ms";
  EXPECT_EQ(counts.failed(), 2);  // the one in flight and the one queued
  EXPECT_EQ(counts.sent(), 0);
  EXPECT_EQ(hanging.count(), 1u);
  const auto entries = attempts.entries();
  ASSERT_EQ(entries.size(), 1u);  // the queued one was never tried
  EXPECT_EQ(entries[0].outcome, AttemptReport::Outcome::kAbandoned);
}

TEST(AlertNotifier, FullQueueDropsTheOldestAndCountsItFailed) {
  Receiver receiver;
  receiver.set_respond([&receiver](std::size_t i) {
    if (i == 0) receiver.gate();  // hold the first request until the queue has filled
    return Reply{};
  });
  prometheus::Registry registry;
  Counts counts{registry};
  AlertNotifierOptions options = fast_options(receiver.url());
  options.queue_capacity = 2;
  AlertNotifier notifier(options, registry);

  notifier.notify(numbered_alert(0));
  ASSERT_TRUE(receiver.wait_for_count(1));  // 0 is in flight, the queue is empty
  notifier.notify(numbered_alert(1));
  notifier.notify(numbered_alert(2));
  EXPECT_EQ(counts.failed(), 0);
  notifier.notify(numbered_alert(3));  // pushes 1 out
  EXPECT_EQ(counts.failed(), 1);       // counted at once, by notify()
  receiver.release();
  ASSERT_TRUE(eventually([&] { return counts.done() == 4; }));
  notifier.stop();
  EXPECT_EQ(counts.sent(), 3);
  EXPECT_EQ(counts.failed(), 1);
  std::vector<std::string> kpis;
  for (const auto& request : receiver.received()) kpis.push_back(json::parse(request.body)["alerts"][0]["labels"]["kpi"]);
  EXPECT_EQ(kpis, (std::vector<std::string>{"kpi_0", "kpi_2", "kpi_3"}));
}

TEST(AlertNotifier, ConcurrentCallersAllDelivered) {
  Receiver receiver;
  prometheus::Registry registry;
  Counts counts{registry};
  AlertNotifierOptions options = fast_options(receiver.url());
  options.queue_capacity = 1000;
  AlertNotifier notifier(options, registry);

  constexpr int kThreads = 4;
  constexpr int kEach = 25;
  std::vector<std::thread> callers;
  for (int t = 0; t < kThreads; ++t) {
    callers.emplace_back([&notifier, t] {
      for (int i = 0; i < kEach; ++i) notifier.notify(numbered_alert(t * kEach + i));
    });
  }
  for (auto& caller : callers) caller.join();
  ASSERT_TRUE(eventually([&] { return counts.done() == kThreads * kEach; }));
  notifier.stop();
  EXPECT_EQ(counts.sent(), kThreads * kEach);
  EXPECT_EQ(receiver.count(), static_cast<std::size_t>(kThreads * kEach));
  std::vector<std::string> kpis;
  for (const auto& request : receiver.received()) kpis.push_back(json::parse(request.body)["alerts"][0]["labels"]["kpi"]);
  std::sort(kpis.begin(), kpis.end());
  EXPECT_EQ(std::unique(kpis.begin(), kpis.end()), kpis.end());  // each once
}

TEST(AlertNotifier, InvalidUtf8IsReplacedNotFatal) {
  Receiver receiver;
  prometheus::Registry registry;
  Counts counts{registry};
  AlertNotifier notifier(fast_options(receiver.url()), registry);
  KpiAlert alert = coverage_alert();
  alert.name = "Cov\xff";
  notifier.notify(alert);
  ASSERT_TRUE(eventually([&] { return counts.done() == 1; }));
  EXPECT_EQ(counts.sent(), 1);
  const json body = json::parse(receiver.received().at(0).body);
  EXPECT_EQ(body["alerts"][0]["annotations"]["kpi_name"], "Cov\xef\xbf\xbd");  // U+FFFD
}

TEST(AlertNotifier, NotifyAfterStopIsCountedFailedAndNotSent) {
  Receiver receiver;
  prometheus::Registry registry;
  Counts counts{registry};
  AlertNotifier notifier(fast_options(receiver.url()), registry);
  notifier.stop();
  notifier.stop();  // idempotent
  notifier.notify(coverage_alert());
  EXPECT_EQ(counts.failed(), 1);
  EXPECT_EQ(counts.sent(), 0);
  EXPECT_EQ(receiver.count(), 0u);
}

TEST(AlertNotifier, EmptyUrlMeansDisabled) {
  prometheus::Registry registry;
  Counts counts{registry};
  AlertNotifierOptions options;  // no URL
  AlertNotifier notifier(options, registry);
  EXPECT_FALSE(notifier.enabled());
  notifier.notify(coverage_alert());
  notifier.stop();
  EXPECT_EQ(counts.sent(), 0);  // the families exist, at zero
  EXPECT_EQ(counts.failed(), 0);
  EXPECT_EQ(counts.retries(), 0);
}

TEST(AlertNotifier, RejectsBadOptions) {
  prometheus::Registry registry;
  auto make = [&](auto change) {
    AlertNotifierOptions options = fast_options("http://127.0.0.1:1/hook");
    change(options);
    AlertNotifier notifier(options, registry);
  };
  EXPECT_THROW(make([](auto& o) { o.url = "ftp://x/"; }), std::invalid_argument);
  EXPECT_THROW(make([](auto& o) { o.max_attempts = 0; }), std::invalid_argument);
  EXPECT_THROW(make([](auto& o) { o.timeout = 0ms; }), std::invalid_argument);
  EXPECT_THROW(make([](auto& o) { o.initial_backoff = -1ms; }), std::invalid_argument);
  EXPECT_THROW(make([](auto& o) { o.queue_capacity = 0; }), std::invalid_argument);
  EXPECT_THROW(make([](auto& o) { o.extra_labels = {{"severity", "x"}}; }), std::invalid_argument);
  EXPECT_THROW(make([](auto& o) { o.extra_labels = {{"bad-name", "x"}}; }), std::invalid_argument);
  EXPECT_NO_THROW(make([](auto& o) { o.url = "https://example.invalid/hook"; }));
}

TEST(AlertNotifier, TwoNotifiersShareTheFamiliesOfOneRegistry) {
  // A configuration reload builds a new notifier on the same registry.
  Receiver receiver;
  prometheus::Registry registry;
  Counts counts{registry};
  {
    AlertNotifier first(fast_options(receiver.url()), registry);
    first.notify(coverage_alert());
    ASSERT_TRUE(eventually([&] { return counts.done() == 1; }));
  }
  AlertNotifier second(fast_options(receiver.url()), registry);
  second.notify(coverage_alert(false));
  ASSERT_TRUE(eventually([&] { return counts.done() == 2; }));
  EXPECT_EQ(counts.sent(), 2);
}

}  // namespace
}  // namespace agentmetrics::alerts
