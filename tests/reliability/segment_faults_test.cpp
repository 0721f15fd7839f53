// Faults on the producers' side of the shared memory, with the real daemon: a segment
// truncated or rewritten by its producer while the collector holds it, a segment left by a
// crashed producer of an earlier boot whose pid now belongs to another process, /dev/shm full
// when a producer creates its segment, names and labels that break the exposition rules, and a
// label explosion.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/collector_process.h"
#include "tests/support/http_client.h"
#include "tests/reliability/private_mounts.h"
#include "tests/reliability/reliability_paths.h"
#include "tests/reliability/segment_files.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"
#include "tests/reliability/wait_until.h"

using namespace agentmetrics::testing;

namespace {

std::map<std::string, std::string> env_of(const std::string& ns, const std::string& dir = "") {
  std::map<std::string, std::string> env{{"AGENTMETRICS_NAMESPACE", ns}};
  if (!dir.empty()) env["AGENTMETRICS_SHM_DIR"] = dir;
  return env;
}

void expect_clean_exit(Process& p, const char* what) {
  auto status = p.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status) << what << " did not finish";
  EXPECT_EQ(exit_code(*status), 0) << what << ": " << p.output();
}

// A good producer after the fault: every one of its events arrives.
void expect_good_producer_drained(CollectorProcess& collector, const std::string& ns, const std::string& label) {
  Process good({kTestProducerBinary, "--threads", "2", "--events", "5000", "--label", label}, env_of(ns));
  expect_clean_exit(good, "test_producer");
  const std::string key = "am_test_events_total{producer=\"" + label + "\",thread=\"1\"}";
  const Samples s = scrape_until(collector, [&](const Samples& got) { return sample(got, key) == 5000; });
  EXPECT_EQ(sample(s, key), 5000) << "a producer after the fault was not drained";
}

class Abandoned : public ::testing::TestWithParam<const char*> {};

TEST_P(Abandoned, ASegmentDamagedByItsProducerWhileAttachedIsAbandonedAndTheCollectorGoesOn) {
  const std::string mode = GetParam();
  const std::string ns = unique_namespace(mode);
  CollectorProcess collector(ns);
  Process rogue({kRogueProducerBinary, "--mode", mode, "--records", "500", "--delay-ms", "1500", "--linger-ms", "20000"}, env_of(ns));
  const std::string key = "am_rogue_events_total{mode=\"" + mode + "\"}";
  // Drained before the damage.
  Samples s = scrape_until(collector, [&](const Samples& got) { return sample(got, key) == 500; });
  EXPECT_EQ(sample(s, key), 500);
  ASSERT_TRUE(wait_until([&] { return collector.process().output().find("segment abandoned") != std::string::npos; }))
      << collector.process().output();
  const std::string reason = mode == std::string("truncate") ? "fault" : "string_table";
  s = collector.samples();
  EXPECT_EQ(sample(s, "agentmetrics_segments_rejected_total{reason=\"" + reason + "\"}"), 1) << collector.scrape();
  EXPECT_EQ(sample(s, "agentmetrics_segments_attached"), 0);
  // What was drained before stays; the daemon goes on.
  EXPECT_EQ(sample(s, key), 500);
  expect_good_producer_drained(collector, ns, "after-" + mode);
  EXPECT_EQ(collector.process().wait(std::chrono::milliseconds(0)), std::nullopt) << "the collector died";
  rogue.signal(SIGKILL);
  rogue.wait(std::chrono::seconds(5));
  // Left in place for inspection (operations.md), even after its producer is gone; the test
  // clears it. The good producer's segment is reclaimed as usual.
  const std::string out = rogue.output();
  const auto at = out.find("segment=");
  ASSERT_NE(at, std::string::npos) << out;
  const std::string path = out.substr(at + 8, out.find('\n', at) - at - 8);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_TRUE(std::filesystem::exists(path)) << path;
  std::filesystem::remove(path);
  EXPECT_TRUE(wait_until([&] { return segment_files(ns).empty(); }));
  EXPECT_EQ(collector.stop(), 0);
}

INSTANTIATE_TEST_SUITE_P(SegmentFaults, Abandoned, ::testing::Values("truncate", "rewrite"));

