// The KPIs in the running daemon: events recorded through the rings move the KPI gauges and
// /health, a KPI that crosses its alert threshold posts an Alertmanager webhook to a real local
// receiver and its recovery posts the resolution, and `agentmetrics kpi` reads the same store.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

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

// A real HTTP receiver in its own process: every POST body lands as one line of a file.
class WebhookReceiver {
 public:
  explicit WebhookReceiver(const std::string& dir)
      : bodies_(dir + "/webhooks.jsonl"), process_({"/usr/bin/python3", kWebhookReceiverScript, bodies_}) {
    const std::regex port("port=([0-9]+)");
    for (int i = 0; i < 200 && port_ == 0; ++i) {
      std::smatch m;
      const std::string out = process_.output();
      if (std::regex_search(out, m, port)) port_ = std::stoi(m[1]);
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/alerts"; }
  int port() const { return port_; }
  std::vector<json> bodies() const {
    std::vector<json> out;
    std::ifstream in(bodies_);
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
  }
  std::vector<json> wait_for(std::size_t n) const {
    auto got = bodies();
    for (int i = 0; i < 400 && got.size() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      got = bodies();
    }
    return got;
  }

 private:
  std::string bodies_;
  Process process_;
  int port_ = 0;
};

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
  WebhookReceiver receiver(dir.path());
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
  ASSERT_EQ(report["kpis"].size(), 25u);  // the specification's 23 and DORA's change failure rate and recovery time
  EXPECT_EQ(report["kpis"][0]["id"], "code_coverage");
  EXPECT_EQ(report["kpis"][0]["value"], 90);
  EXPECT_EQ(report["kpis"][0]["status"], "ok");
}

TEST(KpiAlerts, TasksMoveHealthAndTheAiSuccessRate) {
  TempDir dir;
  const std::string ns = unique_namespace("kpi-tasks");
  CollectorProcess collector(ns, {"--store=" + dir.path() + "/events.db"});
  for (const char* success : {"true", "true", "true", "false"}) {
    ASSERT_EQ(
        run_cli(ns, {"record", "task", "--agent_type", "build", "--task_type", "fix", "--success", success, "--duration_seconds", "100"}),
        0);
  }
  EXPECT_EQ(wait_for_sample(collector, "opencode_ai_success_rate{agent_type=\"build\"}", 0.75), 0.75);
  const json health = json::parse(http_get(collector.url("/health")).body);
  EXPECT_EQ(health["metrics"]["tasks_completed_24h"], 4);
  EXPECT_EQ(health["metrics"]["success_rate_24h"], 0.75);
  EXPECT_EQ(health["metrics"]["avg_task_duration_24h"], 100);
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
