// A producer with known output, for the integration tests. Each of --threads threads writes
// --events rounds of: one increment of am_test_events_total{producer,thread}, one observation
// (round % 10) / 10 of am_test_value{producer}, and a set of am_test_last{producer,thread} to
// the round number; then one Task (agent_type="tester", task_type=<producer>) that succeeds on
// even threads and fails on odd ones. With --exit-early the process leaves with _exit(0)
// right after the threads finish, skipping every destructor. With --linger-ms N it stays alive
// N ms after printing, its segment still attached. With --start-delay-ms N it declares its
// families (publishing its segment) and waits N ms before the threads start. It prints its drop count.
// With --series N it also declares N series of am_test_series_total{producer,series} (series
// "<producer>-<i>") and increments each once. With --latencies N it also observes N latencies
// drawn from a log-normal distribution (a fixed seed) into am_test_latency_seconds{producer}
// (classic buckets 0.01, 0.1, 1, 10) and prints their 0.5, 0.9 and 0.99 quantiles
// ("quantile_0.5=...": the rank-ceil(qN) observation).
#include <unistd.h>

#include <agentmetrics/agentmetrics.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  int threads = 1;
  long events = 1000;
  std::string label = "p";
  bool exit_early = false;
  long linger_ms = 0;
  long start_delay_ms = 0;
  long series = 0;
  long latencies = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (a == "--events" && i + 1 < argc) {
      events = std::atol(argv[++i]);
    } else if (a == "--label" && i + 1 < argc) {
      label = argv[++i];
    } else if (a == "--linger-ms" && i + 1 < argc) {
      linger_ms = std::atol(argv[++i]);
    } else if (a == "--start-delay-ms" && i + 1 < argc) {
      start_delay_ms = std::atol(argv[++i]);
    } else if (a == "--series" && i + 1 < argc) {
      series = std::atol(argv[++i]);
    } else if (a == "--latencies" && i + 1 < argc) {
      latencies = std::atol(argv[++i]);
    } else if (a == "--exit-early") {
      exit_early = true;
    } else {
      std::fprintf(stderr,
                   "usage: test_producer [--threads N] [--events N] [--label L] [--exit-early] [--linger-ms N] [--start-delay-ms N] "
                   "[--series N] [--latencies N]\n");
      return 2;
    }
  }
  agentmetrics::CounterFamily events_family("am_test_events_total", "Test events", {"producer", "thread"});
  agentmetrics::HistogramFamily value_family("am_test_value", "Test values", {"producer"}, {0.25, 0.5, 1});
  agentmetrics::GaugeFamily last_family("am_test_last", "Last round", {"producer", "thread"});
  if (!agentmetrics::connected()) {
    std::fprintf(stderr, "test_producer: %s\n", agentmetrics::last_error().c_str());
    return 1;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(start_delay_ms));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const auto counter = events_family.with({label, std::to_string(t)});
      const auto histogram = value_family.with({label});
      const auto gauge = last_family.with({label, std::to_string(t)});
      agentmetrics::Task task("tester", label, "integration");
      for (long i = 0; i < events; ++i) {
        counter.inc();
        histogram.observe(static_cast<double>(i % 10) / 10.0);
        gauge.set(static_cast<double>(i));
      }
      if (t % 2 == 0) task.succeed();
    });
  }
  for (auto& w : workers) w.join();
  if (series > 0) {
    agentmetrics::CounterFamily series_family("am_test_series_total", "Test series, one per --series", {"producer", "series"});
    for (long i = 0; i < series; ++i) series_family.with({label, label + "-" + std::to_string(i)}).inc();
  }
  if (latencies > 0) {
    agentmetrics::HistogramFamily latency_family("am_test_latency_seconds", "Test latencies", {"producer"}, {0.01, 0.1, 1, 10});
    const auto histogram = latency_family.with({label});
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> latency(-2.0, 1.2);
    std::vector<double> values(static_cast<std::size_t>(latencies));
    for (auto& v : values) histogram.observe(v = latency(rng));
    std::sort(values.begin(), values.end());
    for (double q : {0.5, 0.9, 0.99}) {
      const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
      std::printf("quantile_%g=%.17g\n", q, values[rank - 1]);
    }
  }
  std::printf("dropped=%llu\n", static_cast<unsigned long long>(agentmetrics::dropped_events()));
  std::fflush(stdout);
  if (exit_early) _exit(0);
  std::this_thread::sleep_for(std::chrono::milliseconds(linger_ms));
  return 0;
}
