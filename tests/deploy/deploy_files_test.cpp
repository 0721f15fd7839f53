// The deployment files under deploy/, checked by the tools that read them where this machine has
// them (promtool, amtool, systemd-analyze) and otherwise by parsing them and verifying the
// fields that matter: the Kubernetes manifests, the Dockerfile, the Grafana dashboard, the
// seccomp profile. Docker, kubectl and Grafana are not on the machine.
#include <sys/utsname.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "tests/deploy/deploy_support.h"

using namespace agentmetrics::deploytest;
using agentmetrics::testing::kAgentmetricsCliBinary;
using agentmetrics::testing::kCollectorBinary;
using agentmetrics::testing::kPromtoolBinary;

namespace {

std::vector<std::string> files_in(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string p = e.path().string();
    if (p.ends_with(suffix)) out.push_back(p);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : " ") + quote(x);
  return s;
}

// --- Prometheus rules --------------------------------------------------------------------------

struct AlertRule {
  std::string group, expr, for_, severity, summary;
  std::string interval;
};

std::map<std::string, AlertRule> load_alert_rules() {
  std::map<std::string, AlertRule> rules;
  for (const auto& file : files_in(kDeployDir + "/prometheus/rules", ".yml")) {
    const YAML::Node doc = YAML::LoadFile(file);
    for (const auto& group : doc["groups"]) {
      for (const auto& rule : group["rules"]) {
        if (!rule["alert"]) continue;
        AlertRule r;
        r.group = group["name"].as<std::string>();
        r.interval = group["interval"] ? group["interval"].as<std::string>() : "";
        r.expr = rule["expr"].as<std::string>();
        r.for_ = rule["for"] ? rule["for"].as<std::string>() : "";
        r.severity = rule["labels"]["severity"].as<std::string>();
        r.summary = rule["annotations"]["summary"].as<std::string>();
        const std::string name = rule["alert"].as<std::string>();
        EXPECT_FALSE(rules.contains(name)) << name << " is defined twice";
        rules[name] = r;
      }
    }
  }
  return rules;
}

std::string trimmed(std::string s) {
  s.erase(0, s.find_first_not_of(" \n\t"));
  s.erase(s.find_last_not_of(" \n\t") + 1);
  return s;
}

TEST(PrometheusRules, PromtoolChecksEveryRuleFile) {
  const auto files = files_in(kDeployDir + "/prometheus/rules", ".yml");
  ASSERT_GE(files.size(), 2u);
  auto r = shell(quote(kPromtoolBinary) + " check rules " + joined(files));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output.find("FAILED"), std::string::npos) << r.output;
}

TEST(PrometheusRules, PromtoolUnitTestsPass) {
  const auto files = files_in(kDeployDir + "/prometheus/tests", ".test.yml");
  ASSERT_GE(files.size(), 2u);
  auto r = shell(quote(kPromtoolBinary) + " test rules " + joined(files));
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("SUCCESS"), std::string::npos) << r.output;
}

TEST(PrometheusRules, HaveTheSpecificationsAlertsAndTheCollectorsOwn) {
  const auto rules = load_alert_rules();
  struct Spec {
    const char* name;
    const char* for_;
    const char* severity;
    const char* summary;
  };
  for (const Spec& s : {Spec{"HighTaskFailureRate", "10m", "warning", "High task failure rate (>20%)"},
                        Spec{"PipelineFailureSpike", "5m", "critical", "Pipeline failure spike detected"},
                        Spec{"LowCodeCoverage", "15m", "warning", "Code coverage below 75%"},
                        Spec{"HighLintErrorRate", "10m", "warning", "High lint error rate"},
                        Spec{"LowAISuccessRate", "30m", "info", "AI success rate below 60%"}}) {
    ASSERT_TRUE(rules.contains(s.name)) << s.name;
    const auto& r = rules.at(s.name);
    EXPECT_EQ(r.group, "opencode_alerts") << s.name;
    EXPECT_EQ(r.interval, "30s") << s.name;
    EXPECT_EQ(r.for_, s.for_) << s.name;
    EXPECT_EQ(r.severity, s.severity) << s.name;
    EXPECT_EQ(r.summary, s.summary) << s.name;
  }
  // The three the specification gets right are its expressions, unchanged.
  EXPECT_EQ(trimmed(rules.at("PipelineFailureSpike").expr), "rate(opencode_pipeline_failures_total[5m]) > 5");
  EXPECT_EQ(trimmed(rules.at("LowCodeCoverage").expr), "opencode_code_coverage_percent < 75");
  EXPECT_EQ(trimmed(rules.at("LowAISuccessRate").expr), "opencode_ai_success_rate < 0.6");
  for (const char* name : {"AgentmetricsDown", "AgentmetricsDroppingEvents", "AgentmetricsRejectingSegments"}) {
    EXPECT_TRUE(rules.contains(name)) << name;
  }
  EXPECT_NE(rules.at("AgentmetricsDown").expr.find("up{job=\"agentmetrics\"}"), std::string::npos);
  EXPECT_NE(rules.at("AgentmetricsDroppingEvents").expr.find("agentmetrics_events_dropped_total"), std::string::npos);
  EXPECT_NE(rules.at("AgentmetricsRejectingSegments").expr.find("agentmetrics_segments_rejected_total"), std::string::npos);
}

TEST(PrometheusRules, EveryAlertHasAUnitTestWhereItFiresAndOneWhereItDoesNot) {
  const auto rules = load_alert_rules();
  std::map<std::string, int> fires, quiet;
  for (const auto& file : files_in(kDeployDir + "/prometheus/tests", ".test.yml")) {
    const YAML::Node doc = YAML::LoadFile(file);
    for (const auto& test : doc["tests"]) {
      for (const auto& case_ : test["alert_rule_test"]) {
        const std::string name = case_["alertname"].as<std::string>();
        const YAML::Node expected = case_["exp_alerts"];
        if (expected && expected.IsSequence() && expected.size() > 0) {
          ++fires[name];
        } else {
          ++quiet[name];
        }
      }
    }
  }
  for (const auto& [name, rule] : rules) {
    EXPECT_GE(fires[name], 1) << name << " has no promtool test where it fires";
    EXPECT_GE(quiet[name], 1) << name << " has no promtool test where it stays quiet";
  }
}

