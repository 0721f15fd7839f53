// Writes task events with known titles, for the store's integration tests. Each of --threads
// threads records --events task events titled "<label>-<thread>-<i>", pausing --pause-us
// between events, and keeps the titles the rings accepted. At the end it writes those titles,
// one per line, to --accepted (or stdout) and prints "accepted=N dropped=M" on stderr. Every
// third task fails; with --failure STAGE:TYPE the failed ones say where (stage, failure_type).
#include <agentmetrics/agentmetrics.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  int threads = 1;
  long events = 100;
  long pause_us = 0;
  std::string label = "e";
  std::string accepted_path;
  std::string failed_stage, failure_type;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (a == "--events" && i + 1 < argc) {
      events = std::atol(argv[++i]);
    } else if (a == "--pause-us" && i + 1 < argc) {
      pause_us = std::atol(argv[++i]);
    } else if (a == "--label" && i + 1 < argc) {
      label = argv[++i];
    } else if (a == "--accepted" && i + 1 < argc) {
      accepted_path = argv[++i];
    } else if (a == "--failure" && i + 1 < argc && std::string(argv[i + 1]).find(':') != std::string::npos) {
      const std::string f = argv[++i];
      failed_stage = f.substr(0, f.find(':'));
      failure_type = f.substr(f.find(':') + 1);
    } else {
      std::fprintf(stderr,
                   "usage: outcome_producer [--threads N] [--events N] [--pause-us N] [--label L] [--accepted FILE] "
                   "[--failure STAGE:TYPE]\n");
      return 2;
    }
  }
  std::mutex mutex;
  std::vector<std::string> accepted;
  long dropped = 0;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::vector<std::string> mine;
      long my_drops = 0;
      for (long i = 0; i < events; ++i) {
        const std::string title = label + "-" + std::to_string(t) + "-" + std::to_string(i);
        agentmetrics::Event event("task");
        event.set("agent_type", "soak")
            .set("task_type", label)
            .set("success", i % 3 != 0)
            .set("duration_seconds", static_cast<double>(i % 7));
        event.set("title", title);
        if (i % 3 == 0 && !failed_stage.empty()) event.set("stage", failed_stage).set("failure_type", failure_type);
        if (event.record()) {
          mine.push_back(title);
        } else {
          ++my_drops;
        }
        if (pause_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(pause_us));
      }
      std::lock_guard lock(mutex);
      accepted.insert(accepted.end(), mine.begin(), mine.end());
      dropped += my_drops;
    });
  }
  for (auto& w : workers) w.join();
  std::ofstream file;
  if (!accepted_path.empty()) file.open(accepted_path);
  std::ostream& out = accepted_path.empty() ? std::cout : file;
  for (const auto& title : accepted) out << title << '\n';
  out.flush();
  std::fprintf(stderr, "accepted=%zu dropped=%ld\n", accepted.size(), dropped);
  return 0;
}
