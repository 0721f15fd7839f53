// Outcome events per second into the store, through the collector's own store thread
// (store::StoreWriter: batches of up to 1024 events, one transaction each, acknowledged to the
// rings after the commit): into SQLite (one collector, its own file) beside one PostgreSQL 15
// shared by 1 and by 4 collectors (four store threads, four connections, as four sidecars).
// The PostgreSQL server is Debian's postgresql-15, started for the run in a temporary directory
// with fsync and synchronous commits on (a durable server, as deployed). Each collector is fed
// by a thread of its own as fast as its store thread takes events (at most 64k waiting), task
// events of seven fields; the figure is the events committed in --seconds, per second. Both
// stores are on the disk ($AGENTMETRICS_BENCH_DISK_DIR, default /var/tmp), where a commit's
// fsync costs what it costs.
//
// Usage: store_throughput [--seconds T]
#include <prometheus/registry.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "collector/store/store_writer.h"
#include "tests/support/postgres_server.h"

namespace {

using namespace agentmetrics;
using Clock = std::chrono::steady_clock;

ipc::OutcomeEvent task(std::uint64_t producer, std::uint64_t sequence) {
  ipc::OutcomeEvent e;
  e.kind = ipc::OutcomeKind::kTask;
  e.producer_id = producer;
  e.sequence = sequence;
  e.time = 1.76e9 + static_cast<double>(sequence % 86400);
  e.fields = {{"agent_type", std::string("build")},
              {"task_type", std::string("feature")},
              {"success", sequence % 5 != 0},
              {"duration_seconds", static_cast<double>(60 + sequence % 3600)},
              {"title", "task " + std::to_string(sequence) + " of producer " + std::to_string(producer)},
              {"tokens_input", static_cast<double>(1000 + sequence % 50000)},
              {"cost_usd", 0.01 * static_cast<double>(sequence % 300)}};
  return e;
}

struct Row {
  double events_per_second;
  std::uint64_t committed;
};

// `collectors` store threads writing to `options` for `seconds`.
Row run(const store::StoreOptions& options, int collectors, double seconds, std::uint64_t producer_base) {
  std::vector<std::unique_ptr<prometheus::Registry>> registries;
  std::vector<std::unique_ptr<store::StoreWriter>> writers;
  std::vector<std::shared_ptr<store::RingAcks>> acks;
  for (int c = 0; c < collectors; ++c) {
    registries.push_back(std::make_unique<prometheus::Registry>());
    writers.push_back(std::make_unique<store::StoreWriter>(options, *registries.back()));
    writers.back()->start();
    acks.push_back(std::make_shared<store::RingAcks>());
  }
  std::atomic<bool> stop{false};
  std::vector<std::thread> feeders;
  const auto start = Clock::now();
  for (int c = 0; c < collectors; ++c) {
    feeders.emplace_back([&, c] {
      const std::uint64_t producer = producer_base + static_cast<std::uint64_t>(c);
      for (std::uint64_t ticket = 1; !stop.load(std::memory_order_relaxed);) {
        if (writers[c]->queued() > 65536) {
          std::this_thread::sleep_for(std::chrono::microseconds(200));
          continue;
        }
        for (int i = 0; i < 256; ++i, ++ticket) writers[c]->submit({task(producer, ticket), acks[c], ticket, false});
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  std::uint64_t committed = 0;
  for (const auto& a : acks) committed += a->committed.load(std::memory_order_acquire);
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  stop = true;
  for (auto& t : feeders) t.join();
  for (auto& w : writers) w->stop(std::chrono::milliseconds(60000));
  return {static_cast<double>(committed) / elapsed, committed};
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 5;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::stod(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: store_throughput [--seconds T]\n");
      return 2;
    }
  }
  // On the disk, both of them: on tmpfs a commit's fsync would cost nothing.
  const char* disk_dir = std::getenv("AGENTMETRICS_BENCH_DISK_DIR");
  const std::string disk = disk_dir && *disk_dir ? disk_dir : "/var/tmp";
  std::string made = disk + "/am-store-bench-XXXXXX";
  if (!::mkdtemp(made.data())) {
    std::fprintf(stderr, "store_throughput: cannot make a directory in %s\n", disk.c_str());
    return 1;
  }
  struct Remove {
    std::string path;
    ~Remove() { std::filesystem::remove_all(path); }
  } const remove{made};
  testing::PostgresServer server({.durable = true, .data_parent = disk});
  std::printf("%-44s %14s %12s\n", "store", "events/s", "committed");
  store::StoreOptions sqlite;
  sqlite.path = made + "/store/events.db";
  const Row s = run(sqlite, 1, seconds, 1000);
  std::printf("%-44s %14.0f %12llu\n", "SQLite (WAL, synchronous=NORMAL), 1 collector", s.events_per_second,
              static_cast<unsigned long long>(s.committed));
  for (const int collectors : {1, 4}) {
    store::StoreOptions team;
    team.url = server.fresh_database("bench" + std::to_string(collectors));
    team.path = made + "/team" + std::to_string(collectors) + "/events.db";
    team.spool_path = made + "/team" + std::to_string(collectors) + "/team-spool.db";
    const Row p = run(team, collectors, seconds, 2000 + 10 * static_cast<std::uint64_t>(collectors));
    std::printf("%-44s %14.0f %12llu\n",
                ("PostgreSQL 15 (fsync on), " + std::to_string(collectors) + " collector" + (collectors > 1 ? "s" : "")).c_str(),
                p.events_per_second, static_cast<unsigned long long>(p.committed));
  }
  return 0;
}
