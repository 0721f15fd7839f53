// Doorbell-to-drain wake-up latency: the time from a producer publishing one counter increment
// to an idle collector (its drain thread asleep on the segment's doorbell) until the collector
// has drained it, in both wait modes (FUTEX_WAITV on io_uring, and the futex_waitv system call
// of the poll mode). It is the latency the doorbell costs in exchange for an idle collector
// that uses no CPU. Peers in the same binary and run, measured the same way:
//  - LTTng's consumer wake-up: one byte down a pipe to a thread blocked in read(2);
//  - a consumer that polls with a 1 ms sleep (the naive back-off).
// Each sample first leaves the consumer alone for a random 2-5 ms (outside the measured time;
// random so that the sleep-polling peer's period does not lock onto ours) and checks in /proc
// that it sleeps; then it times publish -> consumed while the waiter spins with yields (on 2
// cores a tight spin would compete with the consumer it waits for).
// Where the woken consumer runs dominates the figure (waking an idle core costs far more than
// the wake-up itself, most of all in a VM), so every consumer is measured three ways: where
// the scheduler puts it, pinned to the waiter's core, and pinned to another core.
// Counters: p50_us and p99_us over the samples of a run; asleep, the fraction of samples whose
// consumer was asleep when the event was published (1 = all); wakeups, the consumer's
// voluntary context switches per sample (1 = it slept once per event). The label is the kernel
// function the consumer slept in (wchan).
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <agentmetrics/agentmetrics.hpp>
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "collector/daemon/collector.h"
#include "collector/common/log.h"
#include "ipc/segment_name.h"

namespace {

using Clock = std::chrono::steady_clock;
using agentmetrics::collector::Collector;
using agentmetrics::collector::WaitMode;

// Left to the consumer before each sample, so that it has drained the previous event and
// gone back to sleep: a random time in this range.
constexpr int kFallAsleepMinUs = 2000;
constexpr int kFallAsleepMaxUs = 5000;
// A consumer still awake after that pause (the collector's housekeeping) is given up to this
// many more milliseconds.
constexpr int kExtraAsleepChecks = 20;
constexpr benchmark::IterationCount kSamplesPerRun = 300;

// A thread of this process as /proc shows it.
class ThreadProbe {
 public:
  explicit ThreadProbe(pid_t tid) : tid_(tid), dir_("/proc/self/task/" + std::to_string(tid) + "/") {}

  pid_t tid() const { return tid_; }

  // The thread named `name` (pthread_setname_np), waited for up to 2 s.
  static std::optional<ThreadProbe> find(const std::string& name) {
    const auto deadline = Clock::now() + std::chrono::seconds(2);
    do {
      for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream comm(task.path() / "comm");
        std::string line;
        if (std::getline(comm, line) && line == name) return ThreadProbe(std::stoi(task.path().filename().string()));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } while (Clock::now() < deadline);
    return std::nullopt;
  }

  // State S: blocked in the kernel, waiting for an event.
  bool asleep() const {
    const std::string stat = read("stat");
    const auto close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'S';
  }
  // The kernel function the thread sleeps in.
  std::string wchan() const { return read("wchan"); }
  std::uint64_t voluntary_switches() const {
    std::istringstream status(read("status"));
    std::string line;
    const std::string key = "voluntary_ctxt_switches:";
    while (std::getline(status, line)) {
      if (line.rfind(key, 0) == 0) return std::stoull(line.substr(key.size()));
    }
    return 0;
  }

