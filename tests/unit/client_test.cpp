// The client library in a real process against its real segment, read back with the
// collector's own code.
#include <dirent.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <agentmetrics/agentmetrics.h>
#include <agentmetrics/agentmetrics.hpp>
#include <cstdlib>
#include <thread>

#include "collector/drain/attached_segment.h"
#include "agent/client.h"
#include "ipc/outcome_event.h"
#include "collector/drain/fault_guard.h"
#include "ipc/segment_name.h"
#include "tests/support/aggregates.h"

using namespace agentmetrics;
using namespace agentmetrics::collector;

namespace {

std::string g_namespace;

std::vector<std::string> segment_names() {
  std::vector<std::string> names;
  DIR* dir = ::opendir("/dev/shm");
  while (const dirent* e = ::readdir(dir)) {
    if (ipc::parse_segment_file_name(e->d_name, g_namespace)) names.push_back(e->d_name);
  }
  ::closedir(dir);
  return names;
}

// Reads this process's (or a child's) segment with the collector's code.
struct Reader {
  FamilyRegistry registry;
  SelfMetrics metrics;
  Shard shard;
  int dirfd = ::open("/dev/shm", O_DIRECTORY | O_RDONLY);
  std::vector<std::unique_ptr<AttachedSegment>> segments;

  Reader() {
    install_fault_handler();
    for (const auto& name : segment_names()) {
      auto r = AttachedSegment::attach(dirfd, name, AttachPolicy{{::getuid()}});
      segments.push_back(std::move(std::get<std::unique_ptr<AttachedSegment>>(r)));
    }
  }
  ~Reader() { ::close(dirfd); }
  void drain() {
    for (auto& s : segments) {
      while (s->drain(shard, registry, metrics) > 0) {}
      s->sync_declarations(shard, registry, metrics);
      EXPECT_FALSE(s->failed()) << s->failure_detail();
    }
  }
  double value(const std::string& name, const std::vector<std::string>& labels) {
    return agentmetrics::testing::series_value(registry, name, labels);
  }
};

}  // namespace

TEST(Client, RecordsThroughResolvedHandles) {
  CounterFamily family("client_events_total", "events", {"kind", "source"});
  const Counter a = family.with({"a", "x"});
  const Counter b = family.labels({{"source", "y"}, {"kind", "b"}});
  GaugeFamily gauge_family("client_level", "level");
  HistogramFamily hist_family("client_seconds", "seconds", {}, {0.1, 1});
  for (int i = 0; i < 100; ++i) a.inc();
  b.add(2.5);
  gauge_family.with({}).set(7);
  gauge_family.with({}).add(-2);
  hist_family.with({}).observe(0.5);
  EXPECT_TRUE(connected());
  EXPECT_EQ(last_error(), "");
  Reader reader;
  reader.drain();
  EXPECT_EQ(reader.value("client_events_total", {"a", "x"}), 100);
  EXPECT_EQ(reader.value("client_events_total", {"b", "y"}), 2.5);
  EXPECT_EQ(reader.value("client_level", {}), 5);
  EXPECT_EQ(reader.value("client_seconds", {}), 1);
}

TEST(Client, RefusesBadDeclarations) {
  EXPECT_THROW(CounterFamily("bad name", "h"), std::invalid_argument);
  EXPECT_THROW(CounterFamily("ok_total", "h", {"__reserved"}), std::invalid_argument);
  EXPECT_THROW(HistogramFamily("h_seconds", "h", {}, {2, 1}), std::invalid_argument);
  CounterFamily twice("twice_total", "h", {"a"});
  EXPECT_NO_THROW(CounterFamily("twice_total", "h", {"a"}));
  EXPECT_THROW(GaugeFamily("twice_total", "h", {"a"}), std::invalid_argument);
  EXPECT_THROW(CounterFamily("twice_total", "h", {"b"}), std::invalid_argument);
  EXPECT_THROW(twice.with({}), std::invalid_argument);
  EXPECT_THROW(twice.with({"x", "y"}), std::invalid_argument);
  EXPECT_THROW(twice.with({std::string("\xff")}), std::invalid_argument);
  EXPECT_THROW(twice.labels({{"b", "x"}}), std::invalid_argument);
  EXPECT_THROW(twice.labels({{"a", "x"}, {"a", "y"}}), std::invalid_argument);
}

TEST(Client, TaskScopeRecordsSuccessAndFailure) {
  {
    Task ok("build", "feature", "implement");
    ok.succeed();
  }
  try {
    Task failing("build", "feature", "implement");
    throw std::runtime_error("agent crashed");
  } catch (const std::runtime_error&) {}
  { Task abandoned("build", "feature", "implement"); }
  Reader reader;
  reader.drain();
  EXPECT_EQ(reader.value("opencode_task_total", {"build", "feature", "true"}), 1);
  EXPECT_EQ(reader.value("opencode_task_total", {"build", "feature", "false"}), 2);
  EXPECT_EQ(reader.value("opencode_task_duration_seconds", {"build", "feature", "implement", "true"}), 1);
  EXPECT_EQ(reader.value("opencode_task_duration_seconds", {"build", "feature", "implement", "false"}), 2);
}

