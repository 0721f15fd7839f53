// The multi-process load generator: the real agentmetricsd, real producer processes, real
// shared memory.
//
// Throughput: for each K in --producers (default 1,2,4,8), K producer processes write counter
// increments for --seconds (default 5), as fast as they can (--rate max, the default) or at a
// total rate shared between them (--rate 10000000). Reported: events/s accepted by the rings
// (attempts less drops, as the producers count them), events/s drained (the daemon's own
// count after its final drain, over the same time: a backlog left in the rings at the end is
// at most one ring per producer thread), drops, and the daemon's CPU over the run.
//
// Memory: for each N in --series (default 1000,10000,100000), producers declare N histogram
// series (10 buckets' worth of labels spread the way agents spread them; at most 10000 a
// producer and a family, the default series limit) and observe each once. Reported: the
// daemon's resident memory less the segments it maps (RssShmem), before any scrape, after 2, 10
// and 20 scrapes of /metrics in every format it serves, its peak while they ran and its
// anonymous part; beside it, prometheus-cpp holding the same series and serving them
// (prometheus_cpp_exporter).
//
// With --hog, a process that spins on the CPU runs beside each throughput row, as other work
// on a busy machine would: the drain must keep up without the core it would like. Producers
// inherit AGENTMETRICS_RING_EVENTS (their rings' capacity), which the header line shows.
//
// Usage: load_generator [--daemon PATH] [--seconds T] [--producers 1,2,4,8] [--rate max|N]
//                       [--series 1000,10000,100000] [--only throughput|memory] [--hog] [--no-peer]
//
// --no-peer leaves prometheus-cpp out of the memory rows: for comparing the daemon's own
// settings quickly, not for figures beside the peer.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <agentmetrics/agentmetrics.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_process.h"
#include "ipc/segment_name.h"

namespace {

using namespace agentmetrics::bench;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string daemon = default_daemon_path();
  double seconds = 5;
  std::vector<long> producers = {1, 2, 4, 8};
  double rate = 0;  // events/s for all producers together; 0: as fast as they can
  std::vector<long> series = {1000, 10000, 100000};
  std::string only;
  bool hog = false;
  bool peer = true;  // the memory rows' prometheus-cpp beside the daemon
};

std::vector<long> parse_list(const std::string& text) {
  std::vector<long> out;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    const long v = std::atol(item.c_str());
    if (v <= 0) throw std::invalid_argument("'" + text + "' is not a list of positive numbers");
    out.push_back(v);
  }
  return out;
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--daemon" && has_value) {
      o.daemon = argv[++i];
    } else if (a == "--seconds" && has_value) {
      o.seconds = std::atof(argv[++i]);
    } else if (a == "--producers" && has_value) {
      o.producers = parse_list(argv[++i]);
    } else if (a == "--rate" && has_value) {
      const std::string r = argv[++i];
      o.rate = r == "max" ? 0 : std::atof(r.c_str());
      if (r != "max" && !(o.rate > 0)) throw std::invalid_argument("--rate is max or a positive number of events per second");
    } else if (a == "--series" && has_value) {
      o.series = parse_list(argv[++i]);
    } else if (a == "--only" && has_value) {
      o.only = argv[++i];
    } else if (a == "--hog") {
      o.hog = true;
    } else if (a == "--no-peer") {
      o.peer = false;
    } else {
      throw std::invalid_argument(
          "usage: load_generator [--daemon PATH] [--seconds T] [--producers 1,2,4,8] [--rate max|N] [--series 1000,10000,100000] "
          "[--only throughput|memory] [--hog] [--no-peer]");
    }
  }
  if (!(o.seconds > 0)) throw std::invalid_argument("--seconds must be positive");
  if (::access(o.daemon.c_str(), X_OK) != 0) throw std::invalid_argument("no agentmetricsd at " + o.daemon + " (pass --daemon)");
  return o;
}

// Other work on the machine: one core's worth of it, until killed.
void spin_forever() {
  std::atomic<unsigned long> spins{0};
  for (;;) spins.fetch_add(1, std::memory_order_relaxed);
}

struct ProducerResult {
  unsigned long long attempts = 0;
  unsigned long long dropped = 0;
  double waited_seconds = 0;  // runnable but off the CPU
};