TEST(PrometheusConfig, PromtoolAcceptsTheHostConfiguration) {
  auto r = run({kPromtoolBinary, "check", "config", kDeployDir + "/prometheus/prometheus.yml"});
  EXPECT_EQ(r.code, 0) << r.output;
  // the specification's, the collector's, DORA's, cost's
  EXPECT_NE(r.output.find("4 rule files found"), std::string::npos) << r.output;
  const YAML::Node doc = YAML::LoadFile(kDeployDir + "/prometheus/prometheus.yml");
  bool agentmetrics_job = false;
  for (const auto& job : doc["scrape_configs"]) agentmetrics_job |= job["job_name"].as<std::string>() == "agentmetrics";
  EXPECT_TRUE(agentmetrics_job) << "the rules select job=\"agentmetrics\"";
  EXPECT_EQ(doc["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"][0].as<std::string>(), "localhost:9093");
}

// Debian builds Prometheus without Kubernetes service discovery, so its promtool cannot read
// kubernetes_sd_configs; the rest of the file (relabeling, rules) is checked with that one
// section replaced by a static target.
TEST(PrometheusConfig, PromtoolAcceptsTheKubernetesConfiguration) {
  const std::string file = kDeployDir + "/prometheus/prometheus-kubernetes.yml";
  auto r = run({kPromtoolBinary, "check", "config", file});
  if (r.code != 0) {
    ASSERT_NE(r.output.find("field kubernetes_sd_configs not found"), std::string::npos) << r.output;
    TempDir dir;
    std::filesystem::copy(kDeployDir + "/prometheus/rules", dir.path() + "/rules");
    const std::string text = std::regex_replace(read_file(file), std::regex("kubernetes_sd_configs:\n +- role: pod"),
                                                "static_configs:\n      - targets: ['127.0.0.1:9090']");
    ASSERT_EQ(text.find("kubernetes_sd_configs"), std::string::npos);
    write_file(dir.path() + "/prometheus.yml", text);
    r = run({kPromtoolBinary, "check", "config", dir.path() + "/prometheus.yml"});
  }
  EXPECT_EQ(r.code, 0) << r.output;
  const YAML::Node doc = YAML::LoadFile(file);
  EXPECT_EQ(doc["scrape_configs"][0]["job_name"].as<std::string>(), "agentmetrics");
  const std::string text = read_file(file);
  for (const char* annotation : {"prometheus_io_scrape", "prometheus_io_port", "prometheus_io_path"}) {
    EXPECT_NE(text.find(std::string("__meta_kubernetes_pod_annotation_") + annotation), std::string::npos) << annotation;
  }
}

// --- Alertmanager --------------------------------------------------------------------------------

TEST(Alertmanager, AmtoolAcceptsTheConfiguration) {
  ASSERT_FALSE(kAmtool.empty()) << "amtool is missing: install Debian's prometheus-alertmanager (deploy/install-deps.sh)";
  auto r = run({kAmtool, "check-config", kDeployDir + "/alertmanager/alertmanager.yml"});
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("SUCCESS"), std::string::npos) << r.output;
  const YAML::Node doc = YAML::LoadFile(kDeployDir + "/alertmanager/alertmanager.yml");
  std::set<std::string> kinds;
  for (const auto& receiver : doc["receivers"]) {
    if (receiver["webhook_configs"]) kinds.insert("webhook");
    if (receiver["pagerduty_configs"]) {
      kinds.insert("pagerduty");
      // The key stays out of the file.
      EXPECT_FALSE(receiver["pagerduty_configs"][0]["routing_key"]);
      EXPECT_TRUE(receiver["pagerduty_configs"][0]["routing_key_file"]);
    }
  }
  EXPECT_EQ(kinds, (std::set<std::string>{"webhook", "pagerduty"}));
}

TEST(Alertmanager, CriticalAlertsPageAndEveryAlertReachesTheWebhook) {
  ASSERT_FALSE(kAmtool.empty()) << "amtool is missing: install Debian's prometheus-alertmanager (deploy/install-deps.sh)";
  const std::string config = kDeployDir + "/alertmanager/alertmanager.yml";
  auto receivers = [&](const std::vector<std::string>& labels) {
    std::vector<std::string> argv{kAmtool, "config", "routes", "test", "--config.file=" + config};
    argv.insert(argv.end(), labels.begin(), labels.end());
    auto r = run(argv);
    EXPECT_EQ(r.code, 0) << r.output;
    // The answer is the receivers' names on one line; amtool adds a warning about the URL flag.
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && line.find("Warning") == std::string::npos) return line;
    }
    return std::string();
  };
  EXPECT_EQ(receivers({"alertname=PipelineFailureSpike", "severity=critical"}), "pagerduty,webhook");
  EXPECT_EQ(receivers({"alertname=AgentmetricsDown", "severity=critical"}), "pagerduty,webhook");
  EXPECT_EQ(receivers({"alertname=LowCodeCoverage", "severity=warning"}), "webhook");
  EXPECT_EQ(receivers({"alertname=LowAISuccessRate", "severity=info"}), "webhook");
  EXPECT_EQ(receivers({"alertname=SomethingElse"}), "webhook");
}

// --- Grafana -------------------------------------------------------------------------------------

nlohmann::json load_dashboard() { return nlohmann::json::parse(read_file(kDeployDir + "/grafana/dashboards/agentmetrics.json")); }