TEST(Client, FullRingDropsAndCountsAndFramesAreAllOrNothing) {
  std::thread([] {
    CounterFamily family("client_flood_total", "flood");
    const Counter c = family.with({});
    const std::uint64_t before = dropped_events();
    for (std::size_t i = 0; i < ipc::kDefaultRingCapacity + 10; ++i) c.inc();
    EXPECT_EQ(dropped_events() - before, 10u);
    ipc::OutcomeEvent coverage;
    coverage.kind = ipc::OutcomeKind::kCoverage;
    coverage.time = 1.7e9;
    coverage.fields["percent"] = 90.0;
    const std::vector<std::byte> payload = ipc::encode_event(coverage);
    EXPECT_FALSE(agent::publish_frame(ipc::kOutcomeFrameKind, payload)) << "no room: the whole frame is dropped";
    EXPECT_EQ(dropped_events() - before, 11u);
    Reader reader;
    reader.drain();
    EXPECT_EQ(reader.value("client_flood_total", {}), static_cast<double>(ipc::kDefaultRingCapacity));
    EXPECT_TRUE(agent::publish_frame(ipc::kOutcomeFrameKind, payload));
    std::vector<std::byte> too_big(ipc::kMaxFramePayloadBytes + 1);
    EXPECT_FALSE(agent::publish_frame(ipc::kOutcomeFrameKind, too_big));
    reader.drain();
    EXPECT_EQ(reader.metrics.frames_received.Value(), 1);
  }).join();
}

TEST(Client, ThreadsGetTheirOwnRingsAndGiveThemBack) {
  CounterFamily family("client_threads_total", "per thread", {"t"});
  for (int round = 0; round < 3; ++round) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        const Counter c = family.with({std::to_string(t)});
        for (int i = 0; i < 1000; ++i) c.inc();
      });
    }
    for (auto& th : threads) th.join();
  }
  // 24 threads over the 15 rings the main thread leaves free: only if exiting threads give theirs back.
  Reader reader;
  reader.drain();
  for (int t = 0; t < 8; ++t) EXPECT_EQ(reader.value("client_threads_total", {std::to_string(t)}), 3000) << t;
}

TEST(Client, AForkedChildWritesToItsOwnSegment) {
  CounterFamily family("client_fork_total", "fork", {"who"});
  const Counter parent = family.with({"parent"});
  const Counter child_counter = family.with({"child"});
  parent.inc();
  const auto before = segment_names().size();
  const pid_t child = ::fork();
  if (child == 0) {
    for (int i = 0; i < 7; ++i) child_counter.inc();
    _exit(connected() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(segment_names().size(), before + 1);
  parent.inc();
  Reader reader;
  reader.drain();
  EXPECT_EQ(reader.value("client_fork_total", {"parent"}), 2);
  EXPECT_EQ(reader.value("client_fork_total", {"child"}), 7);
}

TEST(Client, CAbiReportsErrorsAndIgnoresNullHandles) {
  am_counter* counter = nullptr;
  EXPECT_EQ(am_counter_get(nullptr, "h", nullptr, nullptr, 0, &counter), AM_INVALID_ARGUMENT);
  EXPECT_NE(std::string(am_last_error_message()), "");
  EXPECT_EQ(am_counter_get("c_total", "h", nullptr, nullptr, 1, &counter), AM_INVALID_ARGUMENT);
  EXPECT_EQ(am_histogram_get("c_seconds", "h", nullptr, nullptr, 0, nullptr, 3, nullptr), AM_INVALID_ARGUMENT);
  am_task* task = nullptr;
  EXPECT_EQ(am_task_begin(nullptr, "t", nullptr, &task), AM_INVALID_ARGUMENT);
  const std::uint64_t before = am_dropped_events();
  am_counter_inc(nullptr);
  am_histogram_observe(nullptr, 1);
  am_task_end(nullptr, 1);
  EXPECT_EQ(am_dropped_events() - before, 2u);
  EXPECT_EQ(am_counter_get("c_total", "h", nullptr, nullptr, 0, &counter), AM_OK);
  EXPECT_EQ(std::string(am_last_error_message()), "");
}

int main(int argc, char** argv) {
  g_namespace = "unit-client-" + std::to_string(::getpid());
  ::setenv("AGENTMETRICS_NAMESPACE", g_namespace.c_str(), 1);
  ::testing::InitGoogleTest(&argc, argv);
  const int rc = RUN_ALL_TESTS();
  for (const auto& name : segment_names()) ::unlink(("/dev/shm/" + name).c_str());
  return rc;
}
