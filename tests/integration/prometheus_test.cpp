// The real Prometheus server (Debian's package) scrapes the real collector on loopback; the
// test asks Prometheus's HTTP API for what a user's dashboard would ask.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/collector_process.h"
#include "tests/support/http_client.h"
#include "tests/support/prometheus_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace agentmetrics::testing;

TEST(Prometheus, ScrapesTheCollectorAndSeesTheCatalogue) {
  const std::string ns = unique_namespace("prom");
  CollectorProcess collector(ns);
  Process producer({kTestProducerBinary, "--threads", "2", "--events", "100", "--label", "prom"}, {{"AGENTMETRICS_NAMESPACE", ns}});
  auto status = producer.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status && exit_code(*status) == 0) << producer.output();

  PrometheusServer prometheus({{"agentmetrics", collector.port()}});
  auto up = prometheus.wait_for("up{job=\"agentmetrics\"} == 1", 1);
  ASSERT_EQ(up.size(), 1u) << "the target never came up";

  auto tasks = prometheus.wait_for("opencode_task_total{task_type=\"prom\"}", 2);
  ASSERT_EQ(tasks.size(), 2u) << tasks.dump();
  for (const auto& series : tasks) {
    const auto& m = series["metric"];
    EXPECT_EQ(m["agent_type"], "tester");
    EXPECT_TRUE(m["success"] == "true" || m["success"] == "false");
    EXPECT_EQ(series["value"][1], "1") << "one task per thread: thread 0 succeeds, thread 1 fails";
  }
  auto buckets = prometheus.wait_for("opencode_task_duration_seconds_bucket{task_type=\"prom\",success=\"true\"}", 6);
  ASSERT_EQ(buckets.size(), 6u) << buckets.dump();
  std::set<std::string> bounds;
  for (const auto& series : buckets) {
    bounds.insert(series["metric"]["le"].get<std::string>());
    EXPECT_EQ(series["metric"]["stage"], "integration");
    EXPECT_EQ(series["value"][1], "1");
  }
  EXPECT_EQ(bounds, (std::set<std::string>{"60", "300", "900", "1800", "3600", "+Inf"}));
  auto events = prometheus.wait_for("sum(am_test_events_total{producer=\"prom\"})", 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["value"][1], "200");
}

TEST(Prometheus, PromtoolFindsNoProblemInTheExposition) {
  const std::string ns = unique_namespace("promtool");
  CollectorProcess collector(ns);
  Process demo({kDemoBinary, "0.3"}, {{"AGENTMETRICS_NAMESPACE", ns}});
  ASSERT_TRUE(demo.wait(std::chrono::seconds(30)));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  TempDir dir;
  const std::string file = dir.path() + "/metrics.txt";
  const std::string body = collector.scrape();
  ASSERT_NE(body.find("opencode_pipeline_duration_seconds_bucket"), std::string::npos);
  std::ofstream(file) << body;
  Process promtool({"/bin/sh", "-c", std::string(kPromtoolBinary) + " check metrics < " + file});
  auto status = promtool.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status);
  EXPECT_EQ(exit_code(*status), 0) << promtool.output();
  EXPECT_EQ(promtool.output(), "") << promtool.output();
}

