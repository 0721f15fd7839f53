// The store's disk full, read-only, or limited by a file size limit: the collector keeps
// serving metrics, reports the store unhealthy in /health, keeps the events it could not
// commit in the rings, and stores every one of them, once, when it can write again.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/support/collector_process.h"
#include "tests/support/http_client.h"
#include "tests/reliability/private_mounts.h"
#include "tests/reliability/reliability_paths.h"
#include "tests/reliability/segment_files.h"
#include "tests/support/stored_events.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"
#include "tests/reliability/wait_until.h"

using namespace agentmetrics::testing;
using nlohmann::json;

namespace {

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// /health's answer: its status code and whether it says the store is healthy.
std::pair<long, bool> health(CollectorProcess& collector) {
  const auto r = http_get(collector.url("/health"));
  if (r.status == 0) return {0, false};
  const json body = json::parse(r.body, nullptr, false);
  const bool store = body.is_object() && body["services"].value("store", false);
  return {r.status, store};
}

void expect_unhealthy_store_and_metrics_served(CollectorProcess& collector, const std::string& ns) {
  ASSERT_TRUE(wait_until([&] {
    return health(collector) == std::pair<long, bool>{503, false};
  })) << "the store's failure is not reported; /health: "
      << http_get(collector.url("/health")).body << "\n"
      << collector.process().output();
  // Metrics are still drained and served.
  Process metrics({kTestProducerBinary, "--threads", "2", "--events", "2000", "--label", "while-broken"}, {{"AGENTMETRICS_NAMESPACE", ns}});
  ASSERT_TRUE(metrics.wait(std::chrono::seconds(30)));
  const Samples s = scrape_until(
      collector, [](const Samples& got) { return sample(got, "am_test_events_total{producer=\"while-broken\",thread=\"1\"}") == 2000; });
  EXPECT_EQ(sample(s, "am_test_events_total{producer=\"while-broken\",thread=\"1\"}"), 2000);
  EXPECT_EQ(sample(s, "agentmetrics_store_healthy"), 0);
  EXPECT_GT(sample(s, "agentmetrics_store_commit_failures_total").value_or(0), 0);
  const std::string log = collector.process().output();
  EXPECT_TRUE(log.find("store commit failed; will retry") != std::string::npos ||
              log.find("the store cannot be opened") != std::string::npos)
      << log;
}

// After the fault is gone: healthy again, and the store holds every accepted event once.
void expect_recovery(CollectorProcess& collector, const std::string& store, const std::vector<std::string>& accepted) {
  ASSERT_TRUE(wait_until(
      [&] {
        return health(collector) == std::pair<long, bool>{200, true};
      },
      std::chrono::seconds(30)))
      << "the store did not recover; /health: " << http_get(collector.url("/health")).body;
  EXPECT_NE(collector.process().output().find("store commits again"), std::string::npos);
  wait_for_stored_events(store, accepted.size(), std::chrono::seconds(30));
  // The outcome producers' events (test_producer's tasks have no title).
  std::vector<StoredEvent> stored;
  for (auto& e : stored_events(store)) {
    if (!e.fields.value("title", "").empty()) stored.push_back(std::move(e));
  }
  std::set<std::string> titles;
  for (const auto& e : stored) titles.insert(e.fields.value("title", ""));
  EXPECT_EQ(stored.size(), accepted.size()) << "events lost or stored twice";
  EXPECT_EQ(titles.size(), stored.size()) << "an event stored twice";
  EXPECT_EQ(titles, std::set<std::string>(accepted.begin(), accepted.end()));
  EXPECT_EQ(sample(collector.samples(), "agentmetrics_store_healthy"), 1);
}

std::vector<std::string> write_events(const std::string& ns, const std::string& accepted_file, long events, const std::string& label) {
  Process producer(
      {kOutcomeProducerBinary, "--threads", "2", "--events", std::to_string(events), "--label", label, "--accepted", accepted_file},
      {{"AGENTMETRICS_NAMESPACE", ns}});
  auto status = producer.wait(std::chrono::seconds(60));
  EXPECT_TRUE(status && exit_code(*status) == 0) << producer.output();
  return read_lines(accepted_file);
}

TEST(StoreFaults, ADiskFullIsReportedAndEveryEventIsStoredOnceThereIsRoomAgain) {
  if (!have_private_mounts()) GTEST_SKIP() << "no private mount namespace: " << private_mounts_unavailable_reason();
  TempDir dir;
  const std::string disk = dir.path() + "/disk";
  std::filesystem::create_directory(disk);
  mount_tmpfs(disk, 8ul << 20);
  const std::string store = disk + "/events.db";
  const std::string ns = unique_namespace("diskfull");
  CollectorProcess collector(ns, {"--store=" + store});
  ASSERT_TRUE(wait_until([&] { return health(collector).first == 200; }));
  auto before = write_events(ns, dir.path() + "/before.txt", 100, "before");
  wait_for_stored_events(store, before.size());

  const unsigned long filled = fill_file_system(disk + "/filler");
  auto during = write_events(ns, dir.path() + "/during.txt", 1000, "during");
  ASSERT_GT(during.size(), 0u);
  expect_unhealthy_store_and_metrics_served(collector, ns);

  std::filesystem::remove(disk + "/filler");
  before.insert(before.end(), during.begin(), during.end());
  expect_recovery(collector, store, before);
  std::printf("filled=%lu bytes, events written while full=%zu\n", filled, during.size());
  EXPECT_EQ(collector.stop(), 0);
  unmount(disk);
}

TEST(StoreFaults, AReadOnlyStoreAtStartIsReportedAndUsedOnceWritable) {
  if (!have_private_mounts()) GTEST_SKIP() << "no private mount namespace: " << private_mounts_unavailable_reason();
  TempDir dir;
  const std::string disk = dir.path() + "/disk";
  std::filesystem::create_directory(disk);
  mount_tmpfs(disk, 8ul << 20, /*read_only=*/true);
  const std::string store = disk + "/events.db";
  const std::string ns = unique_namespace("readonly");
  std::unique_ptr<CollectorProcess> collector;
  try {
    collector = std::make_unique<CollectorProcess>(ns, std::vector<std::string>{"--store=" + store});
  } catch (const std::exception& e) {
    FAIL() << "the collector does not start while its store is read-only, so it serves no metrics:\n" << e.what();
  }
  auto accepted = write_events(ns, dir.path() + "/accepted.txt", 200, "readonly");
  expect_unhealthy_store_and_metrics_served(*collector, ns);
  remount_tmpfs(disk, 8ul << 20, /*read_only=*/false);
  expect_recovery(*collector, store, accepted);
  EXPECT_EQ(collector->stop(), 0);
  unmount(disk);
}

off_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_size : 0;
}

