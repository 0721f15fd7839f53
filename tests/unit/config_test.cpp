// agentmetricsd's configuration: the YAML file, the environment, validation and value parsing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <optional>

#include "collector/common/duration.h"
#include "collector/config/config.h"
#include "collector/config/kpi_settings.h"
#include "tests/support/temp_dir.h"

using namespace agentmetrics::collector;
using namespace std::chrono_literals;

namespace {

// A named base rather than the default argument's temporary, which GCC 12 wrongly reports
// as maybe-uninitialized at -O2.
Config load_file(const std::string& path) {
  const Config defaults;
  return load_config_file(path, defaults);
}

class ConfigFile : public ::testing::Test {
 protected:
  // Writes `yaml` to a file of its own and loads it over the defaults.
  Config load(const std::string& yaml) {
    const std::string path = dir_.path() + "/config" + std::to_string(files_++) + ".yaml";
    std::ofstream(path) << yaml;
    return load_file(path);
  }
  // The error load() reports for `yaml` (or validate(), when `validated`).
  ConfigError error(const std::string& yaml, bool validated = false) {
    try {
      const Config c = load(yaml);
      if (validated) validate(c);
    } catch (const ConfigError& e) {
      return e;
    }
    ADD_FAILURE() << "no error for:\n" << yaml;
    return ConfigError("", "");
  }
  agentmetrics::testing::TempDir dir_;
  int files_ = 0;
};

// Sets an environment variable for one scope and restores what was there.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      ::setenv(name, value, 1);
    else
      ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_, old_->c_str(), 1);
    else
      ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

std::string validate_error(const Config& c) {
  try {
    validate(c);
  } catch (const ConfigError& e) {
    return e.key();
  }
  return "";
}

}  // namespace

TEST_F(ConfigFile, ReadsEveryKey) {
  const Config c = load(
      "prometheus:\n  enabled: false\n  port: 9100\n  collectDefaultMetrics: false\n  openMetrics: false\n"
      "cass_memory:\n  enabled: false\n  contextLimit: 12\n  autoInject: false\n  learnFromPrompts: true\n  reflectionInterval: 7d\n"
      "alerts:\n  enabled: false\n  webhookUrl: https://hooks.example/x\n"
      "collector:\n  listenAddress: 127.0.0.1:9200\n  namespace: ci-7\n  segmentDir: /run/am\n"
      "  metricPrefix: agent\n  shards: 3\n  allowUids: [0, 1000]\n  waitMode: poll\n"
      "  http:\n    threads: 4\n    requestTimeout: 30s\n    maxRequestBytes: 4096\n"
      "log:\n  level: debug\n  format: json\n");
  EXPECT_FALSE(c.prometheus.enabled);
  EXPECT_EQ(c.prometheus.port, 9100);
  EXPECT_FALSE(c.prometheus.collect_default_metrics);
  EXPECT_FALSE(c.prometheus.open_metrics);
  EXPECT_FALSE(c.cass_memory.enabled);
  EXPECT_EQ(c.cass_memory.context_limit, 12);
  EXPECT_FALSE(c.cass_memory.auto_inject);
  EXPECT_TRUE(c.cass_memory.learn_from_prompts);
  EXPECT_EQ(c.cass_memory.reflection_interval, 7 * 24h);
  EXPECT_FALSE(c.alerts.enabled);
  EXPECT_EQ(c.alerts.webhook_url, "https://hooks.example/x");
  EXPECT_EQ(c.listen_address, "127.0.0.1:9200");
  EXPECT_EQ(c.effective_listen_address(), "127.0.0.1:9200");
  EXPECT_EQ(c.ns, "ci-7");
  EXPECT_EQ(c.segment_dir, "/run/am");
  EXPECT_EQ(c.metric_prefix, "agent");
  EXPECT_EQ(c.shards, 3u);
  EXPECT_EQ(c.allowed_uids, (std::set<uid_t>{0, 1000}));
  EXPECT_EQ(c.wait_mode, WaitMode::kPoll);
  EXPECT_EQ(c.http.threads, 4);
  EXPECT_EQ(c.http.request_timeout, 30s);
  EXPECT_EQ(c.http.max_request_bytes, 4096u);
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.log.format, "json");
  EXPECT_NO_THROW(validate(c));
}