TEST(GrafanaDashboard, HasTheSpecificationsFiveRowsDoraCostAndTheirPanels) {
  const auto d = load_dashboard();
  const std::vector<std::pair<std::string, std::vector<std::string>>> spec = {
      {"Task Overview", {"Total tasks completed (24h, 7d, 30d)", "Success rate trend", "Average task duration", "Tasks by agent type"}},
      {"Quality Metrics", {"Code coverage over time", "Lint errors trend", "Test execution time", "Flaky test rate"}},
      {"Pipeline Performance", {"Pipeline success rate", "Pipeline duration trend", "Failure rate by stage", "Rollback frequency"}},
      {"AI Assistance", {"AI success rate", "Human intervention rate", "Time saved by AI", "Prompt success rate"}},
      {"cass_memory Learning", {"Rules in playbook", "Rule confidence trend", "Anti-patterns detected", "Reflection runs"}},
      // DORA's four keys, filled by the forges' webhooks (docs/webhooks.md).
      {"DORA",
       {"Deployment frequency", "Lead time for changes (median)", "Change failure rate", "Failed deployment recovery time (median)",
        "DORA performance band"}},
      // What the agents' own telemetry reports (docs/otlp.md), and the KPIs of cost.
      {"Tokens and cost",
       {"Tokens by agent and model", "Tokens by type", "Cost per day by agent and model", "Cost per successful task", "Sessions",
        "API errors by status", "Tool calls and failures", "Tokens per task"}},
  };
  std::vector<std::string> rows;
  std::map<std::string, std::set<std::string>> panels_of;
  std::string row;
  for (const auto& p : d["panels"]) {
    if (p["type"] == "row") {
      row = p["title"];
      rows.push_back(row);
      EXPECT_FALSE(p.value("collapsed", false)) << row << ": a collapsed row hides its panels inside it";
      continue;
    }
    ASSERT_FALSE(row.empty()) << "a panel before the first row: " << p["title"];
    panels_of[row].insert(p["title"].get<std::string>());
  }
  std::vector<std::string> want_rows;
  for (const auto& [r, _] : spec) want_rows.push_back(r);
  EXPECT_EQ(rows, want_rows);
  for (const auto& [r, titles] : spec) {
    for (const auto& t : titles) EXPECT_TRUE(panels_of[r].contains(t)) << "row " << r << " lacks the panel " << t;
  }
}

TEST(GrafanaDashboard, EveryPanelQueriesTheDatasourceVariable) {
  const auto d = load_dashboard();
  EXPECT_FALSE(d["uid"].get<std::string>().empty());
  EXPECT_TRUE(d["id"].is_null()) << "an exported dashboard has no database id";
  const nlohmann::json* datasource = nullptr;
  for (const auto& v : d["templating"]["list"]) {
    if (v["name"] == "datasource") datasource = &v;
  }
  ASSERT_NE(datasource, nullptr) << "no variable named datasource";
  EXPECT_EQ((*datasource)["type"], "datasource");
  EXPECT_EQ((*datasource)["query"], "prometheus");
  auto uses_variable = [](const nlohmann::json& ds) {
    return ds.is_object() && ds.value("type", "") == "prometheus" && ds.value("uid", "") == "${datasource}";
  };
  for (const auto& v : d["templating"]["list"]) {
    if (v["type"] == "query") {
      EXPECT_TRUE(uses_variable(v["datasource"])) << v["name"];
    }
  }
  std::set<int> ids;
  int panels = 0;
  for (const auto& p : d["panels"]) {
    EXPECT_TRUE(ids.insert(p["id"].get<int>()).second) << "duplicate panel id " << p["id"];
    const auto& g = p["gridPos"];
    EXPECT_LE(g["x"].get<int>() + g["w"].get<int>(), 24) << p["title"];
    if (p["type"] == "row") continue;
    ++panels;
    EXPECT_TRUE(uses_variable(p["datasource"])) << p["title"] << ": " << p["datasource"];
    ASSERT_FALSE(p["targets"].empty()) << p["title"];
    for (const auto& t : p["targets"]) {
      EXPECT_TRUE(uses_variable(t["datasource"])) << p["title"] << " " << t["refId"];
      EXPECT_FALSE(t["expr"].get<std::string>().empty()) << p["title"];
    }
  }
  EXPECT_GE(panels, 20);
}

TEST(GrafanaDashboard, ProvisioningLoadsItAndAPrometheusDatasource) {
  const YAML::Node ds = YAML::LoadFile(kDeployDir + "/grafana/provisioning/datasources/agentmetrics.yml");
  EXPECT_EQ(ds["apiVersion"].as<int>(), 1);
  EXPECT_EQ(ds["datasources"][0]["type"].as<std::string>(), "prometheus");
  EXPECT_FALSE(ds["datasources"][0]["url"].as<std::string>().empty());
  const YAML::Node dash = YAML::LoadFile(kDeployDir + "/grafana/provisioning/dashboards/agentmetrics.yml");
  EXPECT_EQ(dash["apiVersion"].as<int>(), 1);
  EXPECT_EQ(dash["providers"][0]["type"].as<std::string>(), "file");
  EXPECT_FALSE(dash["providers"][0]["options"]["path"].as<std::string>().empty());
}

// --- Kubernetes ----------------------------------------------------------------------------------

YAML::Node find_kind(const std::string& file, const std::string& kind) {
  for (const auto& doc : YAML::LoadAllFromFile(file)) {
    if (doc["kind"] && doc["kind"].as<std::string>() == kind) return doc;
  }
  return YAML::Node();
}

YAML::Node named(const YAML::Node& list, const std::string& name) {
  for (const auto& item : list) {
    if (item["name"] && item["name"].as<std::string>() == name) return item;
  }
  return YAML::Node();
}

std::string flag_value(const YAML::Node& args, const std::string& flag, const std::string& fallback) {
  for (const auto& a : args) {
    const std::string s = a.as<std::string>();
    if (s.starts_with(flag + "=")) return s.substr(flag.size() + 1);
  }
  return fallback;
}

std::string env_value(const YAML::Node& container, const std::string& name, const std::string& fallback) {
  const YAML::Node e = named(container["env"], name);
  return e ? e["value"].as<std::string>() : fallback;
}

std::string mounted_volume(const YAML::Node& container, const std::string& path) {
  for (const auto& m : container["volumeMounts"]) {
    if (m["mountPath"].as<std::string>() == path) return m["name"].as<std::string>();
  }
  return "";
}

long run_as_user(const YAML::Node& pod, const YAML::Node& container) {
  if (container["securityContext"] && container["securityContext"]["runAsUser"])
    return container["securityContext"]["runAsUser"].as<long>();
  if (pod["securityContext"] && pod["securityContext"]["runAsUser"]) return pod["securityContext"]["runAsUser"].as<long>();
  return -1;
}

struct SidecarPod {
  YAML::Node metadata, spec, sidecar, agent;
};