// Prometheus asks for OpenMetrics first; a collector with openMetrics off answers in the text
// format. Both scrapes must succeed and carry the same catalogue.
TEST(Prometheus, ScrapesAnOpenMetricsTargetAndATextTarget) {
  TempDir dir;
  const std::string text_only = dir.path() + "/text-only.yml";
  std::ofstream(text_only) << "prometheus:\n  openMetrics: false\n";
  const std::string om_ns = unique_namespace("prom-om");
  const std::string text_ns = unique_namespace("prom-text");
  CollectorProcess openmetrics_collector(om_ns);
  CollectorProcess text_collector(text_ns, {"--config=" + text_only});
  for (const auto& ns : {om_ns, text_ns}) {
    Process producer({kTestProducerBinary, "--threads", "2", "--events", "100", "--label", "formats"}, {{"AGENTMETRICS_NAMESPACE", ns}});
    auto status = producer.wait(std::chrono::seconds(30));
    ASSERT_TRUE(status && exit_code(*status) == 0) << producer.output();
  }
  PrometheusServer prometheus({{"openmetrics", openmetrics_collector.port()}, {"text", text_collector.port()}});
  ASSERT_EQ(prometheus.wait_for("up == 1", 2).size(), 2u) << prometheus.query("up").dump();
  for (const std::string job : {"openmetrics", "text"}) {
    auto tasks = prometheus.wait_for("opencode_task_total{job=\"" + job + "\",task_type=\"formats\"}", 2);
    ASSERT_EQ(tasks.size(), 2u) << job << " " << tasks.dump();
    for (const auto& series : tasks) EXPECT_EQ(series["value"][1], "1") << job;
    auto buckets = prometheus.wait_for("opencode_task_duration_seconds_bucket{job=\"" + job + "\",task_type=\"formats\"}", 12);
    EXPECT_EQ(buckets.size(), 12u) << job << " " << buckets.dump();
    auto events = prometheus.wait_for("sum(am_test_events_total{job=\"" + job + "\",producer=\"formats\"})", 1);
    ASSERT_EQ(events.size(), 1u) << job;
    EXPECT_EQ(events[0]["value"][1], "200") << job;
  }
}

// Prometheus with its native-histogram feature (2.42's flag) asks for the protobuf format; a
// family configured for native buckets reaches it as a native histogram, whose
// histogram_quantile agrees with the quantile of the observations within the schema's error,
// and the other families arrive as before.
TEST(Prometheus, ScrapesNativeHistogramsWhoseQuantilesAgreeWithTheObservations) {
  TempDir dir;
  const std::string config = dir.path() + "/native.yml";
  const int schema = 3;
  std::ofstream(config) << "prometheus:\n  nativeHistograms:\n    am_test_latency_seconds: {schema: " << schema << "}\n";
  const std::string ns = unique_namespace("prom-native");
  CollectorProcess collector(ns, {"--config=" + config});
  Process producer({kTestProducerBinary, "--threads", "1", "--events", "10", "--label", "native", "--latencies", "20000"},
                   {{"AGENTMETRICS_NAMESPACE", ns}});
  auto status = producer.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status && exit_code(*status) == 0) << producer.output();
  ASSERT_NE(producer.output().find("dropped=0\n"), std::string::npos) << producer.output();
  std::map<double, double> truth;  // the producer's own quantiles of what it observed
  std::istringstream lines(producer.output());
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("quantile_")) truth[std::stod(line.substr(9))] = std::stod(line.substr(line.find('=') + 1));
  }
  ASSERT_EQ(truth.size(), 3u) << producer.output();

  PrometheusServer prometheus({{"agentmetrics", collector.port()}}, {"--enable-feature=native-histograms"});
  auto native = prometheus.wait_for("am_test_latency_seconds{producer=\"native\"}", 1);
  ASSERT_EQ(native.size(), 1u) << "no native histogram: " << prometheus.query("up").dump();
  ASSERT_TRUE(native[0].contains("histogram")) << native.dump();
  EXPECT_EQ(native[0]["histogram"][1]["count"], "20000") << native.dump();
  EXPECT_EQ(prometheus.result("am_test_latency_seconds_bucket").size(), 0u) << "Prometheus 2.42 keeps the native buckets only";

  const double error = std::exp2(std::exp2(-schema)) - 1;  // one bucket's width, relative
  for (const auto& [q, value] : truth) {
    char query[128];
    std::snprintf(query, sizeof(query), "histogram_quantile(%g, am_test_latency_seconds{producer=\"native\"})", q);
    const auto estimate = prometheus.wait_for(query, 1);
    ASSERT_EQ(estimate.size(), 1u) << query;
    const double got = std::stod(estimate[0]["value"][1].get<std::string>());
    EXPECT_NEAR(got, value, value * error) << query << ": the observations' quantile is " << value;
  }

  // The families without native buckets arrive through the same protobuf scrape as before.
  auto tasks = prometheus.wait_for("opencode_task_total{task_type=\"native\"}", 1);
  ASSERT_EQ(tasks.size(), 1u) << tasks.dump();
  EXPECT_EQ(tasks[0]["value"][1], "1");
  auto buckets = prometheus.wait_for("am_test_value_bucket{producer=\"native\"}", 4);
  EXPECT_EQ(buckets.size(), 4u) << buckets.dump();
}
