// Every query of the Grafana dashboard, and every alert rule's expression, run by a real
// Prometheus against a real agentmetricsd fed with events by the real agentmetrics command and
// with what the real Claude Code and Codex exported over OTLP (tests/data/agents).
#include <yaml-cpp/yaml.h>

#include <cmath>
#include <map>

#include "tests/support/collector_process.h"
#include "tests/deploy/deploy_support.h"

using namespace agentmetrics::deploytest;
using agentmetrics::testing::CollectorProcess;
using agentmetrics::testing::http_post;
using agentmetrics::testing::kAgentmetricsCliBinary;
using agentmetrics::testing::unique_namespace;

namespace {

struct PanelQuery {
  std::string row, panel, ref, expr;
};

std::vector<PanelQuery> dashboard_queries() {
  const auto d = nlohmann::json::parse(read_file(kDeployDir + "/grafana/dashboards/agentmetrics.json"));
  std::vector<PanelQuery> out;
  std::string row;
  for (const auto& p : d["panels"]) {
    if (p["type"] == "row") {
      row = p["title"];
      continue;
    }
    for (const auto& t : p["targets"]) out.push_back({row, p["title"], t["refId"], t["expr"]});
  }
  return out;
}

// Grafana's variables as Grafana would fill them for this Prometheus (scrape interval 1s).
std::string substitute(std::string expr) {
  const std::vector<std::pair<std::string, std::string>> values = {
      {"$__rate_interval", "1m"}, {"$__interval", "15s"}, {"$__range", "10m"}, {"${instance}", ".+"}, {"$instance", ".+"}};
  for (const auto& [var, value] : values) {
    for (auto at = expr.find(var); at != std::string::npos; at = expr.find(var)) expr.replace(at, var.size(), value);
  }
  return expr;
}

std::set<std::string> metric_names(const std::string& expr) {
  std::set<std::string> out;
  const std::regex name("\\b((?:opencode|agentmetrics)_[a-z0-9_]+)");
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), name); it != std::sregex_iterator(); ++it) out.insert((*it)[1]);
  return out;
}

bool has_number(const nlohmann::json& result) {
  for (const auto& series : result) {
    const std::string v = series["value"][1];
    if (v != "NaN") return true;
  }
  return false;
}

class DashboardQueries : public ::testing::Test {
 protected:
  void record(const std::vector<std::string>& args, int expected_code = 0) {
    std::vector<std::string> argv{kAgentmetricsCliBinary};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run(argv, {{"AGENTMETRICS_NAMESPACE", ns_}, {"AGENTMETRICS_SHM_DIR", segments_.path()}});
    ASSERT_EQ(r.code, expected_code) << args[0] << " " << args[1] << ": " << r.output;
  }
  // A file named like a segment of this namespace that is not one: the collector refuses it.
  void reject_a_segment() {
    const std::string name = "agentmetrics." + ns_ + ".999999.1";
    write_file(segments_.path() + "/.tmp-" + name, std::string(4096, 'x'));
    std::filesystem::rename(segments_.path() + "/.tmp-" + name, segments_.path() + "/" + name);
  }
  // One round of the events every row of the dashboard is computed from.
  void feed() {
    record({"record",           "task",  "--agent_type",         "build", "--task_type",          "bugfix", "--stage",        "implement",
            "--success",        "true",  "--duration_seconds",   "600",   "--time_saved_seconds", "600",    "--prompts_sent", "10",
            "--prompts_useful", "8",     "--ai_lines_generated", "100",   "--ai_lines_accepted",  "90",     "--cost_usd",     "0.8",
            "--tokens_input",   "12000", "--tokens_output",      "3000",  "--tokens_cache_read",  "90000"});
    record({"record",
            "task",
            "--agent_type",
            "plan",
            "--task_type",
            "feature",
            "--success",
            "false",
            "--duration_seconds",
            "1200",
            "--human_intervention",
            "true",
            "--intervention_reason",
            "stuck",
            "--prompts_sent",
            "10",
            "--prompts_useful",
            "5",
            "--time_saved_seconds",
            "300",
            "--cost_usd",
            "0.4"});
    record({"record", "task", "--agent_type", "general", "--task_type", "refactor", "--success", "true", "--duration_seconds", "3000"});
    record({"record", "coverage", "--percent", "82"});
    record({"record", "lint", "--errors", "3", "--warnings", "5"});
    record({"exec", "--stage", "test", "--", "/bin/false"}, 1);
    record({"exec", "--stage", "build", "--", "/bin/true"});
    record({"record", "test_run", "--tests", "100", "--flaky", "2", "--duration_seconds", "200"});
    record({"record", "deployment", "--success", "true", "--rollback", "true"});
    // The DORA row: a failed deployment to production and the one that recovers it, whose
    // change was committed an hour before (lead time, recovery time and their medians).
    const auto hour_ago =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() - 3600;
    record({"record", "deployment", "--success", "false", "--environment", "production"});
    record({"record", "deployment", "--success", "true", "--environment", "production", "--commit_time", std::to_string(hour_ago)});
  }
  // Every request the real agent made over OTLP/HTTP (protobuf) in a recorded scenario, posted to
  // the collector's receiver as the agent sent it (gzipped if the recording keeps it so). A body is counted once however often it comes,
  // so each round sends other scenarios.
  void send_agent_telemetry(const CollectorProcess& collector, const std::vector<std::string>& scenarios) {
    const int port = collector.otlp_port("http");
    ASSERT_NE(port, 0) << "the collector's OTLP/HTTP receiver does not listen";
    for (const std::string& scenario : scenarios) {
      const std::string recording = std::string(AM_AGENT_DATA_DIR) + "/" + scenario + "/otlp/http-protobuf";
      std::istringstream index(read_file(recording + "/index.jsonl"));
      for (std::string line; std::getline(index, line);) {
        const auto request = nlohmann::json::parse(line);
        std::map<std::string, std::string> headers = {{"Content-Type", request["content_type"].get<std::string>()}};
        // A large body is kept gzipped in the recording: sent so, the receiver unpacks it.
        if (request.value("stored", "") == "gzip" || request["content_encoding"] == "gzip") headers["Content-Encoding"] = "gzip";
        const auto answer = http_post("http://127.0.0.1:" + std::to_string(port) + request["path"].get<std::string>(),
                                      read_file(recording + "/" + request["file"].get<std::string>()), headers);
        ASSERT_EQ(answer.status, 200) << scenario << " " << request["path"] << ": " << answer.body;
      }
    }
  }
  // A collector of this test's own segment directory.
  std::unique_ptr<CollectorProcess> start_collector() {
    return std::make_unique<CollectorProcess>(ns_, std::vector<std::string>{"--segment-dir=" + segments_.path()});
  }
  std::string ns_ = unique_namespace("dashboard");
  TempDir segments_;
};