// One producer process: waits for the start byte, writes for `seconds`, reports on `report_fd`.
void run_producer(const std::string& ns, int index, double seconds, double rate, int start_fd, int report_fd) {
  ::setenv(agentmetrics::ipc::kNamespaceEnv, ns.c_str(), 1);
  ::setenv("AGENTMETRICS_RINGS", "1", 1);
  agentmetrics::CounterFamily family("am_load_events_total", "Events written by the load generator", {"producer"});
  const agentmetrics::Counter counter = family.with({std::to_string(index)});
  char go = 0;
  if (::read(start_fd, &go, 1) != 1) ::_exit(1);
  ProducerResult r;
  const double waited_before = run_queue_wait_seconds(::getpid());
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(seconds);
  if (rate <= 0) {
    for (auto now = start; now < end; now = Clock::now()) {
      for (int i = 0; i < 4096; ++i) counter.inc();
      r.attempts += 4096;
    }
  } else {
    // Paced: catch up with the schedule in bursts, sleep when ahead of it.
    for (auto now = start; now < end; now = Clock::now()) {
      const auto due = static_cast<unsigned long long>(rate * std::chrono::duration<double>(now - start).count());
      while (r.attempts < due) {
        counter.inc();
        ++r.attempts;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    }
  }
  r.dropped = agentmetrics::dropped_events();
  r.waited_seconds = run_queue_wait_seconds(::getpid()) - waited_before;
  if (::write(report_fd, &r, sizeof(r)) != static_cast<ssize_t>(sizeof(r))) ::_exit(1);
}

void throughput(const Options& o) {
  const char* ring_events = std::getenv("AGENTMETRICS_RING_EVENTS");
  std::printf(
      "\nThroughput: %.0f s per row, %s%s, AGENTMETRICS_RING_EVENTS=%s\n\n", o.seconds,
      o.rate > 0 ? ("total rate " + std::to_string(static_cast<long long>(o.rate)) + " events/s").c_str() : "producers as fast as they can",
      o.hog ? ", beside a process spinning on the CPU" : "", ring_events && *ring_events ? ring_events : "(unset: 1048575)");
  std::printf("%9s %16s %16s %14s %8s %14s %14s %16s\n", "producers", "accepted/s", "drained/s", "dropped", "drop %", "collector CPU",
              "drain waited", "producers waited");
  for (const long k : o.producers) {
    const std::string ns = "load-" + std::to_string(::getpid()) + "-" + std::to_string(k);
    const Daemon daemon = start_daemon(o.daemon, ns);
    int start_pipe[2], report_pipe[2];
    if (::pipe(start_pipe) != 0 || ::pipe(report_pipe) != 0) throw std::runtime_error("pipe failed");
    std::vector<pid_t> producers;
    for (long p = 0; p < k; ++p) {
      producers.push_back(
          spawn([&] { run_producer(ns, static_cast<int>(p), o.seconds, o.rate / static_cast<double>(k), start_pipe[0], report_pipe[1]); }));
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));  // segments created and attached
    const pid_t hog = o.hog ? spawn(spin_forever) : -1;
    const double cpu_before = cpu_seconds(daemon.pid);
    // Time spent runnable but off the CPU: what a busy machine costs the drain (the producers
    // measure their own).
    const double drain_wait_before = run_queue_wait_seconds(daemon.pid, "am-drain");
    const std::string go(static_cast<std::size_t>(k), 'g');
    if (::write(start_pipe[1], go.data(), go.size()) != static_cast<ssize_t>(go.size()))
      throw std::runtime_error("cannot start the producers");
    ProducerResult total;
    for (long p = 0; p < k; ++p) {
      ProducerResult r;
      if (::read(report_pipe[0], &r, sizeof(r)) != static_cast<ssize_t>(sizeof(r))) throw std::runtime_error("a producer did not report");
      total.attempts += r.attempts;
      total.dropped += r.dropped;
      total.waited_seconds += r.waited_seconds;
    }
    const double cpu = cpu_seconds(daemon.pid) - cpu_before;
    const double drain_waited = run_queue_wait_seconds(daemon.pid, "am-drain") - drain_wait_before;
    if (hog > 0) stop_and_reap(hog);
    for (pid_t p : producers) ::waitpid(p, nullptr, 0);
    stop_and_reap(daemon.pid);
    const double drained = std::atof(log_value(daemon.log, "collector stopped", "events_drained").c_str());
    const double accepted = static_cast<double>(total.attempts - total.dropped);
    std::printf("%9ld %16.0f %16.0f %14llu %8.3f %13.0f%% %13.0f%% %15.0f%%\n", k, accepted / o.seconds, drained / o.seconds, total.dropped,
                100.0 * static_cast<double>(total.dropped) / static_cast<double>(total.attempts), 100.0 * cpu / o.seconds,
                100.0 * drain_waited / o.seconds, 100.0 * total.waited_seconds / o.seconds);
    std::fflush(stdout);
    for (int fd : {start_pipe[0], start_pipe[1], report_pipe[0], report_pipe[1]}) ::close(fd);
    remove_segments(ns);
    remove_daemon_files(daemon);
  }
}

