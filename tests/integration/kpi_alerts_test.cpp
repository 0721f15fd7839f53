// The KPIs in the running daemon: events recorded through the rings move the KPI gauges and
// /health, a KPI that crosses its alert threshold posts an Alertmanager webhook to a real local
// receiver and its recovery posts the resolution, and `agentmetrics kpi` reads the same store.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/support/alert_receiver.h"
#include "tests/support/collector_process.h"
#include "tests/support/http_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace agentmetrics::testing;
using nlohmann::json;

namespace {

int run_cli(const std::string& ns, std::vector<std::string> args, std::string* output = nullptr) {
  args.insert(args.begin(), kAgentmetricsCliBinary);
  Process p(args, {{"AGENTMETRICS_NAMESPACE", ns}});
  auto status = p.wait(std::chrono::seconds(30));
  if (output) *output = p.output();
  return status ? exit_code(*status) : -1;
}

std::optional<double> wait_for_sample(CollectorProcess& c, const std::string& key, double value) {
  std::optional<double> got;
  for (int i = 0; i < 400 && got != value; ++i) {
    got = sample(c.samples(), key);
    if (got != value) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return got;
}

TEST(KpiAlerts, ACrossedThresholdFiresTheWebhookAndARecoveryResolvesIt) {
  TempDir dir;
  AlertReceiver receiver(dir.path());
  ASSERT_NE(receiver.port(), 0);
  const std::string ns = unique_namespace("kpi");
  const std::string store = dir.path() + "/events.db";
  CollectorProcess collector(ns, {"--store=" + store}, {{"ALERT_WEBHOOK_URL", receiver.url()}});

  ASSERT_EQ(run_cli(ns, {"record", "coverage", "--percent", "60"}), 0);
  const std::string status = "opencode_kpi_status{group=\"quality\",kpi=\"code_coverage\",window=\"24h\"}";
  EXPECT_EQ(wait_for_sample(collector, status, 2), 2);
  EXPECT_EQ(sample(collector.samples(), "opencode_kpi_value{group=\"quality\",kpi=\"code_coverage\",window=\"24h\"}"), 60);
  EXPECT_EQ(sample(collector.samples(), "opencode_kpi_alert_threshold{kpi=\"code_coverage\",window=\"7d\"}"), 75);

  auto bodies = receiver.wait_for(1);
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0]["version"], "4");
  EXPECT_EQ(bodies[0]["status"], "firing");
  ASSERT_EQ(bodies[0]["alerts"].size(), 1u);
  const json firing = bodies[0]["alerts"][0];  // a copy: `bodies` is replaced below
  EXPECT_EQ(firing["labels"]["alertname"], "KpiCodeCoverage");
  EXPECT_EQ(firing["labels"]["kpi"], "code_coverage");
  EXPECT_EQ(firing["labels"]["window"], "24h");
  EXPECT_EQ(firing["endsAt"], "0001-01-01T00:00:00Z");

  // /health counts the alerting KPI.
  const json health = json::parse(http_get(collector.url("/health")).body);
  EXPECT_EQ(health["metrics"]["kpis_alerting"], 1);

  ASSERT_EQ(run_cli(ns, {"record", "coverage", "--percent", "90"}), 0);
  EXPECT_EQ(wait_for_sample(collector, status, 0), 0);
  bodies = receiver.wait_for(2);
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[1]["status"], "resolved");
  const json& resolved = bodies[1]["alerts"][0];
  EXPECT_EQ(resolved["fingerprint"], firing["fingerprint"]);
  EXPECT_EQ(resolved["startsAt"], firing["startsAt"]);
  EXPECT_NE(resolved["endsAt"], "0001-01-01T00:00:00Z");

  const std::string sent = "agentmetrics_alert_notifications_total{result=\"sent\"}";
  EXPECT_EQ(wait_for_sample(collector, sent, 2), 2);

  // The command reads the same store and agrees.
  std::string out;
  ASSERT_EQ(run_cli(ns, {"kpi", "--window", "24h", "--json", "--store", store}, &out), 0) << out;
  const json report = json::parse(out);
  EXPECT_EQ(report["window"], "24h");
  // The specification's 23, DORA's change failure rate and recovery time, and the two of cost.
  ASSERT_EQ(report["kpis"].size(), 27u);
  EXPECT_EQ(report["kpis"][0]["id"], "code_coverage");
  EXPECT_EQ(report["kpis"][0]["value"], 90);
  EXPECT_EQ(report["kpis"][0]["status"], "ok");
}