 private:
  std::string read(const char* file) const {
    std::ifstream in(dir_ + file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }
  pid_t tid_;
  std::string dir_;
};

// Where the consumer runs relative to the waiter (the thread that publishes and then spins).
enum class Placement { kScheduler, kSameCore, kOtherCore };

// Pins the waiter (the calling thread) and the consumer for one benchmark; undone on leaving.
class PlacementScope {
 public:
  PlacementScope(Placement placement, pid_t consumer) : consumer_(consumer) {
    ::sched_getaffinity(0, sizeof(waiter_cpus_), &waiter_cpus_);
    ::sched_getaffinity(consumer_, sizeof(consumer_cpus_), &consumer_cpus_);
    std::vector<int> cpus;
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &waiter_cpus_)) cpus.push_back(cpu);
    }
    if (placement == Placement::kScheduler) return;
    if (placement == Placement::kOtherCore && cpus.size() < 2) {
      error_ = "needs two cores";
      return;
    }
    pin(0, cpus[0]);
    pin(consumer_, placement == Placement::kSameCore ? cpus[0] : cpus[1]);
  }
  ~PlacementScope() {
    ::sched_setaffinity(0, sizeof(waiter_cpus_), &waiter_cpus_);
    ::sched_setaffinity(consumer_, sizeof(consumer_cpus_), &consumer_cpus_);
  }
  PlacementScope(const PlacementScope&) = delete;
  PlacementScope& operator=(const PlacementScope&) = delete;

  // Empty, or why the placement could not be made.
  const std::string& error() const { return error_; }

 private:
  void pin(pid_t tid, int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (::sched_setaffinity(tid, sizeof(set), &set) != 0) error_ = std::string("sched_setaffinity: ") + std::strerror(errno);
  }

  pid_t consumer_;
  cpu_set_t waiter_cpus_{};
  cpu_set_t consumer_cpus_{};
  std::string error_;
};

double percentile(std::vector<double> samples, double fraction) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  const auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(samples.size())));
  return samples[std::clamp<std::size_t>(rank, 1, samples.size()) - 1];
}

