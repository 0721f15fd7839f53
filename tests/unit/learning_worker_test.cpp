// The reflection worker: a low-priority thread with its own connection that reflects on
// schedule and on demand, exports the learning metrics, and never holds the store's writer up
// for long (events keep being stored while it reflects over a large history).
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "collector/store/sqlite_event_store.h"
#include "collector/learning/learning_service.h"
#include "collector/learning/reflection_worker.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::learning {
namespace {

using store::SqliteEventStore;
using testing::TempDir;

double now_unix() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

std::vector<ipc::OutcomeEvent> tasks(std::uint64_t producer, std::uint64_t first, std::size_t n, double time) {
  std::vector<ipc::OutcomeEvent> out;
  for (std::size_t i = 0; i < n; ++i) {
    ipc::OutcomeEvent e;
    e.kind = ipc::OutcomeKind::kTask;
    e.producer_id = producer;
    e.sequence = first + i;
    e.time = time;
    const bool success = i % 3 != 0;
    e.fields = {{"agent_type", std::string(i % 2 ? "build" : "plan")},
                {"task_type", std::string(i % 5 ? "feature" : "bugfix")},
                {"stage", std::string("test")},
                {"success", success},
                {"duration_seconds", 60.0 + static_cast<double>(i % 100)},
                {"title", "Task number " + std::to_string(first + i) + " on the parser"},
                {"approach", std::string("small_steps")}};
    if (!success) e.fields["failure_type"] = std::string("test_failure");
    out.push_back(std::move(e));
  }
  return out;
}

// This process's threads that lowered their priority (SCHED_IDLE, or a nice value above the main
// thread's: the suite may itself run under nice), by name.
std::vector<std::string> low_priority_threads() {
  std::vector<std::string> names;
  const int base = getpriority(PRIO_PROCESS, static_cast<id_t>(getpid()));
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    const auto tid = static_cast<pid_t>(std::stol(entry.path().filename().string()));
    std::string name;
    std::getline(std::ifstream(entry.path() / "comm"), name);
    errno = 0;
    const int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(tid));
    if (sched_getscheduler(tid) == SCHED_IDLE || (errno == 0 && nice > base)) names.push_back(name);
  }
  return names;
}

double metric(prometheus::Registry& registry, const std::string& name, const std::string& label_value = {}) {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      if (!label_value.empty() && (m.label.empty() || m.label[0].value != label_value)) continue;
      return family.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return -1;
}

TEST(ReflectionWorker, RunsAtLowPriorityOnDemandAndExportsMetrics) {
  TempDir dir;
  const std::string path = dir.path() + "/events.db";
  {
    auto store = SqliteEventStore::open(path, SqliteEventStore::Mode::kReadWrite);
    store->insert(tasks(1, 1, 30, now_unix() - 3600), now_unix());
    LearningService service(store->handle());
    NewBullet nb;
    nb.content = "Run the tests before pushing";
    service.playbook_add(nb);
  }
  prometheus::Registry registry;
  ReflectionWorkerOptions options;
  options.startup_delay = std::chrono::hours(1);  // no scheduled run in this test
  ReflectionWorker worker(path, std::chrono::hours(24), registry, options);
  worker.start();
  worker.request();
  ASSERT_TRUE(worker.wait_for_runs(1, std::chrono::seconds(60))) << worker.last_error();

  // The round ran on a thread that lowered its own priority (SCHED_IDLE, or nice 19 where that
  // is refused; EventsKeepBeingStoredWhileItReflects watches it from outside). Between rounds no
  // thread is left at low priority: one would hold up the reaping of a killed collector.
  EXPECT_TRUE(worker.priority() == WorkerPriority::kIdle || worker.priority() == WorkerPriority::kNice);
  EXPECT_EQ(low_priority_threads(), std::vector<std::string>{});

  const auto report = worker.last_report();
  ASSERT_TRUE(report);
  EXPECT_EQ((*report)["trigger"], "request");
  ASSERT_EQ((*report)["failure_patterns"].size(), 1u);
  EXPECT_EQ((*report)["failure_patterns"][0]["occurrence_count"], 10);
  EXPECT_EQ((*report)["history_indexed"], 30);

  EXPECT_EQ(metric(registry, "opencode_cass_memory_reflection_runs_total", "ok"), 1);
  EXPECT_EQ(metric(registry, "opencode_cass_memory_reflection_runs_total", "error"), 0);
  // The manual rule, and the test-failure rule and the success rules learned just now.
  EXPECT_EQ(metric(registry, "opencode_cass_memory_rules"), 1 + static_cast<double>((*report)["rules_added"].size()));
  EXPECT_EQ(metric(registry, "opencode_cass_memory_anti_patterns"), 0);
  EXPECT_EQ(metric(registry, "opencode_cass_memory_retired_rules"), 0);
  EXPECT_GT(metric(registry, "opencode_cass_memory_last_reflection_timestamp_seconds"), now_unix() - 120);
  EXPECT_GE(metric(registry, "opencode_cass_memory_reflection_duration_seconds"), 0);

  // On demand again; stop() joins.
  worker.request();
  ASSERT_TRUE(worker.wait_for_runs(2, std::chrono::seconds(60)));
  EXPECT_EQ((*worker.last_report())["history_indexed"], 0);
  worker.stop();
  worker.stop();
  EXPECT_EQ(metric(registry, "opencode_cass_memory_reflection_runs_total", "ok"), 2);
}

