// OTLP ingest beside the producers' rings, on one real agentmetricsd: OTLP/HTTP protobuf exports
// of Claude Code's metrics (claude_code.token.usage, delta, 1000 points a request, every point new)
// sent by client threads over keep-alive connections, and one ring producer writing counter
// increments as fast as it can. Three rows of --seconds each: the ring producer alone, the OTLP
// clients alone, both at once. Reported: ring events drained/s, OTLP points mapped/s, the
// collector's CPU and its OTLP points per CPU-second (what one core of it takes in), and its
// memory at the end.
//
// Usage: otlp_load [--daemon PATH] [--seconds T] [--clients N] [--points-per-request P]
#include <curl/curl.h>
#include <opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h>
#include <sys/wait.h>

#include <agentmetrics/agentmetrics.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_process.h"
#include "ipc/segment_name.h"

namespace {

using namespace agentmetrics::bench;
using Clock = std::chrono::steady_clock;
namespace otlp = opentelemetry::proto;

struct Options {
  std::string daemon = default_daemon_path();
  double seconds = 5;
  int clients = 2;
  int points = 1000;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--daemon" && has_value) {
      o.daemon = argv[++i];
    } else if (a == "--seconds" && has_value) {
      o.seconds = std::stod(argv[++i]);
    } else if (a == "--clients" && has_value) {
      o.clients = std::stoi(argv[++i]);
    } else if (a == "--points-per-request" && has_value) {
      o.points = std::stoi(argv[++i]);
    } else {
      throw std::invalid_argument("usage: otlp_load [--daemon PATH] [--seconds T] [--clients N] [--points-per-request P]");
    }
  }
  return o;
}

// A request of `points` token-usage points as Claude Code sends them, all at `time_ns`.
std::string request_body(int points, std::uint64_t time_ns, int client) {
  otlp::collector::metrics::v1::ExportMetricsServiceRequest request;
  auto* rm = request.add_resource_metrics();
  auto* service = rm->mutable_resource()->add_attributes();
  service->set_key("service.name");
  service->mutable_value()->set_string_value("claude-code");
  auto* metric = rm->add_scope_metrics()->add_metrics();
  metric->set_name("claude_code.token.usage");
  metric->mutable_sum()->set_is_monotonic(true);
  metric->mutable_sum()->set_aggregation_temporality(otlp::metrics::v1::AGGREGATION_TEMPORALITY_DELTA);
  static const char* kTypes[] = {"input", "output", "cacheRead", "cacheCreation"};
  for (int i = 0; i < points; ++i) {
    auto* p = metric->mutable_sum()->add_data_points();
    p->set_as_double(100);
    p->set_start_time_unix_nano(time_ns - 1000000000);
    p->set_time_unix_nano(time_ns);
    const auto add = [&](const char* key, const std::string& value) {
      auto* kv = p->add_attributes();
      kv->set_key(key);
      kv->mutable_value()->set_string_value(value);
    };
    add("session.id", "session-" + std::to_string(client) + "-" + std::to_string(i / 40));
    add("user.id", "0123456789abcdef0123456789abcdef");
    add("model", "claude-sonnet-4-5-" + std::to_string(i % 10));
    add("type", kTypes[i % 4]);
  }
  return request.SerializeAsString();
}

double sample(const std::string& metrics, const std::string& name) {
  const auto at = metrics.find("\n" + name + " ");
  return at == std::string::npos ? 0 : std::stod(metrics.substr(at + name.size() + 2));
}

std::size_t discard(char*, std::size_t size, std::size_t count, void*) { return size * count; }

std::string fetch(const std::string& url) {
  std::string body;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, +[](char* d, std::size_t s, std::size_t n, void* out) {
    static_cast<std::string*>(out)->append(d, s * n);
    return s * n;
  });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  return body;
}

// One OTLP client: posts new requests over one keep-alive connection until `stop`.
void otlp_client(int index, int port, int points, const std::atomic<bool>& stop, std::atomic<long>& refused) {
  CURL* curl = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/x-protobuf");
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/v1/metrics";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  std::uint64_t time_ns = 1800000000000000000ULL + static_cast<std::uint64_t>(index) * 1000;
  while (!stop.load(std::memory_order_relaxed)) {
    time_ns += 1000000;  // every point of every request is new
    const std::string body = request_body(points, time_ns, index);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) refused.fetch_add(1, std::memory_order_relaxed);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
}