TEST_F(ConfigFile, KeepsDefaultsForWhatIsAbsent) {
  const Config c = load("prometheus:\n  port: 9300\ncass_memory:\n");
  EXPECT_EQ(c.prometheus.port, 9300);
  EXPECT_TRUE(c.prometheus.enabled);
  EXPECT_EQ(c.cass_memory.context_limit, 5);
  EXPECT_FALSE(c.cass_memory.learn_from_prompts) << "prompt text is kept only where the configuration says so";
  EXPECT_EQ(c.effective_listen_address(), ":9300");
  EXPECT_EQ(c.http.request_timeout, 10s);
  EXPECT_EQ(load("").ns, "default");
}

// The agents' telemetry is received by default, on loopback only; the keys are checked.
TEST_F(ConfigFile, OtlpListensOnLoopbackByDefaultAndItsKeysAreChecked) {
  const Config c = load("");
  EXPECT_EQ(c.otlp.http_listen_address, "127.0.0.1:4318");
  EXPECT_EQ(c.otlp.grpc_listen_address, "127.0.0.1:4317");
  EXPECT_FALSE(c.otlp.keep_session_ids);
  EXPECT_TRUE(c.otlp.label_attributes.empty());
  const Config o = load(
      "otlp:\n  http: {listenAddress: ':14318'}\n  grpc: {listenAddress: ''}\n  labelAttributes: [team, deployment.environment]\n"
      "  sessionIdle: 2m\npricing:\n  dailyBudgetUsd: 25\n  models:\n    gpt-5.5: {input: 1.25, output: 10, cache_read: 0.125}\n");
  EXPECT_EQ(o.otlp.http_listen_address, ":14318");
  EXPECT_EQ(o.otlp.grpc_listen_address, "");
  EXPECT_EQ(o.otlp.session_idle, 120s);
  EXPECT_EQ(o.pricing.daily_budget_usd, 25);
  EXPECT_EQ(o.pricing.models.at("gpt-5.5")[2], 0.125);
  validate(o);
  EXPECT_EQ(error("pricing:\n  models:\n    m: {input: -1}\n").key(), "pricing.models.m.input");
  EXPECT_EQ(error("otlp:\n  http: {listenAddress: 'nowhere'}\n", true).key(), "otlp.http.listenAddress");
  EXPECT_EQ(error("otlp:\n  labelAttributes: [model]\n", true).key(), "otlp.labelAttributes");
  EXPECT_EQ(error("otlp:\n  sessionIdle: 1s\n", true).key(), "otlp.sessionIdle");
}

TEST_F(ConfigFile, ErrorsNameTheDottedKey) {
  EXPECT_EQ(error("prometheus:\n  prot: 1\n").key(), "prometheus.prot");
  EXPECT_EQ(error("collector:\n  http:\n    thread: 2\n").key(), "collector.http.thread");
  EXPECT_EQ(error("metrics: {}\n").key(), "metrics");
  EXPECT_EQ(error("prometheus:\n  port: high\n").key(), "prometheus.port");
  EXPECT_EQ(error("prometheus:\n  enabled: maybe\n").key(), "prometheus.enabled");
  EXPECT_EQ(error("prometheus:\n  port: [1]\n").key(), "prometheus.port");
  EXPECT_EQ(error("prometheus: 3\n").key(), "prometheus");
  EXPECT_EQ(error("cass_memory:\n  reflectionInterval: 3 weeks\n").key(), "cass_memory.reflectionInterval");
  EXPECT_EQ(error("collector:\n  http:\n    requestTimeout: 10ms\n").key(), "collector.http.requestTimeout");
  EXPECT_EQ(error("collector:\n  http:\n    maxRequestBytes: 100\n").key(), "collector.http.maxRequestBytes");
  EXPECT_EQ(error("collector:\n  shards: -1\n").key(), "collector.shards");
  EXPECT_EQ(error("collector:\n  allowUids: [0, -5]\n").key(), "collector.allowUids[1]");
  EXPECT_EQ(error("collector:\n  allowUids: 0\n").key(), "collector.allowUids");
  EXPECT_EQ(error("collector:\n  waitMode: epoll\n").key(), "collector.waitMode");
  EXPECT_EQ(error("log:\n  level: {a: b}\n").key(), "log.level");
  const ConfigError unknown = error("alerts:\n  webhook: x\n");
  EXPECT_NE(std::string(unknown.what()).find("webhookUrl"), std::string::npos) << unknown.what();  // lists the known keys
}