TEST_F(DashboardQueries, EveryPanelQueryParsesAndReturnsDataFromARealCollector) {
  auto collector = start_collector();
  PrometheusServer prometheus({{"agentmetrics", collector->port()}});
  const auto until = [](auto done, std::chrono::seconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(250));
    return done();
  };
  ASSERT_TRUE(until([&] { return !prometheus.result("up{job=\"agentmetrics\"} == 1").empty(); }, std::chrono::seconds(30)))
      << "Prometheus never scraped the collector";
  // Counters need two samples around an increase for rate(): a round, scrapes, another round.
  // The agents' rounds: plain answers, then tool calls and API errors.
  ASSERT_NO_FATAL_FAILURE(feed());
  ASSERT_NO_FATAL_FAILURE(send_agent_telemetry(*collector, {"claude/plain", "codex/plain"}));
  std::this_thread::sleep_for(std::chrono::seconds(3));
  ASSERT_NO_FATAL_FAILURE(feed());
  ASSERT_NO_FATAL_FAILURE(
      send_agent_telemetry(*collector, {"claude/tool-chain", "claude/api-error-5xx", "codex/tool-chain", "codex/api-error-4xx"}));
  std::this_thread::sleep_for(std::chrono::seconds(3));

  // The learning system's metrics may not be in the collector yet: their panels must parse,
  // and return data once their metrics exist.
  std::set<std::string> exported;
  for (const auto& series : prometheus.result("count by (__name__) ({__name__=~\"(opencode|agentmetrics)_.+\"})")) {
    exported.insert(series["metric"]["__name__"].get<std::string>());
  }
  const auto queries = dashboard_queries();
  ASSERT_GE(queries.size(), 20u);
  for (const auto& q : queries) {
    const std::string expr = substitute(q.expr);
    ASSERT_EQ(expr.find('$'), std::string::npos) << q.panel << ": a variable this test does not fill: " << expr;
    const auto answer = prometheus.query(expr);
    EXPECT_EQ(answer.value("status", ""), "success") << q.row << " / " << q.panel << " (" << q.ref << "): " << expr << "\n"
                                                     << answer.dump();
    bool wants_data = true;
    if (q.row == "cass_memory Learning") {
      for (const auto& name : metric_names(expr)) wants_data &= exported.contains(name);
      if (!wants_data) {
        std::cout << "[ note ] " << q.panel << ": " << expr << " parses; its metrics are not exported yet\n";
        continue;
      }
    }
    nlohmann::json result;
    const bool ok = until(
        [&] {
          result = prometheus.result(expr);
          return has_number(result);
        },
        std::chrono::seconds(20));
    EXPECT_TRUE(ok) << q.row << " / " << q.panel << " (" << q.ref << ") returns no data: " << expr << "\n" << result.dump();
  }
}

