// Idle CPU of the real agentmetricsd. The daemon's promise: an idle collector uses no
// measurable CPU (no busy polling, at most one housekeeping wake-up a second), however many
// idle segments it holds. For each wait mode (io_uring, poll) this starts the daemon as a child,
// in a namespace of its own, with one idle producer attached (a child that declares a counter,
// then sleeps) or, with --segments N, N idle segments of --rings R rings each (published by
// tests/tools/segment_flood, which holds them and never writes), lets it settle for a second,
// then measures over N seconds (default 60) the daemon's CPU time (utime + stime of
// /proc/PID/stat, in clock ticks) and how often its threads woke (voluntary + nonvoluntary
// context switches summed over /proc/PID/task/*/status). The on-CPU time of /proc/.../schedstat
// is shown beside the tick count, which is too coarse to see a rarely running process. The peer,
// measured the same way in the same run: a process that polls with a 1 ms sleep, the naive
// back-off.
//
// Usage: idle_cpu [PATH/TO/agentmetricsd] [--seconds N] [--segments N [--rings R]]
//        (default daemon: ../bin/agentmetricsd beside this program's directory)
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <agentmetrics/agentmetrics.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_process.h"
#include "ipc/segment_name.h"

namespace {

using namespace agentmetrics::bench;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr auto kSettle = std::chrono::seconds(1);
constexpr auto kStartLimit = std::chrono::seconds(10);

struct Options {
  std::string daemon;
  double seconds = 60;
  int segments = 0;  // 0: one idle producer of the client library
  int rings = 256;
};

std::uint64_t context_switches(const fs::path& status_path) {
  std::istringstream status(read_file(status_path));
  std::uint64_t total = 0;
  for (std::string line; std::getline(status, line);) {
    // voluntary_ctxt_switches and nonvoluntary_ctxt_switches
    if (line.find("ctxt_switches:") != std::string::npos) total += std::stoull(line.substr(line.find(':') + 1));
  }
  return total;
}

struct ThreadSample {
  std::string name;
  std::uint64_t switches = 0;
  std::uint64_t on_cpu_ns = 0;
};

struct ProcessSample {
  double cpu_seconds = 0;
  std::map<pid_t, ThreadSample> threads;
};

ProcessSample sample_process(pid_t pid) {
  const fs::path dir = "/proc/" + std::to_string(pid);
  ProcessSample s;
  s.cpu_seconds = cpu_seconds(pid);
  for (const auto& task : fs::directory_iterator(dir / "task")) {
    ThreadSample t;
    std::istringstream(read_file(task.path() / "comm")) >> t.name;
    t.switches = context_switches(task.path() / "status");
    std::istringstream(read_file(task.path() / "schedstat")) >> t.on_cpu_ns;
    s.threads[static_cast<pid_t>(std::stol(task.path().filename().string()))] = t;
  }
  return s;
}

struct ThreadGroup {
  int threads = 0;
  double wakeups_per_second = 0;
  double on_cpu_seconds = 0;
};

struct IdleFigures {
  std::string what;
  std::string drain_waits_with;
  double cpu_seconds = 0;
  double on_cpu_seconds = 0;
  double wakeups_per_second = 0;
  std::map<std::string, ThreadGroup> by_thread_name;
};

// Measures `pid` over `seconds`. Threads started during the window count from zero; the
// switches of threads that ended during it are lost (none do in an idle daemon).
IdleFigures measure_idle(pid_t pid, double seconds) {
  const ProcessSample before = sample_process(pid);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const ProcessSample after = sample_process(pid);
  IdleFigures f;
  f.cpu_seconds = after.cpu_seconds - before.cpu_seconds;
  for (const auto& [tid, end] : after.threads) {
    const auto start = before.threads.find(tid);
    const ThreadSample zero;
    const ThreadSample& begin = start == before.threads.end() ? zero : start->second;
    const double wakeups = static_cast<double>(end.switches - begin.switches) / seconds;
    const double on_cpu = static_cast<double>(end.on_cpu_ns - begin.on_cpu_ns) / 1e9;
    f.on_cpu_seconds += on_cpu;
    f.wakeups_per_second += wakeups;
    ThreadGroup& group = f.by_thread_name[end.name];
    ++group.threads;
    group.wakeups_per_second += wakeups;
    group.on_cpu_seconds += on_cpu;
  }
  return f;
}

// Creates its segment in `ns`, declares one counter, then sleeps until it is terminated.
pid_t spawn_idle_producer(const std::string& ns) {
  return spawn([&] {
    ::setenv(agentmetrics::ipc::kNamespaceEnv, ns.c_str(), 1);
    agentmetrics::CounterFamily family("idle_cpu_events_total", "Declared by idle_cpu's idle producer, never incremented");
    family.with({});
    if (!agentmetrics::connected()) {
      std::fprintf(stderr, "idle_cpu: the idle producer has no segment: %s\n", agentmetrics::last_error().c_str());
      ::_exit(1);
    }
    for (;;) ::pause();
  });
}

// The peer: a consumer that looks for work every millisecond.
pid_t spawn_sleep_poller() {
  return spawn([] {
    volatile std::uint64_t work_seen = 0;
    for (;;) {
      work_seen = work_seen + 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
}

// Publishes `segments` idle segments of `rings` rings in `ns`, held by one child that never
// writes to them.
pid_t spawn_segment_flood(const std::string& ns, int segments, int rings) {
  return spawn([&] {
    ::setenv(agentmetrics::ipc::kNamespaceEnv, ns.c_str(), 1);
    const std::string n = std::to_string(segments), r = std::to_string(rings);
    ::execl(AM_SEGMENT_FLOOD_BINARY, AM_SEGMENT_FLOOD_BINARY, "--segments", n.c_str(), "--rings", r.c_str(), nullptr);
    std::perror("idle_cpu: execl segment_flood");
  });
}

// True once `daemon` has mapped `count` segments of `ns` (it attached them).
bool wait_until_attached(pid_t daemon, const std::string& ns, int count) {
  const std::string segment_prefix = "/dev/shm/agentmetrics." + ns + ".";
  const auto deadline = Clock::now() + kStartLimit;
  while (Clock::now() < deadline && !exited(daemon)) {
    const std::string maps = read_file("/proc/" + std::to_string(daemon) + "/maps");
    int mapped = 0;
    for (auto at = maps.find(segment_prefix); at != std::string::npos; at = maps.find(segment_prefix, at + 1)) ++mapped;
    if (mapped >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::optional<IdleFigures> measure_daemon(const Options& options, const std::string& mode) {
  const std::string ns = "idle-cpu-" + std::to_string(::getpid()) + "-" + mode;
  // Room for every segment under one owner.
  const fs::path config = fs::temp_directory_path() / ("agentmetrics-bench-" + ns + ".yml");
  std::ofstream(config) << "collector:\n  maxSegments: " << std::max(1024, options.segments)
                        << "\n  maxSegmentsPerOwner: " << std::max(1024, options.segments) << "\n";
  const Daemon daemon = start_daemon(options.daemon, ns, {"--wait-mode=" + mode, "--config=" + config.string()});
  const pid_t producer = options.segments > 0 ? spawn_segment_flood(ns, options.segments, options.rings) : spawn_idle_producer(ns);
  std::optional<IdleFigures> figures;
  if (wait_until_attached(daemon.pid, ns, std::max(1, options.segments))) {
    std::this_thread::sleep_for(kSettle);
    figures = measure_idle(daemon.pid, options.seconds);
    figures->what = log_value(daemon.log, "collector started", "wait_mode");
    figures->drain_waits_with = log_value(daemon.log, "drain threads wait on doorbells", "with");
  } else {
    std::fprintf(stderr, "idle_cpu: agentmetricsd (--wait-mode=%s) did not attach the producer's segment; its log:\n%s\n", mode.c_str(),
                 read_file(daemon.log).c_str());
  }
  stop_and_reap(producer);
  stop_and_reap(daemon.pid);
  remove_segments(ns);
  remove_daemon_files(daemon);
  fs::remove(config);
  return figures;
}

IdleFigures measure_sleep_poller(double seconds) {
  const pid_t poller = spawn_sleep_poller();
  std::this_thread::sleep_for(kSettle);
  IdleFigures figures = measure_idle(poller, seconds);
  figures.what = "peer: 1 ms sleep poll";
  figures.drain_waits_with = "nanosleep";
  stop_and_reap(poller);
  return figures;
}

void print_table(const std::vector<IdleFigures>& rows, double seconds, const std::string& what_is_attached) {
  std::printf("\nIdle over %.0f s (after %lld s settling), %s attached to the collector:\n\n", seconds,
              static_cast<long long>(kSettle.count()), what_is_attached.c_str());
  std::printf("%-22s %-12s %10s %10s %12s %11s\n", "mode", "waits with", "CPU s", "CPU %", "on-CPU ms", "wake-ups/s");
  for (const auto& r : rows) {
    std::printf("%-22s %-12s %10.2f %10.3f %12.2f %11.2f\n", r.what.c_str(), r.drain_waits_with.c_str(), r.cpu_seconds,
                100.0 * r.cpu_seconds / seconds, r.on_cpu_seconds * 1e3, r.wakeups_per_second);
  }
  std::printf(
      "\n(CPU s: utime + stime, clock ticks of 1/%ld s; on-CPU ms: schedstat run time; wake-ups/s: voluntary +\n"
      "nonvoluntary context switches of all threads, per second)\n",
      ::sysconf(_SC_CLK_TCK));
  for (const auto& r : rows) {
    std::printf("\nper thread, %s (threads of one name together):\n  %-24s %11s %12s\n", r.what.c_str(), "thread", "wake-ups/s",
                "on-CPU ms");
    for (const auto& [name, group] : r.by_thread_name) {
      const std::string label = group.threads > 1 ? name + " x" + std::to_string(group.threads) : name;
      std::printf("  %-24s %11.2f %12.2f\n", label.c_str(), group.wakeups_per_second, group.on_cpu_seconds * 1e3);
    }
  }
}

Options parse_options(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--seconds" && i + 1 < argc) {
      o.seconds = std::atof(argv[++i]);
    } else if (a == "--segments" && i + 1 < argc) {
      o.segments = std::atoi(argv[++i]);
    } else if (a == "--rings" && i + 1 < argc) {
      o.rings = std::atoi(argv[++i]);
    } else if (!a.empty() && a[0] != '-' && o.daemon.empty()) {
      o.daemon = a;
    } else {
      throw std::invalid_argument("usage: idle_cpu [PATH/TO/agentmetricsd] [--seconds N] [--segments N [--rings R]]");
    }
  }
  if (!(o.seconds > 0)) throw std::invalid_argument("--seconds must be a positive number");
  if (o.segments < 0 || o.rings < 1 || o.rings > 256) throw std::invalid_argument("--segments must be 0 or more, --rings 1 to 256");
  if (o.segments > 0 && std::string(AM_SEGMENT_FLOOD_BINARY).empty())
    throw std::invalid_argument("--segments needs tests/tools/segment_flood: build with -DAGENTMETRICS_TESTS=ON");
  if (o.daemon.empty()) o.daemon = default_daemon_path();
  if (::access(o.daemon.c_str(), X_OK) != 0) throw std::invalid_argument("no agentmetricsd at " + o.daemon + " (pass its path)");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "idle_cpu: %s\n", e.what());
    return 2;
  }
  std::printf("idle_cpu: %s, %.0f s per mode\n", options.daemon.c_str(), options.seconds);
  std::fflush(stdout);
  std::vector<IdleFigures> rows;
  for (const char* mode : {"io_uring", "poll"}) {
    auto figures = measure_daemon(options, mode);
    if (!figures) return 1;
    rows.push_back(std::move(*figures));
  }
  rows.push_back(measure_sleep_poller(options.seconds));
  print_table(rows, options.seconds,
              options.segments > 0 ? std::to_string(options.segments) + " idle segments of " + std::to_string(options.rings) + " rings"
                                   : "one idle producer");
  return 0;
}
