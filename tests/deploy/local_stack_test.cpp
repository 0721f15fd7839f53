// deploy/local-stack.sh --smoke: the whole stack (agentmetricsd, Prometheus with the rules,
// Alertmanager, the webhook receiver and the demo load) starts on free loopback ports, works
// together, and stops without leaving a process behind; with --team, three sidecars share one
// PostgreSQL 15 as their store.
#include <signal.h>

#include "tests/deploy/deploy_support.h"

using namespace agentmetrics::deploytest;

namespace {

struct StackRun {
  std::map<std::string, std::string> env;
  std::string run_dir;
  std::string output;
  std::optional<int> status;
  std::string logs(const std::vector<std::string>& names) const {
    std::string all;
    for (const auto& log : names) {
      if (std::filesystem::exists(run_dir + "/" + log)) all += "--- " + log + "\n" + read_file(run_dir + "/" + log) + "\n";
    }
    return all;
  }
};

// Runs local-stack.sh --smoke with `extra` arguments on free ports, in `dir`.
StackRun run_smoke(const TempDir& dir, const std::vector<std::string>& extra, std::map<std::string, std::string> env) {
  StackRun run;
  run.run_dir = dir.path() + "/stack";
  env.insert({{"PROMETHEUS_PORT", std::to_string(free_port())},
              {"ALERTMANAGER_PORT", std::to_string(free_port())},
              {"WEBHOOK_PORT", std::to_string(free_port())},
              {"AGENTMETRICS_NAMESPACE", "stack-" + std::to_string(::getpid())},
              {"AGENTMETRICS_BUILD_DIR", kBuildDir},
              {"AGENTMETRICS_STACK_NO_BUILD", "1"},
              {"AGENTMETRICS_STACK_DIR", run.run_dir}});
  run.env = env;
  std::vector<std::string> argv = {"/bin/bash", kDeployDir + "/local-stack.sh", "--smoke"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  Process stack(argv, env);
  run.status = stack.wait(std::chrono::seconds(100));
  if (!run.status) {
    stack.signal(SIGTERM);  // the script stops what it started
    run.status = stack.wait(std::chrono::seconds(20));
  }
  run.output = stack.output();
  return run;
}

// Every process the stack started is gone: the ports are free again.
void expect_ports_free(const StackRun& run, const std::vector<std::string>& variables) {
  for (const auto& port : variables) {
    auto r = http_get("http://127.0.0.1:" + run.env.at(port) + "/");
    EXPECT_EQ(r.status, 0) << port << " still answers after the stack stopped";
  }
}

TEST(LocalStack, StartsEveryPieceAndTheyWorkTogether) {
  if (kAmtool.empty()) FAIL() << "Alertmanager is missing: install Debian's prometheus-alertmanager (deploy/install-deps.sh)";
  TempDir dir;
  const StackRun run = run_smoke(dir, {}, {{"AGENTMETRICS_PORT", std::to_string(free_port())}});
  const auto logs = [&] { return run.logs({"agentmetricsd.log", "prometheus.log", "alertmanager.log", "webhook.log", "demo-load.log"}); };
  ASSERT_TRUE(run.status) << run.output;
  EXPECT_EQ(exit_code(*run.status), 0) << run.output << logs();
  EXPECT_NE(run.output.find("smoke test passed"), std::string::npos) << run.output << logs();
  expect_ports_free(run, {"AGENTMETRICS_PORT", "PROMETHEUS_PORT", "ALERTMANAGER_PORT", "WEBHOOK_PORT"});
  // The collector stopped cleanly (SIGTERM: drained and exited 0).
  EXPECT_NE(read_file(run.run_dir + "/agentmetricsd.log").find("collector stopped"), std::string::npos) << logs();
}

TEST(LocalStack, TeamModeRunsThreeSidecarsSharingOnePostgres) {
  if (kAmtool.empty()) FAIL() << "Alertmanager is missing: install Debian's prometheus-alertmanager (deploy/install-deps.sh)";
  TempDir dir;
  // Three ports the kernel handed out, rather than two guessed after one: a port next to a free
  // one may be the local end of another test's connection.
  const std::string ports = std::to_string(free_port()) + " " + std::to_string(free_port()) + " " + std::to_string(free_port());
  const StackRun run = run_smoke(dir, {"--team"},
                                 {{"AGENTMETRICS_TEAM_PORTS", ports},
                                  {"AGENTMETRICS_PORT", ports.substr(0, ports.find(' '))},
                                  {"POSTGRES_PORT", std::to_string(free_port())}});
  const auto logs = [&] {
    return run.logs({"agentmetricsd-1.log", "agentmetricsd-2.log", "agentmetricsd-3.log", "postgres.log", "postgres-initdb.log",
                     "prometheus.log", "demo-load.log"});
  };
  ASSERT_TRUE(run.status) << run.output;
  EXPECT_EQ(exit_code(*run.status), 0) << run.output << logs();
  EXPECT_NE(run.output.find("ok: every sidecar stores its outcome events in the team's PostgreSQL"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("ok: agentmetrics kpi reads the tasks of all three sidecars from PostgreSQL"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("smoke test passed"), std::string::npos) << run.output << logs();
  expect_ports_free(run, {"AGENTMETRICS_PORT", "PROMETHEUS_PORT", "ALERTMANAGER_PORT", "WEBHOOK_PORT"});
  for (int i = 1; i <= 3; ++i) {
    const std::string log = read_file(run.run_dir + "/agentmetricsd-" + std::to_string(i) + ".log");
    EXPECT_NE(log.find("collector stopped"), std::string::npos) << log;
    EXPECT_NE(log.find("postgresql://agentmetrics:***@127.0.0.1"), std::string::npos) << "the store is named without its password";
    const std::string url = read_file(run.run_dir + "/store-url");
    const std::string password = url.substr(url.find("agentmetrics:") + 13, 32);  // 16 random bytes in hex
    ASSERT_EQ(password.size(), 32u) << url;
    EXPECT_EQ(log.find(password), std::string::npos) << "the password was logged";
  }
}

}  // namespace