TEST_F(ConfigFile, FileProblemsAreConfigErrors) {
  const ConfigError malformed = error("prometheus:\n  port: 1\nalerts: a: b\n");
  EXPECT_EQ(malformed.key(), "file");
  EXPECT_NE(std::string(malformed.what()).find("line 3"), std::string::npos) << malformed.what();
  EXPECT_EQ(error("- a\n- b\n").key(), "file");
  EXPECT_EQ(error("? [a, b]\n: 1\n").key(), "file");
  try {
    load_file(dir_.path() + "/missing.yaml");
    ADD_FAILURE() << "a missing file loaded";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "file");
    EXPECT_NE(std::string(e.what()).find("missing.yaml"), std::string::npos) << e.what();
  }
  try {
    load_file(dir_.path());  // a directory: opens, then fails to read
    ADD_FAILURE() << "a directory loaded";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "file");
  }
}

TEST(ConfigEnvironment, MetricsPortOverridesPortAndClearsListenAddress) {
  Config c;
  c.listen_address = "127.0.0.1:9200";
  {
    ScopedEnv port("METRICS_PORT", "9400");
    ScopedEnv url("ALERT_WEBHOOK_URL", "http://alerts.local/hook");
    apply_environment(c);
  }
  EXPECT_EQ(c.prometheus.port, 9400);
  EXPECT_EQ(c.listen_address, "");
  EXPECT_EQ(c.effective_listen_address(), ":9400");
  EXPECT_EQ(c.alerts.webhook_url, "http://alerts.local/hook");
  {
    ScopedEnv port("METRICS_PORT", nullptr);
    ScopedEnv url("ALERT_WEBHOOK_URL", "");
    Config untouched = c;
    untouched.listen_address = "127.0.0.1:9200";
    apply_environment(untouched);  // unset or empty: nothing changes
    EXPECT_EQ(untouched.listen_address, "127.0.0.1:9200");
    EXPECT_EQ(untouched.alerts.webhook_url, "http://alerts.local/hook");
  }
}

TEST_F(ConfigFile, ReadsTheSecurityKeys) {
  const Config c = load(
      "security:\n  apiTokenFiles: [/etc/agentmetrics/api-token]\n  loopbackWithoutToken: false\n"
      "  allowedHosts: [agentmetrics.monitoring.svc]\n  allowedOrigins: [\"https://grafana.example.com\"]\n");
  EXPECT_EQ(c.security.api_token_files, std::vector<std::string>{"/etc/agentmetrics/api-token"});
  EXPECT_FALSE(c.security.loopback_without_token);
  EXPECT_EQ(c.security.allowed_hosts, std::vector<std::string>{"agentmetrics.monitoring.svc"});
  EXPECT_EQ(c.security.allowed_origins, std::vector<std::string>{"https://grafana.example.com"});
  const Config defaults;
  EXPECT_TRUE(defaults.security.loopback_without_token);
  EXPECT_EQ(error("security:\n  allowedHosts: localhost\n").key(), "security.allowedHosts");
}