// One ring producer: counter increments as fast as it can for `seconds`.
void ring_producer(const std::string& ns, double seconds) {
  ::setenv(agentmetrics::ipc::kNamespaceEnv, ns.c_str(), 1);
  ::setenv("AGENTMETRICS_RINGS", "1", 1);
  agentmetrics::CounterFamily family("am_load_events_total", "Events written beside the OTLP load", {"producer"});
  const agentmetrics::Counter counter = family.with({"0"});
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  while (Clock::now() < end) {
    for (int i = 0; i < 4096; ++i) counter.inc();
  }
}

struct Row {
  double ring_per_second = 0, otlp_points_per_second = 0, cpu_share = 0, points_per_cpu_second = 0;
  long refused = 0;
};

Row run_row(const Options& o, const Daemon& daemon, int otlp_port, const std::string& ns, bool ring, bool with_otlp) {
  const std::string metrics_url = "http://127.0.0.1:" + std::to_string(daemon.port) + "/metrics";
  const std::string before = fetch(metrics_url);
  const double cpu_before = cpu_seconds(daemon.pid);
  pid_t producer = -1;
  if (ring) producer = spawn([&] { ring_producer(ns, o.seconds); });
  std::atomic<bool> stop{false};
  std::atomic<long> refused{0};
  std::vector<std::thread> clients;
  if (with_otlp) {
    for (int c = 0; c < o.clients; ++c) clients.emplace_back([&, c] { otlp_client(c, otlp_port, o.points, stop, refused); });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  stop = true;
  for (auto& t : clients) t.join();
  if (producer > 0) ::waitpid(producer, nullptr, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the last batches drained
  const double cpu = cpu_seconds(daemon.pid) - cpu_before;
  const std::string after = fetch(metrics_url);
  Row r;
  r.ring_per_second = (sample(after, "agentmetrics_events_drained_total") - sample(before, "agentmetrics_events_drained_total")) / o.seconds;
  const std::string points = "agentmetrics_otlp_points_total{result=\"mapped\"}";
  const double mapped = sample(after, points) - sample(before, points);
  r.otlp_points_per_second = mapped / o.seconds;
  r.cpu_share = cpu / o.seconds;
  r.points_per_cpu_second = cpu > 0 ? mapped / cpu : 0;
  r.refused = refused.load();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const std::string ns = "otlp-load-" + std::to_string(::getpid());
    const Daemon daemon = start_daemon(o.daemon, ns, {"--otlp.http.listen-address=127.0.0.1:0", "--otlp.grpc.listen-address", ""});
    const int otlp_port = std::stoi(log_value(daemon.log, "OTLP receivers started", "http_port"));
    std::printf("otlp_load: %s, %.0f s per row, %d OTLP clients of %d points a request, on %u cores\n\n", o.daemon.c_str(), o.seconds,
                o.clients, o.points, std::thread::hardware_concurrency());
    std::printf("%-16s %18s %18s %14s %22s %9s\n", "load", "ring events/s", "OTLP points/s", "collector CPU", "OTLP points/CPU-second",
                "refused");
    const struct {
      const char* name;
      bool ring, otlp;
    } rows[] = {{"rings alone", true, false}, {"OTLP alone", false, true}, {"both at once", true, true}};
    for (const auto& row : rows) {
      const Row r = run_row(o, daemon, otlp_port, ns, row.ring, row.otlp);
      std::printf("%-16s %18.0f %18.0f %13.0f%% %22.0f %9ld\n", row.name, r.ring_per_second, r.otlp_points_per_second, 100 * r.cpu_share,
                  r.points_per_cpu_second, r.refused);
      std::fflush(stdout);
    }
    std::printf("\ncollector memory at the end: %.1f MiB resident (less shared segments)\n", static_cast<double>(private_rss_bytes(daemon.pid)) / 1048576.0);
    stop_and_reap(daemon.pid);
    remove_segments(ns);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "otlp_load: %s\n", e.what());
    return 1;
  }
  return 0;
}