constexpr long kSeriesPerProducer = 10000;

// Declares `count` histogram series of family `index` and observes each once, then waits.
void run_series_producer(const std::string& ns, long index, long count, int ready_fd) {
  ::setenv(agentmetrics::ipc::kNamespaceEnv, ns.c_str(), 1);
  ::setenv("AGENTMETRICS_RINGS", "1", 1);
  agentmetrics::HistogramFamily family("am_load_task_" + std::to_string(index) + "_duration_seconds", "Series of the memory benchmark",
                                       {"agent_type", "task_type", "stage", "success"}, {60, 300, 900, 1800, 3600});
  for (long i = 0; i < count; ++i) {
    family
        .with({"agent_" + std::to_string(i % 10), "type_" + std::to_string(i / 10 % 100), "stage_" + std::to_string(i / 1000),
               i % 2 ? "true" : "false"})
        .observe(static_cast<double>(i % 4000));
  }
  const char done = 'd';
  if (::write(ready_fd, &done, 1) != 1) ::_exit(1);
  ::pause();
}

// GETs `url` with the given extra curl arguments; returns the bytes received.
std::string scrape(const std::string& url, const std::string& curl_args = "") {
  const std::string fetch = "curl -s --noproxy '*' -o /dev/null -w '%{size_download}' " + curl_args + " " + url;
  FILE* curl = ::popen(fetch.c_str(), "r");
  char buf[64] = {0};
  if (!curl || !std::fgets(buf, sizeof(buf), curl)) throw std::runtime_error("cannot scrape " + url);
  ::pclose(curl);
  return buf;
}

// The formats a Prometheus may ask for, one after the other.
const char* const kScrapeArgs[] = {
    "",
    "-H 'Accept: application/openmetrics-text;version=1.0.0'",
    "-H 'Accept: application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited'",
    "-H 'Accept-Encoding: gzip'",
};

constexpr int kScrapes = 20;

struct MemoryRow {
  double before = 0, after_two = 0, after_ten = 0, after_all = 0;  // resident less shared memory, bytes
  double peak = 0;                                                 // the most it held while the scrapes ran, sampled every 2 ms
  double anon = 0;                                                 // its anonymous part after the last scrape (RssAnon)
  std::string text_bytes;
};

