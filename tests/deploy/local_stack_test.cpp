// deploy/local-stack.sh --smoke: the whole stack (agentmetricsd, Prometheus with the rules,
// Alertmanager, the webhook receiver and the demo load) starts on free loopback ports, works
// together, and stops without leaving a process behind.
#include <signal.h>

#include "tests/deploy/deploy_support.h"

using namespace agentmetrics::deploytest;

namespace {

TEST(LocalStack, StartsEveryPieceAndTheyWorkTogether) {
  if (kAmtool.empty()) FAIL() << "Alertmanager is missing: install Debian's prometheus-alertmanager (deploy/install-deps.sh)";
  TempDir dir;
  const std::string run_dir = dir.path() + "/stack";
  const std::map<std::string, std::string> env = {
      {"AGENTMETRICS_PORT", std::to_string(free_port())},
      {"PROMETHEUS_PORT", std::to_string(free_port())},
      {"ALERTMANAGER_PORT", std::to_string(free_port())},
      {"WEBHOOK_PORT", std::to_string(free_port())},
      {"AGENTMETRICS_NAMESPACE", "stack-" + std::to_string(::getpid())},
      {"AGENTMETRICS_BUILD_DIR", kBuildDir},
      {"AGENTMETRICS_STACK_NO_BUILD", "1"},
      {"AGENTMETRICS_STACK_DIR", run_dir},
  };
  Process stack({"/bin/bash", kDeployDir + "/local-stack.sh", "--smoke"}, env);
  auto status = stack.wait(std::chrono::seconds(100));
  if (!status) {
    stack.signal(SIGTERM);  // the script stops what it started
    status = stack.wait(std::chrono::seconds(20));
  }
  const std::string output = stack.output();
  auto logs = [&] {
    std::string all;
    for (const char* log : {"agentmetricsd.log", "prometheus.log", "alertmanager.log", "webhook.log", "demo-load.log"}) {
      if (std::filesystem::exists(run_dir + "/" + log)) all += std::string("--- ") + log + "\n" + read_file(run_dir + "/" + log) + "\n";
    }
    return all;
  };
  ASSERT_TRUE(status) << output;
  EXPECT_EQ(exit_code(*status), 0) << output << logs();
  EXPECT_NE(output.find("smoke test passed"), std::string::npos) << output << logs();
  // Every process it started is gone: the ports are free again.
  for (const char* port : {"AGENTMETRICS_PORT", "PROMETHEUS_PORT", "ALERTMANAGER_PORT", "WEBHOOK_PORT"}) {
    auto r = http_get("http://127.0.0.1:" + env.at(port) + "/");
    EXPECT_EQ(r.status, 0) << port << " still answers after the stack stopped";
  }
  // The collector stopped cleanly (SIGTERM: drained and exited 0).
  EXPECT_NE(read_file(run_dir + "/agentmetricsd.log").find("collector stopped"), std::string::npos) << logs();
}

}  // namespace