TEST(StoreFaults, AFileSizeLimitStopsStoreWritesNotTheDaemon) {
  // A file size limit (ulimit -f, systemd's LimitFSIZE=) makes a write past it fail. The
  // kernel also sends SIGXFSZ, whose default action ends the process; the daemon must take the
  // failed write as it takes a full disk.
  TempDir dir;
  const std::string store = dir.path() + "/events.db";
  const std::string ns = unique_namespace("fsize");
  // A dead daemon reclaims nothing: the producers' segments are removed here.
  struct Cleanup {
    std::string ns;
    ~Cleanup() { remove_segment_files(ns); }
  } cleanup{ns};
  CollectorProcess collector(ns, {"--store=" + store});
  ASSERT_TRUE(wait_until([&] { return health(collector).first == 200; }));
  const pid_t pid = collector.process().pid();
  // Room for the log (its stderr is a file too) to grow, not for the store's write-ahead log.
  const std::string log_file = std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/fd/2");
  const off_t limit = std::max({file_size(store), file_size(store + "-wal"), file_size(log_file)}) + (256 << 10);
  struct rlimit lowered {
    static_cast<rlim_t>(limit), RLIM_INFINITY
  };
  ASSERT_EQ(::prlimit(pid, RLIMIT_FSIZE, &lowered, nullptr), 0) << std::strerror(errno);

  auto accepted = write_events(ns, dir.path() + "/accepted.txt", 2500, "fsize");
  ASSERT_TRUE(wait_until([&] { return file_size(store + "-wal") >= limit - (64 << 10) || health(collector).first != 200; }))
      << "the store never came near the limit; the test does not test anything";
  if (auto status = collector.process().wait(std::chrono::milliseconds(500))) {
    FAIL() << "the daemon died (" << (WIFSIGNALED(*status) ? strsignal(WTERMSIG(*status)) : "exit " + std::to_string(exit_code(*status)))
           << ") when a store write went past the file size limit; it should ignore SIGXFSZ and report the store unhealthy";
  }
  expect_unhealthy_store_and_metrics_served(collector, ns);
  struct rlimit unlimited {
    RLIM_INFINITY, RLIM_INFINITY
  };
  ASSERT_EQ(::prlimit(pid, RLIMIT_FSIZE, &unlimited, nullptr), 0);
  expect_recovery(collector, store, accepted);
  EXPECT_EQ(collector.stop(), 0);
}

}  // namespace
