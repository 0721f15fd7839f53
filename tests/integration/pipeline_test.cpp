// The whole pipeline with real processes: producers in C++ and C write known numbers of events
// through shared memory, the real agentmetricsd drains them, and /metrics must show exactly
// what was written: nothing lost, nothing counted twice.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <thread>

#include "tests/support/collector_process.h"
#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"

using namespace agentmetrics::testing;

namespace {

constexpr int kThreads = 4;
// Three records per round and 20000 rounds fit a ring (65535 slots, the smallest in common use)
// whole, so no event can be dropped even when a producer runs before any collector.
constexpr long kEvents = 20000;

std::unique_ptr<Process> start_producer(const std::string& ns, const std::string& label, long events, bool exit_early = false) {
  std::vector<std::string> argv = {kTestProducerBinary, "--threads", std::to_string(kThreads), "--events", std::to_string(events),
                                   "--label",           label};
  if (exit_early) argv.push_back("--exit-early");
  return std::make_unique<Process>(argv, std::map<std::string, std::string>{{"AGENTMETRICS_NAMESPACE", ns}});
}

void expect_clean_exit(Process& p) {
  auto status = p.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status) << "producer did not finish";
  EXPECT_EQ(exit_code(*status), 0) << p.output();
  EXPECT_NE(p.output().find("dropped=0"), std::string::npos) << p.output();
}

// Polls until `done` holds for the scraped samples, then returns them.
Samples wait_for(CollectorProcess& collector, const std::function<bool(const Samples&)>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  Samples s;
  while (std::chrono::steady_clock::now() < deadline) {
    s = collector.samples();
    if (done(s)) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return s;
}

double histogram_sum(long events) {
  // Each thread observes (i % 10) / 10 for i < events.
  double per_thread = 0;
  for (long i = 0; i < events; ++i) per_thread += static_cast<double>(i % 10) / 10.0;
  return per_thread * kThreads;
}

void expect_producer(const Samples& s, const std::string& label, long events) {
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(sample(s, "am_test_events_total{producer=\"" + label + "\",thread=\"" + std::to_string(t) + "\"}"), events)
        << label << " thread " << t;
    EXPECT_EQ(sample(s, "am_test_last{producer=\"" + label + "\",thread=\"" + std::to_string(t) + "\"}"), events - 1);
  }
  const std::string h = "am_test_value";
  const std::string l = "producer=\"" + label + "\"";
  const double total = static_cast<double>(events * kThreads);
  EXPECT_EQ(sample(s, h + "_count{" + l + "}"), total) << label;
  EXPECT_NEAR(*sample(s, h + "_sum{" + l + "}"), histogram_sum(events), 1e-6 * histogram_sum(events));
  // Values 0.0..0.9 in tenths: le=0.25 holds 0,0.1,0.2; le=0.5 adds 0.3,0.4,0.5; le=1 all.
  EXPECT_EQ(sample(s, h + "_bucket{" + l + ",le=\"0.25\"}"), total * 3 / 10);
  EXPECT_EQ(sample(s, h + "_bucket{" + l + ",le=\"0.5\"}"), total * 6 / 10);
  EXPECT_EQ(sample(s, h + "_bucket{" + l + ",le=\"1\"}"), total);
  EXPECT_EQ(sample(s, h + "_bucket{" + l + ",le=\"+Inf\"}"), total);
  // Even threads succeed, odd ones fail: kThreads / 2 each.
  EXPECT_EQ(sample(s, "opencode_task_total{agent_type=\"tester\",task_type=\"" + label + "\",success=\"true\"}"), kThreads / 2);
  EXPECT_EQ(sample(s, "opencode_task_total{agent_type=\"tester\",task_type=\"" + label + "\",success=\"false\"}"), kThreads / 2);
  EXPECT_EQ(sample(s, "opencode_task_duration_seconds_count{agent_type=\"tester\",task_type=\"" + label +
                          "\",stage=\"integration\",success=\"true\"}"),
            kThreads / 2);
}

}  // namespace