TEST(KpiAlerts, TasksMoveHealthAndTheAiSuccessRate) {
  TempDir dir;
  const std::string ns = unique_namespace("kpi-tasks");
  CollectorProcess collector(ns, {"--store=" + dir.path() + "/events.db"});
  // Three of the four report what they cost, two of those succeeded; one reports its tokens.
  const std::vector<std::vector<std::string>> costs = {
      {"--cost_usd", "0.5", "--tokens_input", "2500000", "--tokens_output", "600000"}, {"--cost_usd", "1.25"}, {}, {"--cost_usd", "0.75"}};
  const char* outcomes[] = {"true", "true", "true", "false"};
  for (std::size_t i = 0; i < costs.size(); ++i) {
    std::vector<std::string> args = {"record",    "task",      "--agent_type",       "build", "--task_type", "fix",
                                     "--success", outcomes[i], "--duration_seconds", "100"};
    args.insert(args.end(), costs[i].begin(), costs[i].end());
    ASSERT_EQ(run_cli(ns, args), 0);
  }
  EXPECT_EQ(wait_for_sample(collector, "opencode_ai_success_rate{agent_type=\"build\"}", 0.75), 0.75);
  const json health = json::parse(http_get(collector.url("/health")).body);
  EXPECT_EQ(health["metrics"]["tasks_completed_24h"], 4);
  EXPECT_EQ(health["metrics"]["success_rate_24h"], 0.75);
  EXPECT_EQ(health["metrics"]["avg_task_duration_24h"], 100);
  EXPECT_EQ(health["metrics"]["cost_usd_24h"], 2.5);
  // 2.5 USD over the two successful tasks that report a cost; 3.1 million tokens in the one
  // task that reports them, past the alert threshold of 2 million.
  const std::string cost = R"(opencode_kpi_value{group="ai_assistance",kpi="cost_per_successful_task",window="24h"})";
  EXPECT_EQ(wait_for_sample(collector, cost, 1.25), 1.25);
  const std::string tokens = R"(opencode_kpi_status{group="ai_assistance",kpi="tokens_per_task",window="24h"})";
  EXPECT_EQ(wait_for_sample(collector, tokens, 2), 2);
  EXPECT_EQ(json::parse(http_get(collector.url("/health")).body)["metrics"]["kpis_alerting"], 1);
  // The command reads the same store and agrees.
  std::string out;
  ASSERT_EQ(run_cli(ns, {"kpi", "--window", "24h", "--json", "--store", dir.path() + "/events.db"}, &out), 0) << out;
  const json report = json::parse(out);
  EXPECT_EQ(report["cost_usd"], 2.5);
  EXPECT_EQ(report["tasks_with_cost"], 3);
  ASSERT_EQ(run_cli(ns, {"kpi", "--window", "24h", "--store", dir.path() + "/events.db"}, &out), 0) << out;
  EXPECT_NE(out.find("COST over the last 24h: $2.50 (3 tasks report a cost, 2 of them successful)\n"), std::string::npos) << out;
  // Over the week, the day's spend beside the week's.
  ASSERT_EQ(run_cli(ns, {"kpi", "--store", dir.path() + "/events.db"}, &out), 0) << out;
  EXPECT_NE(out.find("COST over the last 7d: $2.50 (3 tasks report a cost, 2 of them successful); over the last 24h: $2.50\n"),
            std::string::npos)
      << out;
  ASSERT_EQ(run_cli(ns, {"kpi", "--json", "--store", dir.path() + "/events.db"}, &out), 0) << out;
  EXPECT_EQ(json::parse(out)["cost_usd_24h"], 2.5);
}

TEST(KpiAlerts, AReceiverThatIsDownIsCountedAndTheDaemonGoesOn) {
  TempDir dir;
  const std::string ns = unique_namespace("kpi-down");
  // A port nobody listens on: the notifier retries, then counts the alert failed.
  CollectorProcess collector(ns, {"--store=" + dir.path() + "/events.db"}, {{"ALERT_WEBHOOK_URL", "http://127.0.0.1:9/alerts"}});
  ASSERT_EQ(run_cli(ns, {"record", "coverage", "--percent", "10"}), 0);
  const std::string retries = "agentmetrics_alert_notification_retries_total";
  std::optional<double> got;
  for (int i = 0; i < 200 && got.value_or(0) < 1; ++i) {
    got = sample(collector.samples(), retries);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GE(got.value_or(0), 1);
  EXPECT_EQ(http_get(collector.url("/health")).status, 200);
}

}  // namespace
