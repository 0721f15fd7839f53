// Producer cost per event, agentmetrics against its peers in the same binary and run:
// prometheus-cpp's Counter::Increment and Histogram::Observe on shared metrics, and a
// StatsD-style UDP datagram to loopback. An in-process collector drains our rings while the
// benchmarks push, so the measured path is the real one (a ring with a live consumer); the
// "dropped" counter says how many events found their ring full.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <agentmetrics/agentmetrics.h>
#include <agentmetrics/agentmetrics.hpp>
#include <benchmark/benchmark.h>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "collector/daemon/collector.h"
#include "ipc/segment_name.h"

namespace {

const std::vector<double> kBuckets = {60, 300, 900, 1800, 3600};

// The collector, started once, in this process, on this process's own segment.
agentmetrics::collector::Collector& collector() {
  static auto* c = [] {
    agentmetrics::collector::Config config;
    config.listen_address = "127.0.0.1:0";
    config.ns = std::getenv("AGENTMETRICS_NAMESPACE");
    config.shards = 1;
    config.store.enabled = false;  // these benchmarks measure metrics, not the outcome store
    return new agentmetrics::collector::Collector(config);
  }();
  return *c;
}

void report_drops(benchmark::State& state, std::uint64_t before) {
  if (state.thread_index() == 0) {
    state.counters["dropped"] = static_cast<double>(agentmetrics::dropped_events() - before);
  }
}

void BM_Agentmetrics_CounterInc(benchmark::State& state) {
  static agentmetrics::CounterFamily family("bench_counter_total", "bench", {"k"});
  const auto counter = family.with({"x"});
  const auto before = agentmetrics::dropped_events();
  for (auto _ : state) counter.inc();
  report_drops(state, before);
}

void BM_Agentmetrics_HistogramObserve(benchmark::State& state) {
  static agentmetrics::HistogramFamily family("bench_histogram_seconds", "bench", {"k"}, kBuckets);
  const auto histogram = family.with({"x"});
  const auto before = agentmetrics::dropped_events();
  double v = 0;
  for (auto _ : state) {
    histogram.observe(v);
    v = v < 4000 ? v + 7 : 0;
  }
  report_drops(state, before);
}

void BM_Agentmetrics_CAbi_HistogramObserve(benchmark::State& state) {
  const char* names[] = {"k"};
  const char* values[] = {"c"};
  am_histogram* h = nullptr;
  am_histogram_get("bench_histogram_seconds", "bench", names, values, 1, kBuckets.data(), kBuckets.size(), &h);
  const auto before = agentmetrics::dropped_events();
  double v = 0;
  for (auto _ : state) {
    am_histogram_observe(h, v);
    v = v < 4000 ? v + 7 : 0;
  }
  report_drops(state, before);
}

void BM_Agentmetrics_CAbi_CounterInc(benchmark::State& state) {
  const char* names[] = {"k"};
  const char* values[] = {"c"};
  am_counter* c = nullptr;
  am_counter_get("bench_counter_total", "bench", names, values, 1, &c);
  const auto before = agentmetrics::dropped_events();
  for (auto _ : state) am_counter_inc(c);
  report_drops(state, before);
}

void BM_Agentmetrics_TaskScope(benchmark::State& state) {
  for (auto _ : state) {
    agentmetrics::Task task("bench", "scope", "run");
    task.succeed();
  }
}

void BM_Agentmetrics_CAbi_TaskScope(benchmark::State& state) {
  for (auto _ : state) {
    am_task* task = nullptr;
    am_task_begin("bench", "scope", "run", &task);
    am_task_end(task, 1);
  }
}

prometheus::Registry& prometheus_registry() {
  static prometheus::Registry registry;
  return registry;
}

void BM_PrometheusCpp_CounterIncrement(benchmark::State& state) {
  static auto& family = prometheus::BuildCounter().Name("bench_counter_total").Help("bench").Register(prometheus_registry());
  auto& counter = family.Add({{"k", "x"}});
  for (auto _ : state) counter.Increment();
}

void BM_PrometheusCpp_HistogramObserve(benchmark::State& state) {
  static auto& family = prometheus::BuildHistogram().Name("bench_histogram_seconds").Help("bench").Register(prometheus_registry());
  auto& histogram = family.Add({{"k", "x"}}, prometheus::Histogram::BucketBoundaries(kBuckets));
  double v = 0;
  for (auto _ : state) {
    histogram.Observe(v);
    v = v < 4000 ? v + 7 : 0;
  }
}

// What a StatsD client does per event: format a line and send one datagram.
void BM_StatsdUdp_Timing(benchmark::State& state) {
  static const int receiver = [] {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    return fd;
  }();
  sockaddr_in to{};
  socklen_t len = sizeof(to);
  ::getsockname(receiver, reinterpret_cast<sockaddr*>(&to), &len);
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  char line[64];
  int v = 0;
  for (auto _ : state) {
    const int n = std::snprintf(line, sizeof(line), "bench.histogram:%d|ms|#k:x", v);
    benchmark::DoNotOptimize(::send(fd, line, static_cast<std::size_t>(n), MSG_DONTWAIT));
    v = v < 4000 ? v + 7 : 0;
  }
  ::close(fd);
}

}  // namespace

BENCHMARK(BM_Agentmetrics_CounterInc)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_Agentmetrics_CAbi_CounterInc)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_PrometheusCpp_CounterIncrement)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_Agentmetrics_HistogramObserve)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_Agentmetrics_CAbi_HistogramObserve)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_PrometheusCpp_HistogramObserve)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_Agentmetrics_TaskScope)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_Agentmetrics_CAbi_TaskScope)->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_StatsdUdp_Timing)->Threads(1)->Threads(2)->UseRealTime();

int main(int argc, char** argv) {
  const std::string ns = "bench-" + std::to_string(::getpid());
  ::setenv("AGENTMETRICS_NAMESPACE", ns.c_str(), 1);
  // The in-process collector attaches the segments present when it starts (its event loop,
  // which would find later ones, does not run here): declaring a family creates ours first.
  agentmetrics::CounterFamily opens_the_segment("bench_started_total", "Declared before the collector starts");
  if (!agentmetrics::connected()) {
    std::fprintf(stderr, "producer_bench: no segment: %s\n", agentmetrics::last_error().c_str());
    return 1;
  }
  collector();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  // This process's segment: no collector will reclaim it once we are gone.
  for (const auto& entry : std::filesystem::directory_iterator("/dev/shm")) {
    if (agentmetrics::ipc::parse_segment_file_name(entry.path().filename().string(), ns)) std::filesystem::remove(entry.path());
  }
  return 0;
}