TEST(Pipeline, EveryEventArrivesExactlyOnce) {
  const std::string ns = unique_namespace("pipeline");
  // Starts, writes everything and exits before there is any collector.
  auto early = start_producer(ns, "early", kEvents);
  expect_clean_exit(*early);

  CollectorProcess collector(ns, {"--shards=2"});
  auto steady = start_producer(ns, "steady", kEvents);
  auto quitter = start_producer(ns, "quitter", kEvents / 2, /*exit_early=*/true);  // _exit(0), no destructors
  Process c_producer({kCProducerBinary}, {{"AGENTMETRICS_NAMESPACE", ns}});
  expect_clean_exit(*steady);
  expect_clean_exit(*quitter);
  auto c_status = c_producer.wait(std::chrono::seconds(30));
  ASSERT_TRUE(c_status);
  ASSERT_EQ(exit_code(*c_status), 0) << c_producer.output();

  const Samples s =
      wait_for(collector, [](const Samples& got) { return sample(got, "agentmetrics_segments_reclaimed_total").value_or(0) >= 4; });
  EXPECT_EQ(sample(s, "agentmetrics_segments_reclaimed_total"), 4);
  EXPECT_EQ(sample(s, "agentmetrics_segments_attached"), 0);
  expect_producer(s, "early", kEvents);
  expect_producer(s, "steady", kEvents);
  expect_producer(s, "quitter", kEvents / 2);

  EXPECT_EQ(sample(s, "am_c_events_total{lang=\"c\"}"), 5);
  EXPECT_EQ(sample(s, "am_c_gauge"), 42);
  EXPECT_EQ(sample(s, "am_c_latency_count{lang=\"c\"}"), 2);
  EXPECT_EQ(sample(s, "am_c_latency_bucket{lang=\"c\",le=\"0.5\"}"), 1);
  EXPECT_EQ(sample(s, "opencode_task_total{agent_type=\"c_agent\",task_type=\"c_task\",success=\"true\"}"), 1);

  EXPECT_EQ(sample(s, "agentmetrics_events_dropped_total"), 0);
  // Every event drained: 3 per round per thread; per task 2 records and its outcome event (a
  // frame); and the C producer's 5 + 2 + 1, its task (3), its pipeline run (a frame and 2
  // records) and its coverage (a frame and a gauge set).
  const double records = 3.0 * kThreads * (kEvents * 2 + kEvents / 2) + 3 * kThreads * 3 + 16;
  EXPECT_EQ(sample(s, "agentmetrics_events_drained_total"), records);
  for (const auto& [key, value] : s) {
    EXPECT_EQ(key.find("agentmetrics_records_invalid_total"), std::string::npos) << key << " " << value;
    EXPECT_EQ(key.find("agentmetrics_segments_rejected_total"), std::string::npos) << key << " " << value;
  }

  // Nothing more arrives later: no event was counted twice.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(sample(collector.samples(), "agentmetrics_events_drained_total"), records);
  EXPECT_EQ(collector.stop(), 0);
}

namespace {

// One thread, `rounds` rounds of 3 records and a task into a ring of `capacity` with no
// collector. The rounds' records fill the ring; then the task's two records and its frame are
// each dropped. The collector, started after, drains the ring and counts every drop.
void expect_full_ring_drops(const std::string& label, std::map<std::string, std::string> env, double capacity, long rounds) {
  const std::string ns = unique_namespace(label);
  env["AGENTMETRICS_NAMESPACE"] = ns;
  Process producer({kTestProducerBinary, "--threads", "1", "--events", std::to_string(rounds), "--label", "full"}, env);
  auto status = producer.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status && exit_code(*status) == 0) << producer.output();
  const std::string out = producer.output();
  const auto at = out.find("dropped=");
  ASSERT_NE(at, std::string::npos) << out;
  const double dropped = std::stod(out.substr(at + 8));
  EXPECT_EQ(dropped, 3.0 * static_cast<double>(rounds) - capacity + 3);

  CollectorProcess collector(ns);
  const Samples s =
      wait_for(collector, [](const Samples& got) { return sample(got, "agentmetrics_segments_reclaimed_total").value_or(0) >= 1; });
  EXPECT_EQ(sample(s, "agentmetrics_events_dropped_total"), dropped);
  EXPECT_EQ(sample(s, "agentmetrics_events_drained_total"), capacity);
}

}  // namespace

