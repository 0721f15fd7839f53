// OTLP ingest beside the producers' rings, on one real agentmetricsd. The OTLP payload is a real
// Claude Code export (tests/data/agents/claude/tool-chain: 10 points of token usage, cost, active
// time, lines of code and an edit decision, each with the client's 6-8 attributes and its
// resource), replayed by client threads over keep-alive connections as a fleet of sessions:
// each export gets a session id and user id of its own, and new times, so every point is new.
// A request carries one export, as one Claude Code process sends it, or many, as an
// OpenTelemetry Collector forwards a batch. Rows of --seconds each: the ring producer alone, OTLP
// in batches alone, OTLP one export a request alone, ring and batches at once. Reported: ring
// events drained/s, OTLP points mapped/s, the collector's CPU and its OTLP points per CPU-second
// (what one core of it takes in), and the collector's memory after each row.
//
// Usage: otlp_load [--daemon PATH] [--seconds T] [--clients N] [--exports-per-request E] [--export FILE.pb]
#include <curl/curl.h>
#include <opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h>
#include <sys/wait.h>

#include <agentmetrics/agentmetrics.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
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
  int exports = 100;
  std::string export_file = AM_CLAUDE_EXPORT;
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
    } else if (a == "--exports-per-request" && has_value) {
      o.exports = std::stoi(argv[++i]);
    } else if (a == "--export" && has_value) {
      o.export_file = argv[++i];
    } else {
      throw std::invalid_argument(
          "usage: otlp_load [--daemon PATH] [--seconds T] [--clients N] [--exports-per-request E] [--export FILE.pb]");
    }
  }
  return o;
}

// The real export, read once.
otlp::collector::metrics::v1::ExportMetricsServiceRequest load_export(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  otlp::collector::metrics::v1::ExportMetricsServiceRequest request;
  if (!in || !request.ParseFromString(bytes) || request.resource_metrics_size() != 1) {
    throw std::runtime_error("cannot read one resource's OTLP metrics export from " + path);
  }
  return request;
}

int points_of(const otlp::collector::metrics::v1::ExportMetricsServiceRequest& request) {
  int points = 0;
  for (const auto& rm : request.resource_metrics()) {
    for (const auto& sm : rm.scope_metrics()) {
      for (const auto& m : sm.metrics()) points += m.sum().data_points_size() + m.histogram().data_points_size();
    }
  }
  return points;
}

// Stand-ins for a point's start and end times in a serialized body (fixed64 fields): found once,
// then overwritten for each request, so a client spends its time sending, not building.
constexpr std::uint64_t kStartMark = 0x5A5A5A5A5A5A5A01ULL, kTimeMark = 0x5A5A5A5A5A5A5A02ULL;

// A serialized request and where its times are.
struct Body {
  std::string bytes;
  std::vector<std::size_t> starts, times;

  void stamp(std::uint64_t time_ns) {
    const std::uint64_t start_ns = time_ns - 1000000000;
    for (const std::size_t at : starts) std::memcpy(bytes.data() + at, &start_ns, sizeof start_ns);
    for (const std::size_t at : times) std::memcpy(bytes.data() + at, &time_ns, sizeof time_ns);
  }
};

std::vector<std::size_t> offsets_of(const std::string& bytes, std::uint64_t mark) {
  const std::string_view needle(reinterpret_cast<const char*>(&mark), sizeof mark);
  std::vector<std::size_t> out;
  for (auto at = bytes.find(needle); at != std::string::npos; at = bytes.find(needle, at + 1)) out.push_back(at);
  return out;
}

// `exports` copies of the real export in one request, each from a session of client `client`'s
// fleet of 100 (its own session.id and user.id), starting with export `first`.
Body request_body(const otlp::collector::metrics::v1::ExportMetricsServiceRequest& real, int exports, int client, int first) {
  otlp::collector::metrics::v1::ExportMetricsServiceRequest request;
  int points = 0;
  for (int e = 0; e < exports; ++e) {
    const int n = (first + e) % 100;
    char session[48], user[72];
    std::snprintf(session, sizeof session, "b8063690-c98c-4672-%04d-%012d", client, n);
    std::snprintf(user, sizeof user, "13c23bbf9cb7a9bced1c4b894cb1dd6926ee0366987218cc749b7ab1%04d%04d", client, n);
    auto* rm = request.add_resource_metrics();
    *rm = real.resource_metrics(0);
    for (auto& sm : *rm->mutable_scope_metrics()) {
      for (auto& m : *sm.mutable_metrics()) {
        for (auto& p : *m.mutable_sum()->mutable_data_points()) {
          p.set_start_time_unix_nano(kStartMark);
          p.set_time_unix_nano(kTimeMark);
          ++points;
          for (auto& kv : *p.mutable_attributes()) {
            if (kv.key() == "session.id") kv.mutable_value()->set_string_value(session);
            if (kv.key() == "user.id") kv.mutable_value()->set_string_value(user);
          }
        }
      }
    }
  }
  Body body{request.SerializeAsString(), {}, {}};
  body.starts = offsets_of(body.bytes, kStartMark);
  body.times = offsets_of(body.bytes, kTimeMark);
  if (static_cast<int>(body.starts.size()) != points || static_cast<int>(body.times.size()) != points) {
    throw std::runtime_error("the export's points are not all sums with both times");
  }
  return body;
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
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* d, std::size_t s, std::size_t n, void* out) {
        static_cast<std::string*>(out)->append(d, s * n);
        return s * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  return body;
}