// Every name a panel or a rule uses is one the collector exports (or, for the learning row,
// one the learning system is to export).
TEST_F(DashboardQueries, EveryMetricNameIsOneTheCollectorExports) {
  auto collector = start_collector();
  ASSERT_NO_FATAL_FAILURE(feed());
  ASSERT_NO_FATAL_FAILURE(send_agent_telemetry(*collector, {"claude/tool-chain", "codex/api-error-4xx"}));
  // A segment the collector refuses, so that agentmetrics_segments_rejected_total exists (its
  // series appear with the first rejection).
  reject_a_segment();
  std::vector<std::pair<std::string, std::string>> exprs;
  for (const auto& q : dashboard_queries()) exprs.emplace_back("panel " + q.panel, q.expr);
  for (const auto& e : std::filesystem::directory_iterator(kDeployDir + "/prometheus/rules")) {
    for (const auto& group : YAML::LoadFile(e.path().string())["groups"]) {
      for (const auto& rule : group["rules"]) exprs.emplace_back("rule " + rule["alert"].as<std::string>(), rule["expr"].as<std::string>());
    }
  }
  std::string scrape;
  auto exported = [&](const std::string& name) {
    for (const std::string& family : {name, std::regex_replace(name, std::regex("_(bucket|sum|count)$"), "")}) {
      if (scrape.find("# TYPE " + family + " ") != std::string::npos) return true;
    }
    return false;
  };
  auto all_exported = [&] {
    for (const auto& [where, expr] : exprs) {
      for (const auto& name : metric_names(expr)) {
        if (!exported(name)) return false;
      }
    }
    return true;
  };
  // The KPI families come with the computations after the events are stored: one may run
  // before the forge's events are in (the value gauges, but no lead-time quantile yet), so
  // wait for every name, and report the ones still missing at the deadline.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (scrape = collector->scrape(); !all_exported() && std::chrono::steady_clock::now() < deadline; scrape = collector->scrape()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (const auto& [where, expr] : exprs) {
    for (const auto& name : metric_names(expr)) {
      EXPECT_TRUE(exported(name)) << where << " uses " << name << ", which the collector does not export";
    }
  }
}

// The collector exports every metric the learning row reads: a metric under another name
// leaves panels empty while their queries still parse.
TEST_F(DashboardQueries, TheLearningRowReadsTheNamesTheCollectorExports) {
  auto collector = start_collector();
  const std::string scrape = collector->scrape();
  std::set<std::string> families;
  const std::regex type_line("# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) ");
  for (auto it = std::sregex_iterator(scrape.begin(), scrape.end(), type_line); it != std::sregex_iterator(); ++it)
    families.insert((*it)[1]);
  std::string learning;
  for (const auto& name : families) {
    if (std::regex_search(name, std::regex("cass_memory|playbook|reflection|anti_pattern"))) learning += " " + name;
  }
  ASSERT_FALSE(learning.empty()) << "the collector exports no learning metrics (is cass_memory enabled by default?)";
  for (const auto& q : dashboard_queries()) {
    if (q.row != "cass_memory Learning") continue;
    for (const auto& name : metric_names(q.expr)) {
      EXPECT_TRUE(families.contains(name)) << "the learning row's panel \"" << q.panel << "\" reads " << name
                                           << ", which the collector does not export; its learning metrics are" << learning;
    }
  }
}

// The rules' expressions are valid PromQL for the Prometheus that will run them, against the
// collector's real series (promtool's unit tests use hand-written ones); the collector's own
// alerts find what they are about: a rejected segment.
TEST_F(DashboardQueries, EveryAlertExpressionRunsAgainstTheCollectorsSeries) {
  auto collector = start_collector();
  PrometheusServer prometheus({{"agentmetrics", collector->port()}});
  ASSERT_NO_FATAL_FAILURE(feed());
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (prometheus.result("opencode_task_total").empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  int rules = 0;
  for (const auto& e : std::filesystem::directory_iterator(kDeployDir + "/prometheus/rules")) {
    for (const auto& group : YAML::LoadFile(e.path().string())["groups"]) {
      for (const auto& rule : group["rules"]) {
        const auto answer = prometheus.query(rule["expr"].as<std::string>());
        EXPECT_EQ(answer.value("status", ""), "success") << rule["alert"].as<std::string>() << ": " << answer.dump();
        ++rules;
      }
    }
  }
  EXPECT_GE(rules, 8);
  // With the collector up, AgentmetricsDown's expression finds nothing, and `up` is there.
  EXPECT_TRUE(prometheus.result("up{job=\"agentmetrics\"} == 0").empty());

  // The first rejection of a reason: its series appears at 1, and the rule still sees it.
  std::string rejecting;
  for (const auto& e : std::filesystem::directory_iterator(kDeployDir + "/prometheus/rules")) {
    for (const auto& group : YAML::LoadFile(e.path().string())["groups"]) {
      for (const auto& rule : group["rules"]) {
        if (rule["alert"] && rule["alert"].as<std::string>() == "AgentmetricsRejectingSegments") rejecting = rule["expr"].as<std::string>();
      }
    }
  }
  ASSERT_FALSE(rejecting.empty());
  EXPECT_TRUE(prometheus.result(rejecting).empty()) << "nothing was rejected yet";
  reject_a_segment();
  nlohmann::json found;
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while ((found = prometheus.result(rejecting)).empty() && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_EQ(found.size(), 1u) << found.dump() << "\n" << collector->process().output();
  EXPECT_FALSE(found[0]["metric"].value("reason", "").empty()) << found.dump();
}

}  // namespace