TEST(SegmentFaults, ASegmentOfAnEarlierBootWhosePidIsTakenIsDrainedAndReclaimed) {
  const std::string ns = unique_namespace("stale");
  // Left by a producer that died before this collector started; its pid (in the name and the
  // descriptor) now belongs to a live process: this test.
  Process before({kRogueProducerBinary, "--mode", "stale", "--records", "777", "--fake-pid", std::to_string(::getpid())}, env_of(ns));
  expect_clean_exit(before, "rogue_producer --mode stale");
  ASSERT_EQ(segment_files(ns).size(), 1u);
  CollectorProcess collector(ns);
  Samples s = scrape_until(collector, [](const Samples& got) { return sample(got, "agentmetrics_segments_reclaimed_total") == 1; });
  EXPECT_EQ(sample(s, "am_rogue_events_total{mode=\"stale\"}"), 777);
  EXPECT_EQ(sample(s, "agentmetrics_segments_reclaimed_total"), 1);
  // The same while the collector runs, with the pid of init.
  Process during({kRogueProducerBinary, "--mode", "stale", "--records", "223", "--fake-pid", "1"}, env_of(ns));
  expect_clean_exit(during, "rogue_producer --mode stale");
  s = scrape_until(collector, [](const Samples& got) { return sample(got, "agentmetrics_segments_reclaimed_total") == 2; });
  EXPECT_EQ(sample(s, "am_rogue_events_total{mode=\"stale\"}"), 1000);
  EXPECT_EQ(sample(s, "agentmetrics_segments_reclaimed_total"), 2);
  EXPECT_TRUE(segment_files(ns).empty());
  EXPECT_EQ(collector.stop(), 0);
}

TEST(SegmentFaults, AFullSegmentDirectoryFailsSegmentCreationCleanlyAndTheProducerGoesOn) {
  if (!have_private_mounts()) GTEST_SKIP() << "no private mount namespace: " << private_mounts_unavailable_reason();
  TempDir dir;
  const std::string shm = dir.path() + "/shm";
  std::filesystem::create_directory(shm);
  // Room for one segment with its first ring reserved (about 17 MiB), not two. One thread: a
  // second thread's ring would take as much again (reserved when claimed) and might not fit.
  mount_tmpfs(shm, 24ul << 20);
  const std::string ns = unique_namespace("enospc");
  CollectorProcess collector(ns, {"--segment-dir=" + shm});
  Process first({kTestProducerBinary, "--threads", "1", "--events", "1000", "--label", "first", "--linger-ms", "3000"}, env_of(ns, shm));
  // Attached: its room is reserved (the file appears before its reservation ends).
  scrape_until(collector, [](const Samples& got) { return sample(got, "agentmetrics_segments_attached") == 1; });
  ASSERT_EQ(segment_files(ns, shm).size(), 1u);

  Process second({kRogueProducerBinary, "--mode", "report"}, env_of(ns, shm));
  expect_clean_exit(second, "the producer that found no space");
  const std::string out = second.output();
  EXPECT_NE(out.find("connected=0 recorded=0"), std::string::npos) << out;
  EXPECT_NE(out.find("c_connected=0"), std::string::npos) << out;
  EXPECT_NE(out.find("error=cannot reserve"), std::string::npos) << out;
  EXPECT_NE(out.find("No space left on device"), std::string::npos) << out;
  EXPECT_NE(out.find("c_error=cannot reserve"), std::string::npos) << out;
  // Every event it tried is counted as dropped: 5 increments, the task's 2 records and its frame.
  EXPECT_NE(out.find("dropped=8 "), std::string::npos) << out;
  // No half-made file left taking space.
  EXPECT_EQ(segment_files(ns, shm).size(), 1u);

  expect_clean_exit(first, "the producer that found space");
  const Samples s = scrape_until(collector, [](const Samples& got) { return sample(got, "agentmetrics_segments_reclaimed_total") == 1; });
  EXPECT_EQ(sample(s, "am_test_events_total{producer=\"first\",thread=\"0\"}"), 1000);
  EXPECT_TRUE(segment_files(ns, shm).empty());
  EXPECT_EQ(collector.stop(), 0);
  unmount(shm);
}