TEST(ReflectionWorker, ReflectsWhenTheLastRunIsAnIntervalOld) {
  TempDir dir;
  const std::string path = dir.path() + "/events.db";
  prometheus::Registry registry;
  ReflectionWorkerOptions options;
  options.startup_delay = std::chrono::seconds(0);
  {
    // No reflection yet: one right after the start, then none until the interval passes.
    ReflectionWorker worker(path, std::chrono::hours(1), registry, options);
    worker.start();
    ASSERT_TRUE(worker.wait_for_runs(1, std::chrono::seconds(60))) << worker.last_error();
    EXPECT_FALSE(worker.wait_for_runs(2, std::chrono::milliseconds(500)));
  }
  {
    // Restarted with the last run minutes ago: it waits.
    prometheus::Registry other;
    ReflectionWorker worker(path, std::chrono::hours(1), other, options);
    worker.start();
    EXPECT_FALSE(worker.wait_for_runs(1, std::chrono::milliseconds(700)));
    // A shorter interval makes it due at once.
    worker.set_interval(std::chrono::seconds(1));
    EXPECT_TRUE(worker.wait_for_runs(1, std::chrono::seconds(60)));
  }
}

// A store it cannot open (here its directory is a file) is tried again at the next refresh: the
// reflection that was due fails once and waits for it. Before, it stayed due and was tried again
// at once, so the thread spun on the failing open, thousands of times a second.
TEST(ReflectionWorker, AStoreItCannotOpenIsTriedAgainAtTheNextRefreshNotAtOnce) {
  TempDir dir;
  const std::string not_a_directory = dir.path() + "/file";
  std::ofstream(not_a_directory) << "x";
  prometheus::Registry registry;
  ReflectionWorkerOptions options;
  options.startup_delay = std::chrono::seconds(0);
  options.metrics_refresh = std::chrono::hours(1);
  ReflectionWorker worker(not_a_directory + "/events.db", std::chrono::hours(1), registry, options);
  worker.start();
  ASSERT_TRUE(worker.wait_for_runs(1, std::chrono::seconds(60)));
  EXPECT_FALSE(worker.wait_for_runs(2, std::chrono::milliseconds(500))) << worker.runs() << " runs";
  EXPECT_FALSE(worker.last_error().empty());
  worker.stop();
  EXPECT_EQ(worker.runs(), 1u);
}

TEST(ReflectionWorker, EventsKeepBeingStoredWhileItReflects) {
  TempDir dir;
  const std::string path = dir.path() + "/events.db";
  constexpr std::size_t kHistory = 10000;
  {
    auto store = SqliteEventStore::open(path, SqliteEventStore::Mode::kReadWrite);
    for (std::size_t i = 0; i < kHistory; i += 1000) store->insert(tasks(1, i + 1, 1000, now_unix() - 3600), now_unix());
    LearningService service(store->handle());
  }
  prometheus::Registry registry;
  ReflectionWorkerOptions options;
  options.startup_delay = std::chrono::hours(1);
  ReflectionWorker worker(path, std::chrono::hours(24), registry, options);

  // The "store thread": small batches every few milliseconds on its own connection.
  std::atomic<bool> done{false};
  std::atomic<std::int64_t> worst_ms{0};
  std::atomic<int> batches_during{0};
  std::atomic<bool> reflecting{false};
  std::thread writer([&] {
    auto store = SqliteEventStore::open(path, SqliteEventStore::Mode::kReadWrite);
    std::uint64_t seq = 1;
    while (!done) {
      const auto t0 = std::chrono::steady_clock::now();
      store->insert(tasks(2, seq, 10, now_unix()), now_unix());
      seq += 10;
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
      if (ms > worst_ms) worst_ms = ms;
      if (reflecting) ++batches_during;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  // Which threads ran at low priority meanwhile, seen from outside.
  std::set<std::string> low_priority_seen;
  std::thread watcher([&] {
    while (!done) {
      if (reflecting) {
        for (auto& name : low_priority_threads()) low_priority_seen.insert(name);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  worker.start();
  reflecting = true;
  worker.request();
  const bool ran = worker.wait_for_runs(1, std::chrono::seconds(100));
  reflecting = false;
  done = true;
  writer.join();
  watcher.join();
  ASSERT_TRUE(ran) << worker.last_error();
  const auto report = *worker.last_report();
  EXPECT_GE(report["history_indexed"].get<std::size_t>(), kHistory);
  std::printf("reflection over %zu tasks: %.0f ms; %d insert batches meanwhile, the slowest %lld ms\n", kHistory,
              report["duration_ms"].get<double>(), batches_during.load(), static_cast<long long>(worst_ms.load()));
  // Not a time limit (these machines are shared, and sanitizers slow both sides alike): the
  // writer kept committing during the run, and no batch waited for most of it, as one would if
  // the reflection held the store's write lock while it worked.
  EXPECT_GE(batches_during.load(), 3);
  // The round ran at low priority, and only it: the writer of its transactions did not.
  EXPECT_EQ(low_priority_seen, std::set<std::string>{"am-reflect-idle"});
  EXPECT_LT(static_cast<double>(worst_ms.load()), report["duration_ms"].get<double>() * 0.75);
}

}  // namespace
}  // namespace agentmetrics::learning