TEST_F(ConfigFile, ReadsTheWebhooksKeys) {
  const Config c = load(
      "webhooks:\n  github:\n    secretFile: /etc/agentmetrics/github-webhook-secret\n  gitlab:\n    secret: a-gitlab-token-0123456789\n"
      "  maxBodyBytes: 1048576\n  repositories: [acme/widgets]\n  environments: [production]\n  bugLabels: [bug, defect]\n"
      "  agentCoauthors: {claude: noreply@anthropic.com}\n  keepAuthors: true\n");
  EXPECT_EQ(c.webhooks.github.secret_file, "/etc/agentmetrics/github-webhook-secret");
  EXPECT_EQ(c.webhooks.gitlab.secret, "a-gitlab-token-0123456789");
  EXPECT_EQ(c.webhooks.max_body_bytes, 1048576u);
  EXPECT_EQ(c.webhooks.repositories, std::vector<std::string>{"acme/widgets"});
  EXPECT_EQ(c.webhooks.environments, std::vector<std::string>{"production"});
  EXPECT_EQ(c.webhooks.bug_labels, (std::vector<std::string>{"bug", "defect"}));
  ASSERT_TRUE(c.webhooks.agent_coauthors);
  EXPECT_EQ(c.webhooks.agent_coauthors->at("claude"), "noreply@anthropic.com");
  EXPECT_TRUE(c.webhooks.keep_authors);
  EXPECT_EQ(validate_error(c), "");
  // Off by default: no secret, and no names kept.
  const Config defaults;
  EXPECT_TRUE(defaults.webhooks.github.secret.empty() && defaults.webhooks.github.secret_file.empty());
  EXPECT_FALSE(defaults.webhooks.keep_authors);
  EXPECT_FALSE(defaults.webhooks.agent_coauthors);
  EXPECT_EQ(error("webhooks:\n  github:\n    token: x\n").key(), "webhooks.github.token");
  EXPECT_EQ(error("webhooks:\n  maxBodyBytes: 1000\n").key(), "webhooks.maxBodyBytes");
  EXPECT_EQ(error("webhooks:\n  agentCoauthors: [claude]\n").key(), "webhooks.agentCoauthors");
  EXPECT_EQ(validate_error(load("webhooks:\n  github:\n    secret: short\n")), "webhooks.github.secret");
  EXPECT_EQ(validate_error(load("webhooks:\n  gitlab:\n    secret: a-gitlab-token-0123456789\n    secretFile: /x\n")), "webhooks.gitlab");
  EXPECT_EQ(validate_error(load("webhooks:\n  maxBodyBytes: 30000000\n")), "webhooks.maxBodyBytes");
}

TEST(ConfigEnvironment, WebhookSecretsComeFromTheEnvironmentOverTheFile) {
  {
    ScopedEnv secret("AGENTMETRICS_GITHUB_WEBHOOK_SECRET", "short");
    Config c;
    try {
      apply_environment(c);
      ADD_FAILURE() << "accepted a 5-character secret";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), "AGENTMETRICS_GITHUB_WEBHOOK_SECRET");
    }
  }
  ScopedEnv github("AGENTMETRICS_GITHUB_WEBHOOK_SECRET", "a-github-secret-0123456789");
  ScopedEnv gitlab("AGENTMETRICS_GITLAB_WEBHOOK_TOKEN", "a-gitlab-token-0123456789");
  Config c;
  c.webhooks.github.secret_file = "/etc/agentmetrics/github-webhook-secret";
  apply_environment(c);
  EXPECT_EQ(c.webhooks.github.secret, "a-github-secret-0123456789");
  EXPECT_TRUE(c.webhooks.github.secret_file.empty());
  EXPECT_EQ(c.webhooks.gitlab.secret, "a-gitlab-token-0123456789");
  EXPECT_EQ(validate_error(c), "");
}

