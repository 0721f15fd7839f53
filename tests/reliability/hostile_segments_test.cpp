// Producers that try to take the collector over, with the real daemon: more segments than it has
// descriptors, one file under many names or renamed in a loop, hundreds of idle segments of
// many rings, and junk files that would fill its log. Each costs the collector a bounded
// amount, and nothing a good producer wrote is lost.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/reliability/logged_lines.h"
#include "tests/reliability/reliability_paths.h"
#include "tests/reliability/segment_files.h"
#include "tests/reliability/wait_until.h"
#include "tests/support/collector_process.h"
#include "tests/support/http_client.h"
#include "tests/support/stored_events.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace agentmetrics::testing;
using Clock = std::chrono::steady_clock;

namespace {

std::map<std::string, std::string> producer_env(const std::string& ns, const TempDir& dir) {
  return {{"AGENTMETRICS_NAMESPACE", ns}, {"AGENTMETRICS_SHM_DIR", dir.path()}};
}

std::string write_config(const TempDir& dir, const std::string& yaml) {
  std::string path = dir.path() + "/agentmetrics.yml";
  std::ofstream(path) << yaml;
  return path;
}

// Starts segment_flood and waits until its segments are published.
std::unique_ptr<Process> flood(const std::string& ns, const TempDir& dir, int segments, int rings) {
  auto p = std::make_unique<Process>(
      std::vector<std::string>{kSegmentFloodBinary, "--segments", std::to_string(segments), "--rings", std::to_string(rings)},
      producer_env(ns, dir));
  const bool published = wait_until([&] { return p->output().find("published") != std::string::npos; }, std::chrono::seconds(30));
  EXPECT_TRUE(published) << p->output();
  return p;
}

double value(const Samples& s, const std::string& key) { return sample(s, key).value_or(0); }

// user + system CPU seconds of a process so far.
double cpu_seconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  std::istringstream rest(line.substr(line.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stod(field);
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// The daemon's soft descriptor limit while it starts, as a 1024-descriptor default would give it.
class DescriptorLimit {
 public:
  explicit DescriptorLimit(rlim_t soft) {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    rlimit lower = saved_;
    lower.rlim_cur = std::min(soft, saved_.rlim_max);
    ::setrlimit(RLIMIT_NOFILE, &lower);
  }
  ~DescriptorLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }

 private:
  rlimit saved_{};
};

}  // namespace

// 1100 sparse segments, more than the 1024 descriptors the daemon may open: it attaches as many
// as its bounds allow and keeps the rest waiting, /health answers throughout, and a task event
// written meanwhile by `agentmetrics record` waits too and is stored once room comes back,
// without a restart.
TEST(HostileSegments, ADescriptorFloodLeavesHealthAnsweringAndAnEventWrittenDuringItIsStored) {
  const std::string ns = unique_namespace("fdflood");
  TempDir dir;
  std::unique_ptr<CollectorProcess> collector;
  {
    const DescriptorLimit limit(1024);
    collector = std::make_unique<CollectorProcess>(ns, std::vector<std::string>{"--segment-dir=" + dir.path()});
  }
  auto flooder = flood(ns, dir, 1100, 1);
  // One owner: its bound (512 by default) is reached first. The waiting gauge and the deferral
  // counter are not updated at one instant: a scrape saw 588 waiting and 504 deferred once.
  Samples s = scrape_until(*collector, [](const Samples& got) {
    return value(got, "agentmetrics_segments_waiting") >= 588 &&
           value(got, "agentmetrics_segments_deferred_total{reason=\"owner\"}") >= 588;
  });
  EXPECT_EQ(value(s, "agentmetrics_segments_attached"), 512) << collector->scrape();
  EXPECT_EQ(value(s, "agentmetrics_segments_waiting"), 588);
  EXPECT_EQ(value(s, "agentmetrics_segments_deferred_total{reason=\"owner\"}"), 588);
  EXPECT_EQ(value(s, "agentmetrics_segment_limit"), 1024 - 256);
  for (int i = 0; i < 5; ++i) {
    const HttpResult health = http_get(collector->url("/health"));
    EXPECT_EQ(health.status, 200) << health.error << health.body;
  }

  Process record({kAgentmetricsCliBinary, "record", "task", "--agent_type", "flood", "--task_type", "during", "--success", "true",
                  "--duration_seconds", "7"},
                 producer_env(ns, dir));
  const auto recorded = record.wait(std::chrono::seconds(20));
  ASSERT_TRUE(recorded);
  ASSERT_EQ(exit_code(*recorded), 0) << record.output();
  s = scrape_until(*collector, [](const Samples& got) { return value(got, "agentmetrics_segments_waiting") >= 589; });
  EXPECT_EQ(value(s, "agentmetrics_segments_waiting"), 589) << "the event's segment should wait behind the flood";
  EXPECT_TRUE(stored_events(collector->store_path()).empty());

  // The flood goes: its segments are reclaimed, the waiting ones attached in turn, and the
  // event's segment with them.
  flooder->signal(SIGTERM);
  flooder->wait(std::chrono::seconds(10));
  const auto events = wait_for_stored_events(collector->store_path(), 1, std::chrono::seconds(30));
  ASSERT_EQ(events.size(), 1u) << collector->process().output().substr(0, 4000);
  EXPECT_EQ(events[0].kind, "task");
  EXPECT_EQ(events[0].fields["agent_type"], "flood");
  s = scrape_until(*collector, [](const Samples& got) {
    return value(got, "agentmetrics_segments_attached") == 0 && value(got, "agentmetrics_segments_waiting") == 0;
  });
  EXPECT_EQ(value(s, "agentmetrics_segments_waiting"), 0);
  EXPECT_EQ(value(s, "agentmetrics_segment_attachments_total"), 1101);
  EXPECT_TRUE(wait_until([&] { return segment_files(ns, dir.path()).empty(); })) << segment_files(ns, dir.path()).size() << " files left";
  // Logged within the budget: at most a burst of each message, plus the count of the rest.
  EXPECT_LT(count(collector->process().output(), "segment waits for room"), 40u);
  EXPECT_EQ(collector->process().wait(std::chrono::milliseconds(0)), std::nullopt) << "the collector died";
}

// One producer's segment hard-linked under 50 more names and renamed in a loop while it writes:
// attached once, its counts exact, and every name removed when it is reclaimed.
TEST(HostileSegments, AFileIsAttachedOnceWhateverItsNamesAndCountedExactly) {
  const std::string ns = unique_namespace("links");
  TempDir dir;
  CollectorProcess collector(ns, {"--segment-dir=" + dir.path()});
  constexpr long kEvents = 20000;  // under a ring's capacity: nothing is dropped however the threads are scheduled
  Process producer({kTestProducerBinary, "--threads", "2", "--events", std::to_string(kEvents), "--label", "links", "--start-delay-ms",
                    "500", "--linger-ms", "3000"},
                   producer_env(ns, dir));
  // Its published name (not the set-up file it renames into place).
  std::string original;
  ASSERT_TRUE(wait_until([&] {
    for (const auto& name : segment_files(ns, dir.path())) {
      if (name.starts_with("agentmetrics.")) original = name;
    }
    return !original.empty();
  })) << producer.output();
  const int dirfd = ::open(dir.path().c_str(), O_DIRECTORY | O_RDONLY);
  // Published under other names the way a producer publishes: a rename into place.
  for (int i = 0; i < 50; ++i) {
    const std::string staging = ".staging-" + std::to_string(i);
    ASSERT_EQ(::linkat(dirfd, original.c_str(), dirfd, staging.c_str(), 0), 0);
    const std::string name = "agentmetrics." + ns + ".1." + std::to_string(9000 + i);
    ASSERT_EQ(::renameat(dirfd, staging.c_str(), dirfd, name.c_str()), 0);
  }
  // Renamed back and forth while the producer writes (from 0.5 s on), ending well before it
  // exits (after 3.5 s) and its segment is reclaimed.
  const std::string other = "agentmetrics." + ns + ".2.7777";
  std::string at = original;
  const auto until = Clock::now() + std::chrono::milliseconds(2000);
  int renames = 0;
  while (Clock::now() < until) {
    const std::string next = at == original ? other : original;
    ASSERT_EQ(::renameat(dirfd, at.c_str(), dirfd, next.c_str()), 0);
    at = next;
    ++renames;
  }
  ::close(dirfd);
  const auto exited = producer.wait(std::chrono::seconds(30));
  ASSERT_TRUE(exited);
  ASSERT_EQ(exit_code(*exited), 0) << producer.output();
  const std::string thread0 = "am_test_events_total{producer=\"links\",thread=\"0\"}";
  const std::string thread1 = "am_test_events_total{producer=\"links\",thread=\"1\"}";
  const Samples s = scrape_until(collector, [&](const Samples& got) {
    return value(got, "agentmetrics_segments_reclaimed_total") >= 1 && value(got, "agentmetrics_segments_attached") == 0;
  });
  EXPECT_EQ(value(s, thread0), kEvents) << renames << " renames";
  EXPECT_EQ(value(s, thread1), kEvents);
  EXPECT_EQ(value(s, "agentmetrics_segment_attachments_total"), 1);
  EXPECT_EQ(value(s, "agentmetrics_segments_reclaimed_total"), 1);
  EXPECT_GE(value(s, "agentmetrics_segment_names_ignored_total{reason=\"attached\"}"), 50);
  EXPECT_TRUE(wait_until([&] { return segment_files(ns, dir.path()).empty(); })) << segment_files(ns, dir.path()).size() << " names left";
}

// A junk file renamed between two segment names as fast as possible is refused and logged
// once; 300 junk files at once are logged within the log's budget, and every line left out is
// counted.
TEST(HostileSegments, JunkFilesRenamedInALoopOrByHundredsKeepTheLogSmall) {
  const std::string ns = unique_namespace("junk");
  TempDir dir;
  CollectorProcess collector(ns, {"--segment-dir=" + dir.path()});
  const int dirfd = ::open(dir.path().c_str(), O_DIRECTORY | O_RDONLY);
  auto write_junk = [&](const std::string& name) {
    const int fd = ::openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
    const std::string junk(8192, 'x');
    EXPECT_EQ(::write(fd, junk.data(), junk.size()), static_cast<ssize_t>(junk.size()));
    ::close(fd);
  };
  write_junk(".junk");
  const std::string a = "agentmetrics." + ns + ".1.1", b = "agentmetrics." + ns + ".1.2";
  ASSERT_EQ(::renameat(dirfd, ".junk", dirfd, a.c_str()), 0);
  std::string at = a;
  int renames = 0;
  for (const auto until = Clock::now() + std::chrono::seconds(2); Clock::now() < until; ++renames) {
    const std::string& next = at == a ? b : a;
    ASSERT_EQ(::renameat(dirfd, at.c_str(), dirfd, next.c_str()), 0);
    at = next;
  }
  Samples s = scrape_until(
      collector, [](const Samples& got) { return value(got, "agentmetrics_segment_names_ignored_total{reason=\"refused\"}") > 100; });
  EXPECT_EQ(value(s, "agentmetrics_segments_rejected_total{reason=\"bad_magic\"}"), 1) << renames << " renames";
  EXPECT_EQ(count(collector.process().output(), "segment rejected"), 1u);

  // 300 junk files, each published once.
  constexpr int kJunk = 300;
  for (int i = 0; i < kJunk; ++i) {
    write_junk(".junk-" + std::to_string(i));
    ASSERT_EQ(::renameat(dirfd, (".junk-" + std::to_string(i)).c_str(), dirfd, ("agentmetrics." + ns + ".3." + std::to_string(i)).c_str()),
              0);
  }
  ::close(dirfd);
  s = scrape_until(
      collector, [&](const Samples& got) { return value(got, "agentmetrics_segments_rejected_total{reason=\"bad_magic\"}") == 1 + kJunk; });
  EXPECT_EQ(value(s, "agentmetrics_segments_rejected_total{reason=\"bad_magic\"}"), 1 + kJunk);
  // Every refusal is accounted for: written, or counted on a later line of the same message.
  LoggedLines rejected;
  ASSERT_TRUE(wait_until([&] {
    rejected = logged_lines(collector.process().output(), "segment rejected");
    return rejected.written + rejected.left_out == 1 + kJunk;
  })) << rejected.written
      << " written, " << rejected.left_out << " left out";
  EXPECT_LE(rejected.written, 25u);
  const auto suppressed = static_cast<double>(rejected.left_out);
  s = scrape_until(collector, [&](const Samples& got) { return value(got, "agentmetrics_log_lines_suppressed_total") >= suppressed; });
  EXPECT_GE(value(s, "agentmetrics_log_lines_suppressed_total"), suppressed);
}

// 600 segments of 256 rings whose producers never write cost the collector no more than its
// housekeeping: their doorbells cover them, in either wait mode. (Before, each drain thread
// looked at every ring every 10 ms: more than a core.)
class IdleSegments : public ::testing::TestWithParam<const char*> {};

TEST_P(IdleSegments, SixHundredIdleSegmentsOfManyRingsCostAlmostNoCpu) {
  const std::string ns = unique_namespace(std::string("idle-") + GetParam());
  TempDir dir;
  const std::string config = write_config(dir, "collector:\n  maxSegmentsPerOwner: 1000\n");
  CollectorProcess collector(ns, {"--segment-dir=" + dir.path(), "--config=" + config, std::string("--wait-mode=") + GetParam()});
  auto flooder = flood(ns, dir, 600, 256);
  scrape_until(collector, [](const Samples& got) { return value(got, "agentmetrics_segments_attached") == 600; });
  ASSERT_EQ(value(collector.samples(), "agentmetrics_segments_attached"), 600);
  std::this_thread::sleep_for(std::chrono::seconds(1));  // every doorbell armed
  const pid_t pid = collector.process().pid();
  const double before = cpu_seconds(pid);
  constexpr double kSeconds = 4;
  std::this_thread::sleep_for(std::chrono::duration<double>(kSeconds));
  const double used = cpu_seconds(pid) - before;
  // A generous bound: the housekeeping of 600 segments takes a few milliseconds a second.
  EXPECT_LT(used, 0.1 * kSeconds) << used << " s of CPU in " << kSeconds << " s";
  flooder->signal(SIGTERM);
}

INSTANTIATE_TEST_SUITE_P(WaitModes, IdleSegments, ::testing::Values("io_uring", "poll"),
                         [](const auto& p) { return std::string(p.param); });