// One OTLP client: posts new requests over one keep-alive connection until `stop`.
void otlp_client(int index, int port, const otlp::collector::metrics::v1::ExportMetricsServiceRequest& real, int exports,
                 const std::atomic<bool>& stop, std::atomic<long>& refused) {
  CURL* curl = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/x-protobuf");
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/v1/metrics";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
  std::uint64_t time_ns = 1800000000000000000ULL + static_cast<std::uint64_t>(index) * 1000;
  std::vector<Body> bodies;  // the fleet's 100 sessions, `exports` a request
  for (int first = 0; first < 100; first += exports) bodies.push_back(request_body(real, exports, index, first));
  for (std::size_t n = 0; !stop.load(std::memory_order_relaxed); ++n) {
    time_ns += 1000000;  // every point of every request is new
    Body& body = bodies[n % bodies.size()];
    body.stamp(time_ns);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.bytes.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.bytes.size()));
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
  double memory_mib = 0;  // resident, less shared segments, at the row's end
};

// `exports`: per OTLP request, 0 for a row without OTLP.
Row run_row(const Options& o, const Daemon& daemon, int otlp_port, const std::string& ns,
            const otlp::collector::metrics::v1::ExportMetricsServiceRequest& real, bool ring, int exports) {
  const std::string metrics_url = "http://127.0.0.1:" + std::to_string(daemon.port) + "/metrics";
  const std::string before = fetch(metrics_url);
  const double cpu_before = cpu_seconds(daemon.pid);
  pid_t producer = -1;
  if (ring) producer = spawn([&] { ring_producer(ns, o.seconds); });
  std::atomic<bool> stop{false};
  std::atomic<long> refused{0};
  std::vector<std::thread> clients;
  if (exports > 0) {
    for (int c = 0; c < o.clients; ++c) clients.emplace_back([&, c] { otlp_client(c, otlp_port, real, exports, stop, refused); });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  stop = true;
  for (auto& t : clients) t.join();
  if (producer > 0) ::waitpid(producer, nullptr, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the last batches drained
  const double cpu = cpu_seconds(daemon.pid) - cpu_before;
  const std::string after = fetch(metrics_url);
  Row r;
  r.ring_per_second =
      (sample(after, "agentmetrics_events_drained_total") - sample(before, "agentmetrics_events_drained_total")) / o.seconds;
  const std::string points = "agentmetrics_otlp_points_total{result=\"mapped\"}";
  const double mapped = sample(after, points) - sample(before, points);
  r.otlp_points_per_second = mapped / o.seconds;
  r.cpu_share = cpu / o.seconds;
  r.points_per_cpu_second = cpu > 0 ? mapped / cpu : 0;
  r.refused = refused.load();
  r.memory_mib = static_cast<double>(private_rss_bytes(daemon.pid)) / 1048576.0;
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
    const auto real = load_export(o.export_file);
    const int points = points_of(real);
    std::printf("otlp_load: %s, %.0f s per row, %d OTLP clients replaying %s (%d points, %zu bytes), on %u cores\n\n", o.daemon.c_str(),
                o.seconds, o.clients, o.export_file.c_str(), points, real.ByteSizeLong(), std::thread::hardware_concurrency());
    std::printf("%-30s %14s %14s %14s %22s %8s %14s\n", "load", "ring events/s", "OTLP points/s", "collector CPU", "OTLP points/CPU-second",
                "refused", "collector MiB");
    const std::string batched = "OTLP, " + std::to_string(o.exports * points) + " points a request";
    const std::string single = "OTLP, " + std::to_string(points) + " points a request";
    const std::string both = "rings + " + batched.substr(6);
    const struct {
      std::string name;
      bool ring;
      int exports;
    } rows[] = {{"rings alone", true, 0}, {batched, false, o.exports}, {single, false, 1}, {both, true, o.exports}};
    for (const auto& row : rows) {
      const Row r = run_row(o, daemon, otlp_port, ns, real, row.ring, row.exports);
      std::printf("%-30s %14.0f %14.0f %13.0f%% %22.0f %8ld %14.1f\n", row.name.c_str(), r.ring_per_second, r.otlp_points_per_second,
                  100 * r.cpu_share, r.points_per_cpu_second, r.refused, r.memory_mib);
      std::fflush(stdout);
    }
    std::printf("\ncollector memory: resident, less shared segments, at each row's end\n");
    stop_and_reap(daemon.pid);
    remove_segments(ns);
    remove_daemon_files(daemon);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "otlp_load: %s\n", e.what());
    return 1;
  }
  return 0;
}