TEST(ConfigEnvironment, AnApiTokenShorterThanSixteenCharactersIsRefused) {
  {
    ScopedEnv token("AGENTMETRICS_API_TOKEN", "short");
    Config c;
    try {
      apply_environment(c);
      ADD_FAILURE() << "accepted a 5-character token";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), "AGENTMETRICS_API_TOKEN");
    }
  }
  ScopedEnv token("AGENTMETRICS_API_TOKEN", "0123456789abcdef0123");
  Config c;
  apply_environment(c);
  EXPECT_EQ(c.security.api_token, "0123456789abcdef0123");
}

TEST(ConfigEnvironment, RejectsABadMetricsPort) {
  for (const char* bad : {"90x", "port", " 9090", "99999999999"}) {
    ScopedEnv port("METRICS_PORT", bad);
    Config c;
    try {
      apply_environment(c);
      ADD_FAILURE() << "accepted METRICS_PORT=" << bad;
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.key(), "METRICS_PORT");
    }
  }
  ScopedEnv port("METRICS_PORT", "70000");  // a number, but out of range: validate's job
  Config c;
  apply_environment(c);
  EXPECT_EQ(validate_error(c), "prometheus.port");
}

TEST(ConfigValidate, ChecksEachRange) {
  const Config defaults;
  EXPECT_EQ(validate_error(defaults), "");
  auto broken = [](auto change) {
    Config c;
    change(c);
    return validate_error(c);
  };
  EXPECT_EQ(broken([](Config& c) { c.prometheus.port = -1; }), "prometheus.port");
  EXPECT_EQ(broken([](Config& c) { c.prometheus.port = 65536; }), "prometheus.port");
  EXPECT_EQ(broken([](Config& c) { c.cass_memory.context_limit = 0; }), "cass_memory.contextLimit");
  EXPECT_EQ(broken([](Config& c) { c.cass_memory.context_limit = 101; }), "cass_memory.contextLimit");
  EXPECT_EQ(broken([](Config& c) { c.cass_memory.reflection_interval = 59s; }), "cass_memory.reflectionInterval");
  EXPECT_EQ(broken([](Config& c) { c.alerts.webhook_url = "ftp://x"; }), "alerts.webhookUrl");
  EXPECT_EQ(broken([](Config& c) { c.ns = ""; }), "collector.namespace");
  EXPECT_EQ(broken([](Config& c) { c.ns = "a/b"; }), "collector.namespace");
  EXPECT_EQ(broken([](Config& c) { c.segment_dir = "shm"; }), "collector.segmentDir");
  EXPECT_EQ(broken([](Config& c) { c.metric_prefix = "9lives"; }), "collector.metricPrefix");
  EXPECT_EQ(broken([](Config& c) { c.shards = 257; }), "collector.shards");
  EXPECT_EQ(broken([](Config& c) { c.http.threads = 0; }), "collector.http.threads");
  EXPECT_EQ(broken([](Config& c) { c.http.threads = 257; }), "collector.http.threads");
  EXPECT_EQ(broken([](Config& c) { c.http.request_timeout = 500ms; }), "collector.http.requestTimeout");
  EXPECT_EQ(broken([](Config& c) { c.http.request_timeout = 25 * 24h; }), "collector.http.requestTimeout");
  EXPECT_EQ(broken([](Config& c) { c.log.level = "trace"; }), "log.level");
  EXPECT_EQ(broken([](Config& c) { c.log.format = "xml"; }), "log.format");
  EXPECT_EQ(broken([](Config& c) { c.listen_address = "localhost"; }), "collector.listenAddress");
  EXPECT_EQ(broken([](Config& c) { c.listen_address = "::1:80"; }), "collector.listenAddress");
  EXPECT_EQ(broken([](Config& c) { c.alerts.timeout = 0s; }), "alerts.timeout");
  EXPECT_EQ(broken([](Config& c) { c.alerts.max_attempts = 0; }), "alerts.maxAttempts");
  EXPECT_EQ(broken([](Config& c) { c.alerts.labels["bad-name"] = "x"; }), "alerts.labels.bad-name");
  EXPECT_EQ(broken([](Config& c) { c.kpi.refresh_interval = 0s; }), "kpi.refreshInterval");
  EXPECT_EQ(broken([](Config& c) { c.kpi.windows = {"24h", "fortnight"}; }), "kpi.windows[1]");
  EXPECT_EQ(broken([](Config& c) { c.kpi.targets["happiness"] = {1.0, 2.0}; }), "kpi.targets.happiness");
  // A higher-is-better KPI whose alert threshold is above its target.
  EXPECT_EQ(broken([](Config& c) { c.kpi.targets["code_coverage"] = {70.0, 90.0}; }), "kpi.targets");
  EXPECT_EQ(broken([](Config& c) { c.store.retention = 30min; }), "store.retention");
  EXPECT_EQ(broken([](Config& c) { c.store.path = "events.db"; }), "store.path");
  // The edges of each range are accepted.
  EXPECT_EQ(broken([](Config& c) {
              c.prometheus.port = 65535;
              c.cass_memory.context_limit = 100;
              c.cass_memory.reflection_interval = 1min;
              c.shards = 256;
              c.http.threads = 256;
              c.http.request_timeout = 1s;
              c.listen_address = "[::1]:0";
            }),
            "");
}

