// agentmetricsd as an operator runs it: bad configuration refused with the key and exit code 2,
// the environment's METRICS_PORT, SIGHUP reloads (good and bad files) without losing events,
// and SIGTERM's final drain.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "tests/support/collector_process.h"
#include "tests/support/http_client.h"
#include "tests/support/raw_http.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace agentmetrics::testing;

namespace {

const std::string kOpenMetricsAccept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

bool wait_for_output(Process& p, const std::string& text, std::chrono::seconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (p.output().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

struct BadConfig {
  std::string name;
  std::string yaml;  // the file's text; empty: no --config
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  std::string message;  // must appear in what the daemon prints
};

// Names the case in test listings instead of a byte dump.
void PrintTo(const BadConfig& c, std::ostream* out) { *out << c.name; }

class InvalidConfiguration : public ::testing::TestWithParam<BadConfig> {};

TEST_P(InvalidConfiguration, IsRefusedWithTheKeyAndExitCode2AndNothingStarts) {
  const BadConfig& c = GetParam();
  TempDir dir;
  std::vector<std::string> argv = {kCollectorBinary, "--web.listen-address=127.0.0.1:0", "--namespace=" + unique_namespace("badcfg")};
  if (!c.yaml.empty()) {
    write_file(dir.path() + "/config.yml", c.yaml);
    argv.push_back("--config=" + dir.path() + "/config.yml");
  }
  argv.insert(argv.end(), c.args.begin(), c.args.end());
  Process daemon(argv, c.env);
  auto status = daemon.wait(std::chrono::seconds(10));
  ASSERT_TRUE(status) << "the daemon did not exit";
  EXPECT_EQ(exit_code(*status), 2) << daemon.output();
  EXPECT_NE(daemon.output().find(c.message), std::string::npos) << daemon.output();
  EXPECT_EQ(daemon.output().find("collector started"), std::string::npos) << daemon.output();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, InvalidConfiguration,
    ::testing::Values(BadConfig{"UnknownKey", "prometheus:\n  prot: 9090\n", {}, {}, "prometheus.prot: unknown key"},
                      BadConfig{"WrongType", "prometheus:\n  port: ninety\n", {}, {}, "prometheus.port: expected an integer"},
                      BadConfig{"OutOfRange", "cass_memory:\n  contextLimit: 0\n", {}, {}, "cass_memory.contextLimit: must be 1 to 100"},
                      BadConfig{"BadDuration", "cass_memory:\n  reflectionInterval: soon\n", {}, {}, "cass_memory.reflectionInterval"},
                      BadConfig{"MalformedYaml", "prometheus: [1, 2\n", {}, {}, "is not valid YAML: line"},
                      BadConfig{"BadWebhook", "alerts:\n  webhookUrl: ftp://x\n", {}, {}, "alerts.webhookUrl: must be an http"},
                      BadConfig{
                          "MissingFile", "", {"--config=/nonexistent/agentmetrics.yml"}, {}, "cannot read /nonexistent/agentmetrics.yml"},
                      BadConfig{"BadFlag", "", {"--log.level=loud"}, {}, "log.level"},
                      BadConfig{"UnknownFlag", "", {"--no-such-flag"}, {}, "no-such-flag"},
                      BadConfig{"BadEnvironmentPort", "", {}, {{"METRICS_PORT", "http"}}, "METRICS_PORT: expected a port number"}),
    [](const auto& p) { return p.param.name; });

TEST(Environment, MetricsPortChoosesThePortWhenNoFlagDoes) {
  // Find a free port by letting a first daemon pick one, then stop it and reuse the number.
  int port = 0;
  {
    CollectorProcess probe(unique_namespace("port-probe"));
    port = probe.port();
  }
  TempDir dir;
  Process daemon({kCollectorBinary, "--namespace=" + unique_namespace("env-port"), "--store=" + dir.path() + "/events.db"},
                 {{"METRICS_PORT", std::to_string(port)}});
  ASSERT_TRUE(wait_for_output(daemon, "collector started")) << daemon.output();
  EXPECT_NE(daemon.output().find("port=" + std::to_string(port)), std::string::npos) << daemon.output();
  EXPECT_EQ(http_get("http://127.0.0.1:" + std::to_string(port) + "/readiness").status, 200);
  daemon.signal(SIGTERM);
  auto status = daemon.wait(std::chrono::seconds(20));
  ASSERT_TRUE(status);
  EXPECT_EQ(exit_code(*status), 0);
}

TEST(Reload, SighupAppliesAGoodFileKeepsTheRunningOneOnABadFileAndLosesNoEvent) {
  TempDir dir;
  const std::string config = dir.path() + "/agentmetrics.yml";
  write_file(config, "prometheus:\n  openMetrics: true\n");
  const std::string ns = unique_namespace("reload");
  CollectorProcess collector(ns, {"--config=" + config});
  auto content_type = [&] {
    return raw_http(collector.port(), get_request("/metrics", {{"Accept", kOpenMetricsAccept}})).headers["content-type"];
  };
  EXPECT_EQ(content_type().rfind("application/openmetrics-text", 0), 0u);

  // Producers write while the configuration is reloaded twice.
  Process producer({kTestProducerBinary, "--threads", "2", "--events", "20000", "--label", "reload"}, {{"AGENTMETRICS_NAMESPACE", ns}});

  write_file(config, "prometheus:\n  openMetrics: false\n");
  collector.process().signal(SIGHUP);
  ASSERT_TRUE(wait_for_output(collector.process(), "configuration reloaded")) << collector.process().output();
  EXPECT_EQ(content_type().rfind("text/plain; version=0.0.4", 0), 0u);

  write_file(config, "prometheus:\n  openMetrics: maybe\n");
  collector.process().signal(SIGHUP);
  ASSERT_TRUE(wait_for_output(collector.process(), "configuration not reloaded")) << collector.process().output();
  EXPECT_NE(collector.process().output().find("prometheus.openMetrics"), std::string::npos);
  EXPECT_EQ(content_type().rfind("text/plain; version=0.0.4", 0), 0u) << "the bad file must not replace the running configuration";

  auto status = producer.wait(std::chrono::seconds(30));
  ASSERT_TRUE(status);
  ASSERT_NE(producer.output().find("dropped=0"), std::string::npos) << producer.output();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  Samples s;
  while (std::chrono::steady_clock::now() < deadline) {
    s = collector.samples();
    if (sample(s, "am_test_value_count{producer=\"reload\"}") == 40000) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(sample(s, "am_test_events_total{producer=\"reload\",thread=\"0\"}"), 20000);
  EXPECT_EQ(sample(s, "am_test_events_total{producer=\"reload\",thread=\"1\"}"), 20000);
  EXPECT_EQ(sample(s, "am_test_value_count{producer=\"reload\"}"), 40000);
  EXPECT_EQ(collector.process().wait(std::chrono::milliseconds(0)), std::nullopt) << "the daemon exited";
}

// The number the log's final line gives for the records a producer run leaves in the rings.
std::string drained_field(const std::string& output) {
  const auto at = output.rfind("collector stopped");
  if (at == std::string::npos) return "";
  const auto field = output.find("events_drained=", at);
  if (field == std::string::npos) return "";
  const auto start = field + std::string("events_drained=").size();
  return output.substr(start, output.find_first_of(" \n", start) - start);
}

TEST(Shutdown, SigtermExitsZeroOnlyAfterEveryAcceptedEventIsDrained) {
  const std::vector<std::string> producer_args = {kTestProducerBinary, "--threads", "2", "--events", "5000", "--label", "final"};
  // A reference run: how many records this producer writes, as a running collector counts them.
  double records = 0;
  {
    const std::string ns = unique_namespace("final-ref");
    CollectorProcess reference(ns);
    Process producer(producer_args, {{"AGENTMETRICS_NAMESPACE", ns}});
    ASSERT_TRUE(producer.wait(std::chrono::seconds(30)));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline && sample(reference.samples(), "am_test_value_count{producer=\"final\"}") != 10000) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    records = *sample(reference.samples(), "agentmetrics_events_drained_total");
  }
  ASSERT_GT(records, 30000);

  // The collector is frozen while the producer fills the rings, and is told to stop at the
  // moment it runs again: its last log line must account for every record.
  const std::string ns = unique_namespace("final");
  CollectorProcess collector(ns);
  collector.process().signal(SIGSTOP);
  Process producer(producer_args, {{"AGENTMETRICS_NAMESPACE", ns}});
  auto produced = producer.wait(std::chrono::seconds(30));
  ASSERT_TRUE(produced);
  ASSERT_NE(producer.output().find("dropped=0"), std::string::npos) << producer.output();
  collector.process().signal(SIGTERM);
  collector.process().signal(SIGCONT);
  auto status = collector.process().wait(std::chrono::seconds(20));
  ASSERT_TRUE(status) << "the daemon did not stop";
  EXPECT_EQ(exit_code(*status), 0) << collector.process().output();
  EXPECT_NE(collector.process().output().find("stopping signal=SIGTERM"), std::string::npos) << collector.process().output();
  EXPECT_EQ(drained_field(collector.process().output()), std::to_string(static_cast<long long>(records))) << collector.process().output();
}

}  // namespace

TEST(Logs, JsonFormatWritesOneObjectPerLine) {
  const std::string ns = unique_namespace("jsonlog");
  std::string output;
  {
    CollectorProcess collector(ns, {"--log.format=json"});
    Process producer({kTestProducerBinary, "--events", "10", "--label", "json"}, {{"AGENTMETRICS_NAMESPACE", ns}});
    ASSERT_TRUE(producer.wait(std::chrono::seconds(30)));
    ASSERT_TRUE(wait_for_output(collector.process(), "segment reclaimed")) << collector.process().output();
    EXPECT_EQ(collector.stop(), 0);
    output = collector.process().output();
  }
  std::istringstream lines(output);
  std::string line;
  std::set<std::string> messages;
  while (std::getline(lines, line)) {
    const auto object = nlohmann::json::parse(line, nullptr, false);
    ASSERT_TRUE(object.is_object()) << line;
    EXPECT_TRUE(object["ts"].is_string() && object["level"].is_string()) << line;
    messages.insert(object["msg"].get<std::string>());
  }
  for (const char* m : {"collector started", "segment attached", "segment reclaimed", "stopping", "collector stopped"}) {
    EXPECT_EQ(messages.count(m), 1u) << m << " missing from:\n" << output;
  }
}

TEST(Allocator, TheDaemonAllocatesWithMimalloc) {
  CollectorProcess collector(unique_namespace("mimalloc"));
  std::ifstream maps("/proc/" + std::to_string(collector.process().pid()) + "/maps");
  const std::string text((std::istreambuf_iterator<char>(maps)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("libmimalloc"), std::string::npos) << "agentmetricsd does not map mimalloc";
}
