// A producer meant to be killed: --threads threads each loop on one increment of
// am_crash_events_total{producer=<label>,thread=<t>} and, every --event-every rounds, one
// outcome event (a task titled "<label>-<pid>-<t>-<n>"), until --rounds rounds are done
// (0: until killed or stopped). --pause-us N sleeps N microseconds after each round. SIGTERM
// stops the threads after their current round and the process exits 0.
//
// What it has written survives a SIGKILL in --progress FILE, a file the caller creates (at
// least 4096 bytes) and this process maps shared. Per thread, 64 bytes at offset 64 x thread:
//   u64 increments begun, u64 increments done, u64 events begun, u64 events accepted,
//   u64 events refused (the ring was full), then padding
// "Begun" is stored before the call, "done" or "accepted" after it, so what the collector took
// of a thread is within [done, begun] whatever instant the kill came at.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <agentmetrics/agentmetrics.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Progress {
  std::uint64_t increments_begun;
  std::uint64_t increments_done;
  std::uint64_t events_begun;
  std::uint64_t events_accepted;
  std::uint64_t events_refused;
  std::uint64_t padding[3];
};
static_assert(sizeof(Progress) == 64);

std::atomic<bool> g_stop{false};
extern "C" void on_term(int) { g_stop.store(true, std::memory_order_relaxed); }

void store(std::uint64_t& field, std::uint64_t value) { std::atomic_ref<std::uint64_t>(field).store(value, std::memory_order_release); }

}  // namespace

int main(int argc, char** argv) {
  int threads = 2;
  long rounds = 0;
  long event_every = 50;
  long pause_us = 0;
  std::string label = "victim";
  std::string progress_path;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (a == "--rounds" && i + 1 < argc) {
      rounds = std::atol(argv[++i]);
    } else if (a == "--event-every" && i + 1 < argc) {
      event_every = std::atol(argv[++i]);
    } else if (a == "--pause-us" && i + 1 < argc) {
      pause_us = std::atol(argv[++i]);
    } else if (a == "--label" && i + 1 < argc) {
      label = argv[++i];
    } else if (a == "--progress" && i + 1 < argc) {
      progress_path = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: crash_producer --progress FILE [--threads N] [--rounds N] [--event-every N] [--pause-us N] [--label L]\n");
      return 2;
    }
  }
  if (progress_path.empty() || threads < 1 || threads > 64 || event_every < 1) {
    std::fprintf(stderr, "crash_producer: --progress FILE is required; 1 to 64 threads; --event-every >= 1\n");
    return 2;
  }
  const int fd = ::open(progress_path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    std::perror("crash_producer: progress file");
    return 1;
  }
  void* map = ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) {
    std::perror("crash_producer: mmap");
    return 1;
  }
  auto* progress = static_cast<Progress*>(map);
  ::signal(SIGTERM, on_term);

  agentmetrics::CounterFamily family("am_crash_events_total", "Increments of crash_producer threads", {"producer", "thread"});
  const std::string pid = std::to_string(::getpid());
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      Progress& mine = progress[t];
      const auto counter = family.with({label, std::to_string(t)});
      std::uint64_t events = 0;
      for (long i = 0; (rounds == 0 || i < rounds) && !g_stop.load(std::memory_order_relaxed); ++i) {
        store(mine.increments_begun, static_cast<std::uint64_t>(i) + 1);
        counter.inc();
        store(mine.increments_done, static_cast<std::uint64_t>(i) + 1);
        if (i % event_every == 0) {
          agentmetrics::Event event("task");
          event.set("agent_type", "crash").set("task_type", label).set("success", true).set("duration_seconds", 1.0);
          event.set("title", label + "-" + pid + "-" + std::to_string(t) + "-" + std::to_string(events));
          store(mine.events_begun, events + 1);
          if (event.record()) {
            ++events;
            store(mine.events_accepted, events);
          } else {
            store(mine.events_refused, std::atomic_ref<std::uint64_t>(mine.events_refused).load(std::memory_order_relaxed) + 1);
          }
        }
        if (pause_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(pause_us));
      }
    });
  }
  for (auto& w : workers) w.join();
  std::printf("dropped=%llu\n", static_cast<unsigned long long>(agentmetrics::dropped_events()));
  return 0;
}