TEST_F(ConfigFile, ReadsTheKpiStoreAndAlertKeys) {
  const Config c = load(
      "kpi:\n  windows: [1h, 7d]\n  refreshInterval: 10s\n  targets:\n    code_coverage: {target: 85, alert: 70}\n"
      "    flaky_test_rate: {alert: 15}\n"
      "store:\n  enabled: false\n  path: /var/lib/agentmetrics/events.db\n  retention: 30d\n"
      "alerts:\n  timeout: 3s\n  maxAttempts: 2\n  externalUrl: http://collector:9090\n  labels: {team: agents}\n");
  EXPECT_EQ(c.kpi.windows, (std::vector<std::string>{"1h", "7d"}));
  EXPECT_EQ(c.kpi.refresh_interval, 10s);
  EXPECT_EQ(c.kpi.targets.at("code_coverage").first, 85);
  EXPECT_EQ(c.kpi.targets.at("code_coverage").second, 70);
  EXPECT_FALSE(c.kpi.targets.at("flaky_test_rate").first);
  EXPECT_EQ(c.kpi.targets.at("flaky_test_rate").second, 15);
  EXPECT_FALSE(c.store.enabled);
  EXPECT_EQ(c.store.path, "/var/lib/agentmetrics/events.db");
  EXPECT_EQ(c.store.retention, 30 * 24h);
  EXPECT_EQ(c.alerts.timeout, 3s);
  EXPECT_EQ(c.alerts.max_attempts, 2);
  EXPECT_EQ(c.alerts.external_url, "http://collector:9090");
  EXPECT_EQ(c.alerts.labels.at("team"), "agents");
  EXPECT_EQ(validate_error(c), "");
  EXPECT_EQ(error("kpi:\n  targets:\n    code_coverage: {goal: 1}\n").key(), "kpi.targets.code_coverage.goal");
  EXPECT_EQ(error("kpi:\n  windows: 24h\n").key(), "kpi.windows");
}