// The measurement shared by agentmetrics and its peers: per sample, let `consumer` fall
// asleep, then time publish() until consumed() moves.
template <typename Publish, typename Consumed>
void measure_wakeups(benchmark::State& state, Placement placement, const ThreadProbe& consumer, Publish publish, Consumed consumed) {
  const PlacementScope pinned(placement, consumer.tid());
  if (!pinned.error().empty()) {
    state.SkipWithError(pinned.error().c_str());
    return;
  }
  std::mt19937 random(42);
  std::uniform_int_distribution<int> fall_asleep_us(kFallAsleepMinUs, kFallAsleepMaxUs);
  std::vector<double> samples_us;
  samples_us.reserve(static_cast<std::size_t>(state.max_iterations));
  std::size_t asleep_at_publish = 0;
  std::map<std::string, int> sleeping_in;
  const std::uint64_t switches_before = consumer.voluntary_switches();
  for (auto _ : state) {
    std::this_thread::sleep_for(std::chrono::microseconds(fall_asleep_us(random)));
    bool asleep = consumer.asleep();
    for (int i = 0; !asleep && i < kExtraAsleepChecks; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      asleep = consumer.asleep();
    }
    if (asleep) {
      ++asleep_at_publish;
      ++sleeping_in[consumer.wchan()];
    }
    const std::uint64_t before = consumed();
    const auto t0 = Clock::now();
    publish();
    while (consumed() == before) std::this_thread::yield();
    const std::chrono::duration<double> elapsed = Clock::now() - t0;
    state.SetIterationTime(elapsed.count());
    samples_us.push_back(elapsed.count() * 1e6);
  }
  const auto samples = static_cast<double>(samples_us.size());
  state.counters["p50_us"] = percentile(samples_us, 0.50);
  state.counters["p99_us"] = percentile(samples_us, 0.99);
  state.counters["asleep"] = static_cast<double>(asleep_at_publish) / samples;
  state.counters["wakeups"] = static_cast<double>(consumer.voluntary_switches() - switches_before) / samples;
  const auto most_common =
      std::max_element(sleeping_in.begin(), sleeping_in.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  if (most_common != sleeping_in.end()) state.SetLabel("slept in " + most_common->first);
}

// --- agentmetrics: an in-process collector draining this process's own segment ---

const agentmetrics::Counter& published_counter() {
  static agentmetrics::CounterFamily family("wakeup_bench_events_total", "Events published by wakeup_bench");
  static const agentmetrics::Counter counter = family.with({});
  return counter;
}

// One collector at a time, in this process: the io_uring one is replaced by the poll one when
// the benchmarks move on to it. Its event loop is not run, so it attaches only the segments
// its start-up scan finds: main() creates ours before the first collector starts.
std::unique_ptr<Collector> g_collector;

Collector& collector_waiting_with(WaitMode mode) {
  static WaitMode current_mode = WaitMode::kAuto;
  if (!g_collector || current_mode != mode) {
    g_collector.reset();
    agentmetrics::collector::Config config;
    config.listen_address = "127.0.0.1:0";
    config.ns = std::getenv("AGENTMETRICS_NAMESPACE");
    config.shards = 1;
    config.store.enabled = false;  // these benchmarks measure metrics, not the outcome store
    config.wait_mode = mode;
    g_collector = std::make_unique<Collector>(config);
    current_mode = mode;
  }
  return *g_collector;
}

void BM_Agentmetrics_DoorbellToDrain(benchmark::State& state, WaitMode mode, Placement placement) {
  Collector& collector = collector_waiting_with(mode);
  const auto drain_thread = ThreadProbe::find("am-drain-0");
  if (!drain_thread) {
    state.SkipWithError("no drain thread named am-drain-0");
    return;
  }
  const auto drained = [&collector] { return static_cast<std::uint64_t>(collector.events_drained()); };
  const agentmetrics::Counter& counter = published_counter();
  // The first event proves that this collector drains our segment at all.
  const std::uint64_t before = drained();
  counter.inc();
  const auto deadline = Clock::now() + std::chrono::seconds(3);
  while (drained() == before && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (drained() == before) {
    state.SkipWithError("the collector did not drain the first event within 3 s");
    return;
  }
  measure_wakeups(
      state, placement, *drain_thread, [&counter] { counter.inc(); }, drained);
}

// --- peers ---

// LTTng's way of waking a consumer: the producer writes one byte to a pipe; the consumer
// thread, blocked in read(2), wakes and takes the event (here: counts it).
class PipeConsumer {
 public:
  PipeConsumer() {
    if (::pipe2(fds_, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
    thread_ = std::thread([this] { run(); });
    while (tid_.load(std::memory_order_acquire) == 0) std::this_thread::yield();
  }
  ~PipeConsumer() {
    ::close(fds_[1]);  // read(2) returns 0: the consumer leaves
    thread_.join();
    ::close(fds_[0]);
  }
  PipeConsumer(const PipeConsumer&) = delete;
  PipeConsumer& operator=(const PipeConsumer&) = delete;

  void publish() {
    const char byte = 1;
    if (::write(fds_[1], &byte, 1) != 1) std::abort();
  }
  std::uint64_t consumed() const { return consumed_.load(std::memory_order_acquire); }
  ThreadProbe probe() const { return ThreadProbe(tid_.load(std::memory_order_acquire)); }

 private:
  void run() {
    tid_.store(::gettid(), std::memory_order_release);
    for (;;) {
      char byte = 0;
      const ssize_t n = ::read(fds_[0], &byte, 1);
      if (n == 1) {
        consumed_.fetch_add(1, std::memory_order_release);
      } else if (n == 0 || errno != EINTR) {
        return;  // the write end was closed
      }
    }
  }

  int fds_[2] = {-1, -1};
  std::atomic<std::uint64_t> consumed_{0};
  std::atomic<pid_t> tid_{0};
  std::thread thread_;
};

void BM_Peer_PipeToBlockedReader(benchmark::State& state, Placement placement) {
  PipeConsumer consumer;
  measure_wakeups(
      state, placement, consumer.probe(), [&consumer] { consumer.publish(); }, [&consumer] { return consumer.consumed(); });
}

// The naive back-off: the consumer looks for work, and sleeps 1 ms when there is none.
class SleepPollingConsumer {
 public:
  SleepPollingConsumer() {
    thread_ = std::thread([this] { run(); });
    while (tid_.load(std::memory_order_acquire) == 0) std::this_thread::yield();
  }
  ~SleepPollingConsumer() {
    stopping_.store(true, std::memory_order_release);
    thread_.join();
  }
  SleepPollingConsumer(const SleepPollingConsumer&) = delete;
  SleepPollingConsumer& operator=(const SleepPollingConsumer&) = delete;

  void publish() { published_.fetch_add(1, std::memory_order_release); }
  std::uint64_t consumed() const { return consumed_.load(std::memory_order_acquire); }
  ThreadProbe probe() const { return ThreadProbe(tid_.load(std::memory_order_acquire)); }

 private:
  void run() {
    tid_.store(::gettid(), std::memory_order_release);
    while (!stopping_.load(std::memory_order_acquire)) {
      const std::uint64_t available = published_.load(std::memory_order_acquire);
      if (available != consumed_.load(std::memory_order_relaxed)) {
        consumed_.store(available, std::memory_order_release);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
  }

  std::atomic<std::uint64_t> published_{0};
  std::atomic<std::uint64_t> consumed_{0};
  std::atomic<bool> stopping_{false};
  std::atomic<pid_t> tid_{0};
  std::thread thread_;
};

void BM_Peer_SleepPoll1ms(benchmark::State& state, Placement placement) {
  SleepPollingConsumer consumer;
  measure_wakeups(
      state, placement, consumer.probe(), [&consumer] { consumer.publish(); }, [&consumer] { return consumer.consumed(); });
}

void remove_own_segments(const std::string& ns) {
  for (const auto& entry : std::filesystem::directory_iterator("/dev/shm")) {
    if (agentmetrics::ipc::parse_segment_file_name(entry.path().filename().string(), ns)) std::filesystem::remove(entry.path());
  }
}

}  // namespace

#define WAKEUP_BENCHMARK(function, name, ...) \
  BENCHMARK_CAPTURE(function, name, __VA_ARGS__)->Iterations(kSamplesPerRun)->UseManualTime()->Unit(benchmark::kMicrosecond)

WAKEUP_BENCHMARK(BM_Agentmetrics_DoorbellToDrain, io_uring / scheduler, WaitMode::kIoUring, Placement::kScheduler);
WAKEUP_BENCHMARK(BM_Agentmetrics_DoorbellToDrain, io_uring / same_core, WaitMode::kIoUring, Placement::kSameCore);
WAKEUP_BENCHMARK(BM_Agentmetrics_DoorbellToDrain, io_uring / other_core, WaitMode::kIoUring, Placement::kOtherCore);
WAKEUP_BENCHMARK(BM_Agentmetrics_DoorbellToDrain, poll / scheduler, WaitMode::kPoll, Placement::kScheduler);
WAKEUP_BENCHMARK(BM_Agentmetrics_DoorbellToDrain, poll / same_core, WaitMode::kPoll, Placement::kSameCore);
WAKEUP_BENCHMARK(BM_Agentmetrics_DoorbellToDrain, poll / other_core, WaitMode::kPoll, Placement::kOtherCore);
WAKEUP_BENCHMARK(BM_Peer_PipeToBlockedReader, scheduler, Placement::kScheduler);
WAKEUP_BENCHMARK(BM_Peer_PipeToBlockedReader, same_core, Placement::kSameCore);
WAKEUP_BENCHMARK(BM_Peer_PipeToBlockedReader, other_core, Placement::kOtherCore);
WAKEUP_BENCHMARK(BM_Peer_SleepPoll1ms, scheduler, Placement::kScheduler);
WAKEUP_BENCHMARK(BM_Peer_SleepPoll1ms, same_core, Placement::kSameCore);
WAKEUP_BENCHMARK(BM_Peer_SleepPoll1ms, other_core, Placement::kOtherCore);

int main(int argc, char** argv) {
  const std::string ns = "wakeup-bench-" + std::to_string(::getpid());
  ::setenv("AGENTMETRICS_NAMESPACE", ns.c_str(), 1);
  agentmetrics::configure_logging(agentmetrics::LogLevel::kWarn, false);
  // The segment must exist before the first collector's start-up scan (see g_collector).
  published_counter();
  if (!agentmetrics::connected()) {
    std::fprintf(stderr, "wakeup_bench: no segment: %s\n", agentmetrics::last_error().c_str());
    return 1;
  }
  // Defaults the command line overrides (a later flag wins): figures are medians over runs,
  // and the runs are interleaved so that a burst of load elsewhere hits every benchmark alike.
  std::vector<std::string> defaults = {"--benchmark_repetitions=9", "--benchmark_enable_random_interleaving=true",
                                       "--benchmark_display_aggregates_only=true"};
  std::vector<char*> args = {argv[0]};
  for (auto& d : defaults) args.push_back(d.data());
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
  int arg_count = static_cast<int>(args.size());
  benchmark::Initialize(&arg_count, args.data());
  if (benchmark::ReportUnrecognizedArguments(arg_count, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  g_collector.reset();
  // This process's segment: no collector will reclaim it once we are gone.
  remove_own_segments(ns);
  return 0;
}