TEST(SegmentFaults, BadNamesAreRefusedAndLabelValuesEscaped) {
  const std::string ns = unique_namespace("names");
  CollectorProcess collector(ns);
  Process rogue({kRogueProducerBinary, "--mode", "bad-names", "--linger-ms", "1000"}, env_of(ns));
  expect_clean_exit(rogue, "rogue_producer --mode bad-names");
  const Samples s = scrape_until(collector, [](const Samples& got) { return sample(got, "agentmetrics_segments_reclaimed_total") == 1; });
  const std::string body = collector.scrape();
  // The valid family, its label value and help escaped as the text format requires.
  EXPECT_NE(body.find("am_rogue_ok_total{path=\"C:\\\\tmp\\\\\\\"quoted\\\"\\nline two \xc3\xa9\"} 3\n"), std::string::npos) << body;
  EXPECT_NE(body.find("# HELP am_rogue_ok_total Help with \\\\ backslash, \"quotes\" and\\nnewline\n"), std::string::npos);
  // The others are not exposed at all.
  for (const char* refused : {"am rogue", "am_rogue_bad_label_total", "agentmetrics_rogue_total", "am_rogue_dup_total",
                              "am_rogue_hist_seconds", "am_rogue_help_total", "am_rogue_label_le_total", "\xff"}) {
    EXPECT_EQ(body.find(refused), std::string::npos) << refused;
  }
  // Refused declarations (7 families, 2 series) and the records of refused series (9).
  EXPECT_EQ(sample(s, "agentmetrics_records_invalid_total{reason=\"rejected_family\"}"), 18);
  EXPECT_EQ(sample(s, "agentmetrics_records_invalid_total{reason=\"bad_value\"}"), 3);
  EXPECT_EQ(sample(s, "agentmetrics_records_invalid_total{reason=\"wrong_op\"}"), 2);
  EXPECT_EQ(sample(s, "agentmetrics_records_invalid_total{reason=\"unknown_series\"}"), 1);
  // promtool, Prometheus's own parser and linter, takes the body.
  TempDir dir;
  const std::string file = dir.path() + "/metrics.txt";
  std::ofstream(file) << body;
  Process promtool({"/bin/sh", "-c", std::string(kPromtoolBinary) + " check metrics < " + file});
  auto status = promtool.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status);
  EXPECT_EQ(exit_code(*status), 0) << promtool.output();
  // OpenMetrics: the same value, escaped the same way.
  auto om = http_get(collector.url("/metrics"), {{"Accept", "application/openmetrics-text;version=1.0.0"}});
  EXPECT_NE(om.body.find("am_rogue_ok_total{path=\"C:\\\\tmp\\\\\\\"quoted\\\"\\nline two \xc3\xa9\"} 3\n"), std::string::npos) << om.body;
  EXPECT_EQ(collector.stop(), 0);
}

TEST(SegmentFaults, ALabelExplosionIsCappedByTheSeriesLimit) {
  TempDir dir;
  const std::string config = dir.path() + "/agentmetrics.yml";
  std::ofstream(config) << "collector:\n  seriesLimitPerFamily: 100\n";
  const std::string ns = unique_namespace("explode");
  CollectorProcess collector(ns, {"--config=" + config});
  Process rogue({kRogueProducerBinary, "--mode", "explode", "--series", "20000", "--linger-ms", "500"}, env_of(ns));
  expect_clean_exit(rogue, "rogue_producer --mode explode");
  const Samples s = scrape_until(collector, [](const Samples& got) { return sample(got, "agentmetrics_segments_reclaimed_total") == 1; });
  std::size_t series = 0;
  double total = 0;
  for (const auto& [key, value] : s) {
    if (key.starts_with("am_rogue_explode_total{")) {
      ++series;
      total += value;
    }
  }
  EXPECT_EQ(series, 101u) << "100 series and the overflow series";
  EXPECT_EQ(total, 20000);
  EXPECT_EQ(sample(s, "am_rogue_explode_total{id=\"__overflow__\"}"), 19900);
  EXPECT_EQ(sample(s, "agentmetrics_series_overflowed_total{family=\"am_rogue_explode_total\"}"), 19900);
  EXPECT_LT(collector.scrape().size(), 200u * 1024) << "the scrape grew with the explosion";
  EXPECT_EQ(collector.stop(), 0);
}

}  // namespace