TEST_F(ConfigFile, ReadsTheSessionImportKeys) {
  const Config defaults;
  EXPECT_TRUE(defaults.session_import.sources.empty());  // off by default
  const Config c = load(
      "import:\n  sources: [claude-code, opencode]\n  paths: {opencode: /srv/opencode/opencode.db}\n  maxTextBytes: none\n"
      "  keepSessionIds: true\n  settle: 2s\n  rescan: 10m\n");
  EXPECT_EQ(c.session_import.sources, (std::vector<std::string>{"claude-code", "opencode"}));
  EXPECT_EQ(c.session_import.paths.at("opencode"), "/srv/opencode/opencode.db");
  EXPECT_EQ(c.session_import.max_text_bytes, 0u);
  EXPECT_TRUE(c.session_import.keep_session_ids);
  EXPECT_EQ(c.session_import.settle, 2s);
  EXPECT_EQ(c.session_import.rescan, 10min);
  EXPECT_EQ(validate_error(c), "");
  EXPECT_EQ(load("import:\n  maxTextBytes: 120\n").session_import.max_text_bytes, 120u);
  Config bad = c;
  bad.session_import.sources = {"cursor"};
  EXPECT_NE(validate_error(bad).find("import.sources[0]"), std::string::npos);
  bad = c;
  bad.session_import.paths["codex"] = "relative/path";
  EXPECT_NE(validate_error(bad).find("import.paths.codex"), std::string::npos);
  bad = c;
  bad.session_import.max_text_bytes = 4096;
  EXPECT_NE(validate_error(bad).find("import.maxTextBytes"), std::string::npos);
  EXPECT_EQ(error("import:\n  source: [codex]\n").key(), "import.source");
}

// Every duration key and option has one grammar (collector/common/duration.h): kpi.windows took
// weeks while cass_memory.reflectionInterval refused them, and the keys took a bare number of
// seconds that a window refused.
TEST(ConfigParse, Durations) {
  EXPECT_EQ(agentmetrics::parse_duration("30s"), 30s);
  EXPECT_EQ(agentmetrics::parse_duration("15m"), 15min);
  EXPECT_EQ(agentmetrics::parse_duration("24h"), 24h);
  EXPECT_EQ(agentmetrics::parse_duration("7d"), 7 * 24h);
  EXPECT_EQ(agentmetrics::parse_duration("2w"), 14 * 24h);
  EXPECT_EQ(agentmetrics::parse_duration("0s"), 0s);
  for (const char* bad : {"", "s", "-5s", "1.5h", "5 m", " 5s", "5sec", "90", "99999999999999999999s", "9999999999999999d"}) {
    EXPECT_THROW(agentmetrics::parse_duration(bad), std::invalid_argument) << "'" << bad << "'";
  }
  try {
    agentmetrics::parse_duration("90");
    ADD_FAILURE() << "a number without a unit was taken";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("the unit is missing"), std::string::npos) << e.what();
  }
  for (const std::chrono::seconds d : {0s, 45s, 60s * 90, 3600s, 86400s, 7 * 86400s, 30 * 86400s}) {
    EXPECT_EQ(agentmetrics::parse_duration(agentmetrics::format_duration(d)), d);
  }
}

TEST_F(ConfigFile, EveryDurationKeyTakesTheSameGrammar) {
  const Config c = load("cass_memory:\n  reflectionInterval: 1w\nstore:\n  retention: 2w\nkpi:\n  windows: [1w]\n  refreshInterval: 1w\n");
  EXPECT_EQ(c.cass_memory.reflection_interval, 7 * 24h);
  EXPECT_EQ(c.store.retention, 14 * 24h);
  EXPECT_EQ(c.kpi.refresh_interval, 7 * 24h);
  EXPECT_EQ(kpi_windows(c).front(), 7 * 24h);
  try {
    load("store:\n  retention: 90\n");
    ADD_FAILURE() << "a retention without a unit was taken";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.key(), "store.retention");
    EXPECT_NE(std::string(e.what()).find("the unit is missing"), std::string::npos) << e.what();
  }
}

TEST(ConfigParse, WaitModes) {
  EXPECT_EQ(parse_wait_mode("auto"), WaitMode::kAuto);
  EXPECT_EQ(parse_wait_mode("io_uring"), WaitMode::kIoUring);
  EXPECT_EQ(parse_wait_mode("poll"), WaitMode::kPoll);
  for (WaitMode m : {WaitMode::kAuto, WaitMode::kIoUring, WaitMode::kPoll}) EXPECT_EQ(parse_wait_mode(to_string(m)), m);
  EXPECT_THROW(parse_wait_mode("POLL"), std::invalid_argument);
  EXPECT_THROW(parse_wait_mode(""), std::invalid_argument);
}