SidecarPod load_sidecar_pod() {
  const std::string file = kDeployDir + "/kubernetes/agent-with-sidecar.yaml";
  SidecarPod p;
  if (YAML::Node d = find_kind(file, "Deployment")) {
    p.metadata = d["spec"]["template"]["metadata"];
    p.spec = d["spec"]["template"]["spec"];
    for (const auto& label : d["spec"]["selector"]["matchLabels"]) {
      const std::string key = label.first.as<std::string>();
      EXPECT_EQ(p.metadata["labels"][key].as<std::string>(""), label.second.as<std::string>()) << "the selector misses the pod";
    }
  } else if (YAML::Node pod = find_kind(file, "Pod")) {
    p.metadata = pod["metadata"];
    p.spec = pod["spec"];
  }
  if (!p.spec) throw std::runtime_error(file + " holds no Deployment or Pod");
  for (const auto& c : p.spec["initContainers"]) {
    if (c["image"].as<std::string>("").find("agentmetrics") != std::string::npos && c["restartPolicy"]) p.sidecar.reset(c);
  }
  for (const auto& c : p.spec["containers"]) {
    if (c["env"] && named(c["env"], "AGENTMETRICS_NAMESPACE")) p.agent.reset(c);
  }
  return p;
}

TEST(Kubernetes, AgentmetricsdIsANativeSidecarWithProbes) {
  const auto pod = load_sidecar_pod();
  ASSERT_TRUE(pod.sidecar) << "no agentmetrics init container";
  const auto& c = pod.sidecar;
  EXPECT_EQ(c["restartPolicy"].as<std::string>(), "Always") << "a native sidecar is an init container with restartPolicy: Always";
  const YAML::Node port = named(c["ports"], "metrics");
  ASSERT_TRUE(port) << "no container port named metrics";
  const int metrics_port = port["containerPort"].as<int>();
  EXPECT_EQ(metrics_port, 9090);
  EXPECT_EQ(flag_value(c["args"], "--web.listen-address", ":9090"), ":" + std::to_string(metrics_port));
  auto probe_port_ok = [&](const YAML::Node& probe) {
    const std::string p = probe["httpGet"]["port"].as<std::string>();
    return p == "metrics" || p == std::to_string(metrics_port);
  };
  ASSERT_TRUE(c["livenessProbe"]);
  EXPECT_EQ(c["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/health");
  EXPECT_TRUE(probe_port_ok(c["livenessProbe"]));
  ASSERT_TRUE(c["readinessProbe"]);
  EXPECT_EQ(c["readinessProbe"]["httpGet"]["path"].as<std::string>(), "/readiness");
  EXPECT_TRUE(probe_port_ok(c["readinessProbe"]));
  EXPECT_FALSE(c["securityContext"]["allowPrivilegeEscalation"].as<bool>(true));
  // The store is on a volume, not in the container's (read-only) file system.
  const std::string store = flag_value(c["args"], "--store", "");
  ASSERT_FALSE(store.empty());
  bool store_mounted = false;
  for (const auto& m : c["volumeMounts"]) store_mounted |= store.starts_with(m["mountPath"].as<std::string>() + "/");
  EXPECT_TRUE(store_mounted) << store;
}

TEST(Kubernetes, TheAgentAndTheSidecarShareDevShmInMemory) {
  const auto pod = load_sidecar_pod();
  ASSERT_TRUE(pod.sidecar);
  ASSERT_TRUE(pod.agent) << "no agent container with AGENTMETRICS_NAMESPACE";
  const std::string segment_dir = flag_value(pod.sidecar["args"], "--segment-dir", "/dev/shm");
  EXPECT_EQ(segment_dir, "/dev/shm");
  EXPECT_EQ(env_value(pod.agent, "AGENTMETRICS_SHM_DIR", "/dev/shm"), segment_dir);
  const std::string volume = mounted_volume(pod.sidecar, segment_dir);
  ASSERT_FALSE(volume.empty()) << "the sidecar mounts nothing at " << segment_dir;
  EXPECT_EQ(mounted_volume(pod.agent, segment_dir), volume) << "the agent must mount the same volume";
  const YAML::Node v = named(pod.spec["volumes"], volume);
  ASSERT_TRUE(v) << volume;
  ASSERT_TRUE(v["emptyDir"]) << volume << " is not an emptyDir";
  EXPECT_EQ(v["emptyDir"]["medium"].as<std::string>(""), "Memory");
  // Same namespace, same uid (segments are owner-only and the collector takes its own uid's).
  EXPECT_EQ(env_value(pod.agent, "AGENTMETRICS_NAMESPACE", "default"), flag_value(pod.sidecar["args"], "--namespace", "default"));
  const long uid = run_as_user(pod.spec, pod.sidecar);
  EXPECT_GT(uid, 0) << "the collector must not run as root";
  const bool allow_uid_given = !flag_value(pod.sidecar["args"], "--allow-uid", "").empty();
  if (!allow_uid_given) {
    EXPECT_EQ(run_as_user(pod.spec, pod.agent), uid);
  }
  EXPECT_TRUE(pod.spec["securityContext"]["runAsNonRoot"].as<bool>(false));
}

TEST(Kubernetes, ThePodCarriesTheScrapeAnnotationsAndAPodMonitorSelectsIt) {
  const auto pod = load_sidecar_pod();
  const YAML::Node a = pod.metadata["annotations"];
  ASSERT_TRUE(a);
  EXPECT_EQ(a["prometheus.io/scrape"].as<std::string>(), "true");
  EXPECT_EQ(a["prometheus.io/port"].as<std::string>(), std::to_string(named(pod.sidecar["ports"], "metrics")["containerPort"].as<int>()));
  EXPECT_EQ(a["prometheus.io/path"].as<std::string>(), "/metrics");

  const YAML::Node pm = find_kind(kDeployDir + "/kubernetes/podmonitor.yaml", "PodMonitor");
  ASSERT_TRUE(pm);
  EXPECT_EQ(pm["apiVersion"].as<std::string>(), "monitoring.coreos.com/v1");
  ASSERT_TRUE(pm["spec"]["selector"]["matchLabels"]);
  for (const auto& label : pm["spec"]["selector"]["matchLabels"]) {
    const std::string key = label.first.as<std::string>();
    EXPECT_EQ(pod.metadata["labels"][key].as<std::string>(""), label.second.as<std::string>()) << "the PodMonitor misses the pod";
  }
  const YAML::Node ep = pm["spec"]["podMetricsEndpoints"][0];
  ASSERT_TRUE(ep);
  EXPECT_TRUE(named(pod.sidecar["ports"], ep["port"].as<std::string>())) << "no sidecar port named " << ep["port"];
  EXPECT_EQ(ep["path"].as<std::string>("/metrics"), "/metrics");
  bool job_named = false;
  for (const auto& r : ep["relabelings"]) {
    job_named |= r["targetLabel"].as<std::string>("") == "job" && r["replacement"].as<std::string>("") == "agentmetrics";
  }
  EXPECT_TRUE(job_named) << "the rules select job=\"agentmetrics\"";
}

TEST(Kubernetes, KustomizationListsTheManifests) {
  const YAML::Node k = YAML::LoadFile(kDeployDir + "/kubernetes/kustomization.yaml");
  ASSERT_TRUE(k["resources"]);
  for (const auto& r : k["resources"]) {
    EXPECT_TRUE(std::filesystem::exists(kDeployDir + "/kubernetes/" + r.as<std::string>())) << r.as<std::string>();
  }
}

// The TLS overlay: its web configuration passes promtool's check and the real collector's,
// the sidecar reads it from the Secret it mounts, and the probes' credential is one of its users.
// deploy/kubernetes/team: many agent pods whose sidecars take the team store's URL, with the
// password from the Secret PostgreSQL is given, and the PodMonitor that scrapes them all.
TEST(Kubernetes, TheTeamOverlaySharesOnePostgresThroughItsSecret) {
  const std::string team = kDeployDir + "/kubernetes/team/";
  const YAML::Node k = YAML::LoadFile(team + "kustomization.yaml");
  std::set<std::string> resources;
  for (const auto& r : k["resources"]) {
    resources.insert(r.as<std::string>());
    EXPECT_TRUE(std::filesystem::exists(team + r.as<std::string>())) << r.as<std::string>();
  }
  EXPECT_TRUE(resources.contains("../podmonitor.yaml"));
  const YAML::Node secret = find_kind(team + "postgres.yaml", "Secret");
  ASSERT_TRUE(secret);
  const std::string secret_name = secret["metadata"]["name"].as<std::string>();
  const YAML::Node postgres = find_kind(team + "postgres.yaml", "StatefulSet");
  ASSERT_TRUE(postgres);
  const YAML::Node db = postgres["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(named(db["env"], "POSTGRES_PASSWORD")["valueFrom"]["secretKeyRef"]["name"].as<std::string>(), secret_name);
  const YAML::Node service = find_kind(team + "postgres.yaml", "Service");
  ASSERT_TRUE(service);
  const std::string host = service["metadata"]["name"].as<std::string>();

  const YAML::Node agents = find_kind(team + "agents.yaml", "Deployment");
  ASSERT_TRUE(agents);
  EXPECT_GE(agents["spec"]["replicas"].as<int>(), 3);
  const YAML::Node pod = agents["spec"]["template"];
  EXPECT_EQ(pod["metadata"]["labels"]["agentmetrics.io/sidecar"].as<std::string>(""), "true") << "the PodMonitor selects it";
  const YAML::Node sidecar = pod["spec"]["initContainers"][0];
  EXPECT_EQ(sidecar["restartPolicy"].as<std::string>(), "Always");
  const YAML::Node password = named(sidecar["env"], "STORE_PASSWORD");
  ASSERT_TRUE(password);
  EXPECT_EQ(password["valueFrom"]["secretKeyRef"]["name"].as<std::string>(), secret_name);
  const std::string url = env_value(sidecar, "AGENTMETRICS_STORE_URL", "");
  EXPECT_TRUE(url.starts_with("postgresql://")) << url;
  EXPECT_NE(url.find(":$(STORE_PASSWORD)@" + host + ":5432/"), std::string::npos) << url;
  // /health is 503 while the database is away: liveness must not restart a sidecar that spools.
  EXPECT_EQ(sidecar["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/readiness");
  EXPECT_FALSE(flag_value(sidecar["args"], "--store", "").empty()) << "the spool needs a directory on a volume";
}

TEST(Kubernetes, TheTlsOverlayServesTheSidecarOverHttpsWithBasicAuth) {
  const std::string overlay = kDeployDir + "/kubernetes/tls/";
  const YAML::Node k = YAML::LoadFile(overlay + "kustomization.yaml");
  for (const char* list : {"resources", "patches"}) {
    for (const auto& r : k[list]) {
      const std::string file = r.IsScalar() ? r.as<std::string>() : r["path"].as<std::string>();
      EXPECT_TRUE(std::filesystem::exists(overlay + file)) << file;
    }
  }
  const YAML::Node secret = find_kind(overlay + "web-config.yaml", "Secret");
  ASSERT_TRUE(secret);
  std::string web = secret["stringData"]["web.yml"].as<std::string>();

  // The sidecar: the base's arguments and the web configuration, mounted from that Secret.
  const YAML::Node patch = find_kind(overlay + "sidecar-tls.yaml", "Deployment");
  ASSERT_TRUE(patch);
  const YAML::Node sidecar = named(patch["spec"]["template"]["spec"]["initContainers"], "agentmetricsd");
  ASSERT_TRUE(sidecar);
  std::vector<std::string> args;
  for (const auto& a : sidecar["args"]) args.push_back(a.as<std::string>());
  EXPECT_NE(std::find(args.begin(), args.end(), "--web.config.file=/etc/agentmetrics/web/web.yml"), args.end());
  const YAML::Node base =
      named(find_kind(kDeployDir + "/kubernetes/agent-with-sidecar.yaml", "Deployment")["spec"]["template"]["spec"]["initContainers"],
            "agentmetricsd");
  for (const auto& a : base["args"]) EXPECT_NE(std::find(args.begin(), args.end(), a.as<std::string>()), args.end()) << a.as<std::string>();
  EXPECT_EQ(named(sidecar["volumeMounts"], "web-config")["mountPath"].as<std::string>(), "/etc/agentmetrics/web");
  EXPECT_EQ(named(patch["spec"]["template"]["spec"]["volumes"], "web-config")["secret"]["secretName"].as<std::string>(),
            secret["metadata"]["name"].as<std::string>());
  const YAML::Node probe = sidecar["livenessProbe"]["httpGet"];
  EXPECT_EQ(probe["scheme"].as<std::string>(), "HTTPS");
  const std::string authorization = named(probe["httpHeaders"], "Authorization")["value"].as<std::string>();
  const YAML::Node monitor = find_kind(overlay + "podmonitor-tls.yaml", "PodMonitor");
  EXPECT_EQ(monitor["spec"]["podMetricsEndpoints"][0]["scheme"].as<std::string>(), "https");

  // The file, with the mounted certificate's paths pointing at certificates made here.
  TempDir dir;
  agentmetrics::testing::TestCertificates certificates(dir.path());
  for (const auto& [mounted, made] :
       {std::pair{"/etc/agentmetrics/tls/tls.crt", "server.crt"}, {"/etc/agentmetrics/tls/tls.key", "server.key"}}) {
    const auto at = web.find(mounted);
    ASSERT_NE(at, std::string::npos) << mounted;
    web.replace(at, std::string(mounted).size(), certificates.path(made));
  }
  write_file(dir.path() + "/web.yml", web);
  const CommandResult check = run({kPromtoolBinary, "check", "web-config", dir.path() + "/web.yml"});
  EXPECT_EQ(check.code, 0) << check.output;
  agentmetrics::testing::CollectorProcess collector(agentmetrics::testing::unique_namespace("tls-overlay"),
                                                    {"--web.config.file=" + dir.path() + "/web.yml"});
  const std::string url = "https://127.0.0.1:" + std::to_string(collector.port());
  const auto status = [&](const std::vector<std::string>& extra, const std::string& path) {
    std::vector<std::string> argv = {"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", certificates.path("ca.crt")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(url + path);
    return run(argv).output;
  };
  EXPECT_EQ(status({"-H", "Authorization: " + authorization}, "/health"), "200") << "the probes' credential";
  EXPECT_EQ(status({"-u", "prometheus:replace-me"}, "/metrics"), "200");
  EXPECT_EQ(status({}, "/metrics"), "401");
}

// --- the container image ---------------------------------------------------------------------------

struct DockerStage {
  std::string from, name;
  std::vector<std::pair<std::string, std::string>> instructions;  // (INSTRUCTION, rest)
  std::set<std::string> apt_packages;
};

std::vector<DockerStage> parse_dockerfile() {
  const std::string text = read_file(kDeployDir + "/docker/Dockerfile");
  std::vector<std::string> logical;
  std::string current;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const std::string t = trimmed(line);
    if (t.starts_with("#")) continue;  // comments, and comment lines inside a continuation
    if (!line.empty() && line.back() == '\\') {
      current += line.substr(0, line.size() - 1) + " ";
      continue;
    }
    current += line;
    if (!trimmed(current).empty()) logical.push_back(trimmed(current));
    current.clear();
  }
  std::vector<DockerStage> stages;
  for (const auto& l : logical) {
    const auto space = l.find(' ');
    std::string instruction = l.substr(0, space);
    std::transform(instruction.begin(), instruction.end(), instruction.begin(), ::toupper);
    const std::string rest = space == std::string::npos ? "" : trimmed(l.substr(space));
    if (instruction == "FROM") {
      DockerStage s;
      std::istringstream words(rest);
      std::string as;
      words >> s.from >> as >> s.name;
      stages.push_back(s);
      continue;
    }
    if (stages.empty()) continue;  // ARG before the first FROM
    stages.back().instructions.emplace_back(instruction, rest);
    if (instruction == "RUN" && rest.find("apt-get install") != std::string::npos) {
      std::istringstream words(rest.substr(rest.find("apt-get install") + 15));
      for (std::string w; words >> w;) {
        if (w == "&&") break;
        if (!w.starts_with("-")) stages.back().apt_packages.insert(w);
      }
    }
  }
  return stages;
}

const std::string* instruction(const DockerStage& s, const std::string& name) {
  for (const auto& [i, rest] : s.instructions) {
    if (i == name) return &rest;
  }
  return nullptr;
}

TEST(Dockerfile, IsMultiStageOnDebianAndRunsAsANonRootUserWithAHealthCheck) {
  const auto stages = parse_dockerfile();
  ASSERT_GE(stages.size(), 2u);
  const auto& build = stages.front();
  const auto& final_stage = stages.back();
  EXPECT_TRUE(build.from.starts_with("debian:")) << build.from;
  EXPECT_TRUE(final_stage.from.starts_with("debian:")) << final_stage.from;
  EXPECT_NE(final_stage.from.find("slim"), std::string::npos) << final_stage.from;
  ASSERT_FALSE(build.name.empty());
  bool copies_from_build = false;
  for (const auto& [i, rest] : final_stage.instructions)
    copies_from_build |= i == "COPY" && rest.find("--from=" + build.name) != std::string::npos;
  EXPECT_TRUE(copies_from_build);
  const std::string* user = instruction(final_stage, "USER");
  ASSERT_NE(user, nullptr) << "the image must not run as root";
  const std::string uid = user->substr(0, user->find(':'));
  EXPECT_TRUE(uid != "root" && uid != "0" && std::all_of(uid.begin(), uid.end(), ::isdigit))
      << "USER " << *user << ": a numeric, non-zero uid (Kubernetes' runAsNonRoot can check only a number)";
  const std::string* health = instruction(final_stage, "HEALTHCHECK");
  ASSERT_NE(health, nullptr);
  EXPECT_NE(health->find("/health"), std::string::npos) << *health;
  const std::string* expose = instruction(final_stage, "EXPOSE");
  ASSERT_NE(expose, nullptr);
  EXPECT_NE(expose->find("9090"), std::string::npos);
  const std::string* entry = instruction(final_stage, "ENTRYPOINT");
  ASSERT_NE(entry, nullptr);
  EXPECT_NE(entry->find("agentmetricsd"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(kDeployDir + "/docker/Dockerfile.dockerignore"));
}

std::vector<std::string> needed_libraries(const std::string& binary) {
  auto r = shell("readelf -d " + quote(binary));
  std::vector<std::string> out;
  const std::regex needed("\\(NEEDED\\)\\s+Shared library: \\[([^\\]]+)\\]");
  for (auto it = std::sregex_iterator(r.output.begin(), r.output.end(), needed); it != std::sregex_iterator(); ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

bool sanitizer_build() {
  for (const auto& lib : needed_libraries(kCollectorBinary)) {
    if (lib.starts_with("libasan") || lib.starts_with("libtsan") || lib.starts_with("libubsan")) return true;
  }
  return false;
}

// The Debian package that ships a library the binary loads.
std::string package_of(const std::string& binary, const std::string& library) {
  auto ldd = shell("ldd " + quote(binary));
  const std::regex line("\\s" + std::regex_replace(library, std::regex("[.+]"), "\\$&") + " => (\\S+)");
  std::smatch m;
  if (!std::regex_search(ldd.output, m, line)) return "";
  std::string path = m[1];
  std::string real = std::filesystem::canonical(path).string();
  for (const std::string& candidate : {path, real, path.starts_with("/usr/") ? path.substr(4) : "/usr" + path,
                                       real.starts_with("/usr/") ? real.substr(4) : "/usr" + real}) {
    auto r = run({"/usr/bin/dpkg", "-S", candidate});
    if (r.code == 0) return r.output.substr(0, r.output.find(':'));
  }
  return "";
}

TEST(Dockerfile, TheRuntimeStageInstallsEveryLibraryTheBinariesLink) {
  if (sanitizer_build()) GTEST_SKIP() << "the image holds a Release build; a sanitizer build links gRPC's own libraries directly";
  const auto stages = parse_dockerfile();
  ASSERT_GE(stages.size(), 2u);
  const auto& installed = stages.back().apt_packages;
  // In debian:bookworm-slim already (apt needs them).
  const std::set<std::string> in_base = {"libc6", "libgcc-s1", "libstdc++6", "zlib1g"};
  for (const std::string binary : {kCollectorBinary, kAgentmetricsCliBinary}) {
    for (const auto& lib : needed_libraries(binary)) {
      if (lib.starts_with("ld-linux") || lib.starts_with("libasan") || lib.starts_with("libtsan") || lib.starts_with("libubsan")) continue;
      const std::string package = package_of(binary, lib);
      ASSERT_FALSE(package.empty()) << binary << " links " << lib << ", which no Debian package ships";
      EXPECT_TRUE(installed.contains(package) || in_base.contains(package))
          << binary << " links " << lib << " from " << package << ", which the Dockerfile's last stage does not install";
    }
  }
}

// install-deps.sh lists what the project needs; all of it but the test and benchmark tools must
// be in the image's build stage too, or the image stops building when a dependency is added.
TEST(Dockerfile, TheBuildStageInstallsTheBuildDependencies) {
  const std::string script = read_file(kDeployDir + "/install-deps.sh");
  const auto begin = script.find("packages=(");
  ASSERT_NE(begin, std::string::npos);
  const auto end = script.find("\n)", begin);
  std::istringstream lines(script.substr(begin + 10, end - begin - 10));
  std::set<std::string> wanted;
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line.substr(0, line.find('#')));
    for (std::string w; words >> w;) wanted.insert(w);
  }
  ASSERT_GT(wanted.size(), 10u);
  // Tools for the tests, the benchmarks, the local stack and the repository, and data read at run
  // time (wordnet-base); not for building.
  const std::set<std::string> not_for_the_build = {
      "git",          "curl",        "libgtest-dev", "libgmock-dev",   "libbenchmark-dev", "prometheus",     "prometheus-alertmanager",
      "lcov",         "gcovr",       "flawfinder",   "strace",         "python3",          "python3-yaml",   "shellcheck",
      "jq",           "systemd",     "procps",       "netcat-openbsd", "sqlite3",          "clang",          "libclang-rt-14-dev",
      "clang-format", "clang-tidy",  "openssl",      "apache2-utils",  "iproute2",         "python3-grpcio", "postgresql-15",
      "chromium",     "wordnet-base"};
  const auto stages = parse_dockerfile();
  ASSERT_FALSE(stages.empty());
  const auto& build = stages.front().apt_packages;
  for (const auto& p : wanted) {
    if (not_for_the_build.contains(p)) continue;
    EXPECT_TRUE(build.contains(p)) << "deploy/install-deps.sh installs " << p
                                   << ", which the Dockerfile's build stage does not: add it there, or to this test's list of "
                                      "packages that are not needed to build";
  }
}

// --- seccomp -------------------------------------------------------------------------------------

std::string docker_arch() {
  utsname u{};
  ::uname(&u);
  std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  return m;
}

TEST(Seccomp, TheProfileAllowsIoUringAndEveryCallTheCollectorMakes) {
  const auto profile = nlohmann::json::parse(read_file(kDeployDir + "/docker/seccomp-io-uring.json"));
  EXPECT_EQ(profile["defaultAction"], "SCMP_ACT_ERRNO") << "an allow-list, as Docker's default";
  std::set<std::string> unconditional, conditional;
  for (const auto& rule : profile["syscalls"]) {
    if (rule["action"] != "SCMP_ACT_ALLOW") continue;
    const bool needs_caps = rule.contains("includes") && rule["includes"].contains("caps");
    bool other_arch = false;
    if (rule.contains("includes") && rule["includes"].contains("arches")) {
      other_arch = true;
      for (const auto& a : rule["includes"]["arches"]) other_arch &= a != docker_arch();
    }
    if (needs_caps || other_arch) continue;
    const bool has_args = rule.contains("args") && !rule["args"].empty();
    for (const auto& n : rule["names"]) (has_args ? conditional : unconditional).insert(n.get<std::string>());
  }
  for (const char* call : {"io_uring_setup", "io_uring_enter", "io_uring_register", "futex_waitv", "membarrier"}) {
    EXPECT_TRUE(unconditional.contains(call)) << call;
  }
  EXPECT_GT(unconditional.size(), 300u) << "Docker's default allows some 350 calls; this is not it";
  if (sanitizer_build()) GTEST_SKIP() << "a sanitizer build makes calls of its own; the Release build checks the collector's";
  ASSERT_FALSE(kStrace.empty()) << "strace is missing (deploy/install-deps.sh)";
  std::string log;
  const auto calls = traced_collector_syscalls(&log);
  for (const auto& call : calls) {
    // clone3 is answered ENOSYS without CAP_SYS_ADMIN, and glibc then uses clone.
    if (call == "clone3" && conditional.contains("clone")) continue;
    EXPECT_TRUE(unconditional.contains(call) || conditional.contains(call)) << "the profile refuses " << call << "\n" << log;
  }
  EXPECT_TRUE(calls.contains("io_uring_setup")) << "the traced collector did not use io_uring here:\n" << log;
}

// --- systemd -------------------------------------------------------------------------------------

std::multimap<std::string, std::string> unit_settings(const std::string& text, const std::string& section) {
  std::multimap<std::string, std::string> out;
  std::string current;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    line = trimmed(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line[0] == '[') {
      current = line.substr(1, line.find(']') - 1);
      continue;
    }
    const auto eq = line.find('=');
    if (current == section && eq != std::string::npos) out.emplace(line.substr(0, eq), line.substr(eq + 1));
  }
  return out;
}

std::string unit_path() { return kDeployDir + "/systemd/agentmetricsd.service"; }

// The unit with its ExecStart pointing at the binary just built, for systemd-analyze.
std::string unit_copy(const TempDir& dir) {
  std::string text = read_file(unit_path());
  text = std::regex_replace(text, std::regex("ExecStart=/usr/local/bin/agentmetricsd"), std::string("ExecStart=") + kCollectorBinary);
  std::string copy = dir.path() + "/agentmetricsd.service";
  write_file(copy, text);
  return copy;
}

TEST(Systemd, TheUnitRunsAsADedicatedUserAndIsHardened) {
  const auto s = unit_settings(read_file(unit_path()), "Service");
  auto one = [&](const std::string& key) {
    auto [b, e] = s.equal_range(key);
    return b == e ? std::string() : std::prev(e)->second;
  };
  EXPECT_EQ(one("User"), "agentmetrics");
  EXPECT_TRUE(one("DynamicUser").empty() || one("DynamicUser") == "no");
  EXPECT_EQ(one("NoNewPrivileges"), "yes");
  EXPECT_EQ(one("ProtectSystem"), "strict");
  EXPECT_EQ(one("ProtectHome"), "yes");
  EXPECT_EQ(one("PrivateTmp"), "yes");
  EXPECT_EQ(one("StateDirectory"), "agentmetrics");
  EXPECT_NE(one("ReadWritePaths").find("/dev/shm"), std::string::npos) << "the segments live in /dev/shm";
  EXPECT_NE(one("ExecStart").find("--store=/var/lib/agentmetrics/"), std::string::npos) << "the store must be in StateDirectory";
  EXPECT_TRUE(one("ExecStart").starts_with("/usr/local/bin/agentmetricsd ")) << "where cmake --install puts it";
  EXPECT_EQ(one("ExecReload"), "/bin/kill -HUP $MAINPID");
  EXPECT_TRUE(std::filesystem::exists(kDeployDir + "/systemd/agentmetrics.sysusers.conf"));
  const std::string sysusers = read_file(kDeployDir + "/systemd/agentmetrics.sysusers.conf");
  EXPECT_NE(sysusers.find("u agentmetrics "), std::string::npos);
}

TEST(Systemd, SystemdAnalyzeVerifiesTheUnitWithoutAWord) {
  if (kSystemdAnalyze.empty()) GTEST_SKIP() << "no systemd-analyze here; the unit's settings are parsed by the test above";
  TempDir dir;
  auto r = run({kSystemdAnalyze, "verify", unit_copy(dir)});
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(r.output, "") << "systemd-analyze verify has remarks";
  auto security = run({kSystemdAnalyze, "security", "--offline=yes", unit_copy(dir)});
  std::smatch m;
  if (std::regex_search(security.output, m, std::regex("Overall exposure level for agentmetricsd.service: ([0-9.]+)"))) {
    EXPECT_LE(std::stod(m[1]), 2.5) << security.output;
  } else {
    std::cout << "systemd-analyze security --offline is not available here:\n" << security.output << "\n";
  }
}

// SystemCallFilter=@system-service minus the unit's deny-lists must still hold every call the
// collector makes, or the daemon meets EPERM where it least expects it.
TEST(Systemd, TheSystemCallFilterAllowsEveryCallTheCollectorMakes) {
  if (kSystemdAnalyze.empty()) GTEST_SKIP() << "no systemd-analyze to expand the filter's groups";
  if (sanitizer_build()) GTEST_SKIP() << "a sanitizer build makes calls of its own; the Release build checks the collector's";
  ASSERT_FALSE(kStrace.empty()) << "strace is missing (deploy/install-deps.sh)";
  auto listing = run({kSystemdAnalyze, "syscall-filter"});
  ASSERT_EQ(listing.code, 0) << listing.output;
  std::map<std::string, std::vector<std::string>> groups;
  std::string group;
  std::istringstream lines(listing.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("@")) {
      group = trimmed(line);
      continue;
    }
    const std::string t = trimmed(line);
    if (group.empty() || t.empty() || t.starts_with("#")) continue;
    groups[group].push_back(t);
  }
  std::function<void(const std::string&, std::set<std::string>&)> expand = [&](const std::string& item, std::set<std::string>& out) {
    if (!item.starts_with("@")) {
      out.insert(item);
      return;
    }
    for (const auto& member : groups[item]) expand(member, out);
  };
  std::set<std::string> allowed, denied;
  for (const auto& [key, value] : unit_settings(read_file(unit_path()), "Service")) {
    if (key != "SystemCallFilter") continue;
    const bool deny = value.starts_with("~");
    std::istringstream words(deny ? value.substr(1) : value);
    for (std::string w; words >> w;) expand(w, deny ? denied : allowed);
  }
  ASSERT_GT(allowed.size(), 100u);
  std::string log;
  const auto calls = traced_collector_syscalls(&log);
  for (const auto& call : calls) {
    // SQLite gives its journal the database's owner only when it runs as root; the unit's
    // user does not.
    if (call == "fchown" && ::geteuid() == 0) continue;
    EXPECT_TRUE(allowed.contains(call) && !denied.contains(call)) << "SystemCallFilter refuses " << call << "\n" << log;
  }
}

}  // namespace