// Resident memory before any scrape, after 2, 10 and kScrapes, and at its peak while they ran,
// of a server holding the series.
MemoryRow measure_scrapes(pid_t pid, int port, bool every_format) {
  MemoryRow row;
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/metrics";
  row.before = static_cast<double>(private_rss_bytes(pid));
  std::atomic<bool> scraping{true};
  std::atomic<std::uint64_t> peak{0};
  std::thread sampler([&] {
    while (scraping.load()) {
      const std::uint64_t now = private_rss_bytes(pid);
      if (now > peak.load()) peak.store(now);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  for (int i = 0; i < kScrapes; ++i) {
    const std::string bytes = scrape(url, every_format ? kScrapeArgs[i % 4] : "");
    if (i == 0) row.text_bytes = bytes;
    if (i == 1) row.after_two = static_cast<double>(private_rss_bytes(pid));
    if (i == 9) row.after_ten = static_cast<double>(private_rss_bytes(pid));
  }
  scraping.store(false);
  sampler.join();
  const ResidentMemory last = resident_memory(pid);
  row.after_all = static_cast<double>(last.private_rss);
  row.anon = static_cast<double>(last.anon);
  row.peak = std::max(static_cast<double>(peak.load()), row.after_all);
  return row;
}

// prometheus_cpp_exporter beside this program, serving `series` series; its pid and port.
std::pair<pid_t, int> start_prometheus_cpp(long series) {
  const std::string path =
      (std::filesystem::read_symlink("/proc/self/exe").parent_path() / "prometheus_cpp_exporter").lexically_normal().string();
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = spawn([&] {
    ::dup2(out[1], STDOUT_FILENO);
    const std::string n = std::to_string(series);
    ::execl(path.c_str(), path.c_str(), "--series", n.c_str(), nullptr);
    std::perror("execl prometheus_cpp_exporter");
  });
  ::close(out[1]);
  FILE* from = ::fdopen(out[0], "r");
  int port = 0;
  if (!from || std::fscanf(from, "port=%d", &port) != 1) throw std::runtime_error("prometheus_cpp_exporter did not start");
  std::fclose(from);
  return {pid, port};
}

void memory(const Options& o) {
  std::printf(
      "\nMemory (resident, less the mapped segments) holding N histogram series of 4 labels and 5 buckets, before any scrape,\n"
      "after 2, 10 and %d scrapes, its peak while they ran (sampled every 2 ms) and its anonymous part (RssAnon: what is not\n"
      "pages of the binary and its libraries) after the last: agentmetricsd (its producers in other processes; scraped in turn\n"
      "as text, OpenMetrics, protobuf and gzipped text) beside prometheus-cpp holding and serving the same series (its text\n"
      "format), all in MiB\n\n",
      kScrapes);
  std::printf("%7s | %-47s | %-47s |\n", "", "agentmetricsd", "prometheus-cpp");
  const std::string last = "after " + std::to_string(kScrapes);
  std::printf("%7s | %7s %7s %8s %8s %7s %7s | %7s %7s %8s %8s %7s %7s | %10s\n", "series", "before", "after 2", "after 10", last.c_str(),
              "peak", "anon", "before", "after 2", "after 10", last.c_str(), "peak", "anon", "text bytes");
  auto mib = [](double bytes) { return bytes / 1048576.0; };
  for (const long n : o.series) {
    const std::string ns = "mem-" + std::to_string(::getpid()) + "-" + std::to_string(n);
    const Daemon daemon = start_daemon(o.daemon, ns);
    int ready[2];
    if (::pipe(ready) != 0) throw std::runtime_error("pipe failed");
    std::vector<pid_t> producers;
    for (long p = 0; p * kSeriesPerProducer < n; ++p) {
      const long count = std::min(kSeriesPerProducer, n - p * kSeriesPerProducer);
      producers.push_back(spawn([&] { run_series_producer(ns, p, count, ready[1]); }));
    }
    for (std::size_t p = 0; p < producers.size(); ++p) {
      char c = 0;
      if (::read(ready[0], &c, 1) != 1) throw std::runtime_error("a producer did not finish declaring");
    }
    std::this_thread::sleep_for(std::chrono::seconds(2));  // drained and housekept
    const MemoryRow ours = measure_scrapes(daemon.pid, daemon.port, true);
    for (pid_t p : producers) stop_and_reap(p);
    stop_and_reap(daemon.pid);
    ::close(ready[0]);
    ::close(ready[1]);
    remove_segments(ns);
    remove_daemon_files(daemon);

    std::printf("%7ld | %7.1f %7.1f %8.1f %8.1f %7.1f %7.1f | ", n, mib(ours.before), mib(ours.after_two), mib(ours.after_ten),
                mib(ours.after_all), mib(ours.peak), mib(ours.anon));
    if (o.peer) {
      const auto [peer, peer_port] = start_prometheus_cpp(n);
      const MemoryRow theirs = measure_scrapes(peer, peer_port, false);
      stop_and_reap(peer);
      std::printf("%7.1f %7.1f %8.1f %8.1f %7.1f %7.1f | ", mib(theirs.before), mib(theirs.after_two), mib(theirs.after_ten),
                  mib(theirs.after_all), mib(theirs.peak), mib(theirs.anon));
    } else {
      std::printf("%47s | ", "(not run)");
    }
    std::printf("%10s\n", ours.text_bytes.c_str());
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "load_generator: %s\n", e.what());
    return 2;
  }
  try {
    std::printf("load_generator: %s on %u cores\n", options.daemon.c_str(), std::thread::hardware_concurrency());
    if (options.only.empty() || options.only == "throughput") throughput(options);
    if (options.only.empty() || options.only == "memory") memory(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "load_generator: %s\n", e.what());
    return 1;
  }
  return 0;
}