// 16 rings by default, of 1048575 records each.
TEST(Pipeline, DropsOfAFullRingReachMetrics) { expect_full_ring_drops("drops", {}, 1048575, 350000); }

// AGENTMETRICS_RING_EVENTS is rounded up to 2^k - 1: 5000 gives rings of 8191.
TEST(Pipeline, TheProducerChoosesItsRingCapacity) {
  expect_full_ring_drops("ringsize", {{"AGENTMETRICS_RING_EVENTS", "5000"}}, 8191, 30000);
}

// A foreign client declares a series per value until its string table is full: the declaration
// that does not fit fails with AM_STRING_TABLE_FULL instead of returning a series the collector
// could never know, every series declared before records, and the refusals reach /metrics.
TEST(Pipeline, AFullStringTableRefusesNewSeriesAndSaysSo) {
  const std::string ns = unique_namespace("table");
  Process producer({kCTableFullBinary}, {{"AGENTMETRICS_NAMESPACE", ns}, {"AGENTMETRICS_STRING_TABLE_BYTES", "8192"}});
  auto status = producer.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status);
  ASSERT_EQ(exit_code(*status), 0) << producer.output();
  const int declared = std::stoi(producer.output());
  ASSERT_GT(declared, 10) << producer.output();

  CollectorProcess collector(ns);
  const Samples s =
      wait_for(collector, [](const Samples& got) { return sample(got, "agentmetrics_segments_reclaimed_total").value_or(0) >= 1; });
  // The family's entry and `declared` series fitted; the two calls after them were refused.
  EXPECT_EQ(sample(s, "agentmetrics_series_refused_total"), 2);
  EXPECT_EQ(sample(s, "am_c_table_total{value=\"0\"}"), 42);
  EXPECT_EQ(sample(s, "am_c_table_total{value=\"" + std::to_string(declared - 1) + "\"}"), 1);
  EXPECT_EQ(sample(s, "am_c_table_total{value=\"" + std::to_string(declared) + "\"}"), std::nullopt);
  EXPECT_EQ(sample(s, "agentmetrics_records_invalid_total{reason=\"unknown_series\"}").value_or(0), 0);
  EXPECT_EQ(sample(s, "agentmetrics_events_drained_total"), declared + 1);
}

TEST(Pipeline, FamiliesOfTheCatalogueAreThereBeforeAnyEvent) {
  CollectorProcess collector(unique_namespace("catalogue"));
  const std::string body = collector.scrape();
  for (const char* family :
       {"opencode_task_duration_seconds histogram", "opencode_task_total counter", "opencode_code_coverage_percent gauge",
        "opencode_lint_errors_total counter", "opencode_pipeline_duration_seconds histogram", "opencode_pipeline_failures_total counter",
        "opencode_ai_success_rate gauge", "opencode_human_interventions_total counter"}) {
    EXPECT_NE(body.find(std::string("# TYPE ") + family + "\n"), std::string::npos) << family;
  }
  auto r = http_get(collector.url("/metrics"));
  EXPECT_EQ(r.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(http_get(collector.url("/nope")).status, 404);
}

TEST(Pipeline, BadSegmentsAreRejectedAndCounted) {
  const std::string ns = unique_namespace("badseg");
  CollectorProcess collector(ns);
  // A file with our naming but not our format, published the way producers publish.
  const std::string tmp = "/dev/shm/.tmp-" + ns;
  {
    FILE* f = std::fopen(tmp.c_str(), "w");
    ASSERT_TRUE(f);
    std::fputs(std::string(8192, 'x').c_str(), f);
    std::fclose(f);
  }
  const std::string name = "/dev/shm/agentmetrics." + ns + ".12345.1";
  ASSERT_EQ(std::rename(tmp.c_str(), name.c_str()), 0);
  const Samples s = wait_for(
      collector, [](const Samples& got) { return sample(got, "agentmetrics_segments_rejected_total{reason=\"bad_magic\"}").has_value(); });
  std::remove(name.c_str());
  EXPECT_EQ(sample(s, "agentmetrics_segments_rejected_total{reason=\"bad_magic\"}"), 1);
  EXPECT_NE(collector.process().output().find("segment rejected"), std::string::npos);
  EXPECT_EQ(collector.stop(), 0);
}
