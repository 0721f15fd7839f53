// The three programs read one configuration the same way (collector::load_configuration): the
// file, then the environment, then their flags, checked by one validate(). Before, the daemon
// put store.path before $AGENTMETRICS_STORE while cm put it after, and `agentmetrics kpi` read
// neither the environment nor the checks.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/collector_process.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace agentmetrics::testing {
namespace {

using namespace std::chrono_literals;

struct Finished {
  int code = -1;
  std::string output;
};

Finished run(std::vector<std::string> argv, const std::map<std::string, std::string>& env) {
  Process p(std::move(argv), env);
  const auto status = p.wait(30s);
  return {status ? exit_code(*status) : -1, p.output()};
}

// The status of cm doctor's "collector" check.
std::string collector_check(std::vector<std::string> argv, const std::map<std::string, std::string>& env) {
  const Finished doctor = run(std::move(argv), env);
  const auto report = nlohmann::json::parse(doctor.output.substr(doctor.output.find('{')));
  for (const auto& check : report["data"]["checks"]) {
    if (check["name"] == "collector") return check["status"];
  }
  return "missing";
}

class Configuration : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = dir_.path() + "/config.yaml";
    std::ofstream(config_) << "store:\n  path: " << dir_.path() << "/from-file.db\n";
  }
  TempDir dir_;
  std::string config_;
};

TEST_F(Configuration, EveryProgramFindsTheStoreTheEnvironmentNamesOverTheFile) {
  const std::string from_env = dir_.path() + "/from-env.db";
  const std::map<std::string, std::string> env = {{"AGENTMETRICS_STORE", from_env}, {"HOME", dir_.path()}};
  {
    CollectorProcess collector(unique_namespace("config"), {"--config", config_}, env);
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!std::filesystem::exists(from_env) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
    EXPECT_TRUE(std::filesystem::exists(from_env)) << collector.process().output();
    EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/from-file.db"));
    // cm doctor asks the listener the configuration names, and finds this collector there.
    std::ofstream(dir_.path() + "/doctor.yaml") << "collector:\n  listenAddress: \"127.0.0.1:" << collector.port() << "\"\n";
    EXPECT_EQ(collector_check({AM_CM_BINARY, "doctor", "--json", "--config", dir_.path() + "/doctor.yaml"}, env), "ok");
    EXPECT_EQ(collector.stop(), 0);
  }
  EXPECT_EQ(collector_check({AM_CM_BINARY, "doctor", "--json", "--config", dir_.path() + "/doctor.yaml"}, env), "warn");
  const Finished doctor = run({AM_CM_BINARY, "doctor", "--json", "--config", config_}, env);
  ASSERT_FALSE(doctor.output.empty());
  const auto report = nlohmann::json::parse(doctor.output.substr(doctor.output.find('{')));
  EXPECT_EQ(report["data"]["store"], from_env) << doctor.output;
  // The store the daemon made is the one `agentmetrics kpi` reads.
  const Finished kpi = run({kAgentmetricsCliBinary, "kpi", "--json", "--config", config_}, env);
  EXPECT_EQ(kpi.code, 0) << kpi.output;
}

// Without --config, all three find the same file: $AGENTMETRICS_CONFIG, else the user's
// ~/.config/agentmetrics/config.yaml. Only cm looked there, so it could use another store.
TEST_F(Configuration, EveryProgramFindsTheSameFileWithoutTheFlag) {
  const std::string xdg_file = dir_.path() + "/.config/agentmetrics/config.yaml";
  std::filesystem::create_directories(std::filesystem::path(xdg_file).parent_path());
  std::ofstream(xdg_file) << "store:\n  path: " << dir_.path() << "/from-home.db\n";
  const std::map<std::string, std::string> by_variable = {{"AGENTMETRICS_CONFIG", config_}, {"HOME", dir_.path()}};
  const std::map<std::string, std::string> by_home = {{"HOME", dir_.path()}};
  for (const auto& [env, store] :
       {std::pair{by_variable, dir_.path() + "/from-file.db"}, std::pair{by_home, dir_.path() + "/from-home.db"}}) {
    {
      CollectorProcess collector(unique_namespace("config"), {}, env);
      const auto deadline = std::chrono::steady_clock::now() + 20s;
      while (!std::filesystem::exists(store) && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(20ms);
      EXPECT_TRUE(std::filesystem::exists(store)) << collector.process().output();
      EXPECT_EQ(collector.stop(), 0);
    }
    const Finished doctor = run({AM_CM_BINARY, "doctor", "--json"}, env);
    EXPECT_EQ(nlohmann::json::parse(doctor.output.substr(doctor.output.find('{')))["data"]["store"], store) << doctor.output;
    // The daemon's store is the only one there: agentmetrics kpi refuses a store that is missing.
    const Finished kpi = run({kAgentmetricsCliBinary, "kpi", "--json"}, env);
    EXPECT_EQ(kpi.code, 0) << kpi.output;
  }
}

TEST_F(Configuration, EveryProgramRefusesABadValueFromTheEnvironmentNamingIt) {
  const std::map<std::string, std::string> env = {{"METRICS_PORT", "ninety"}, {"HOME", dir_.path()}};
  const Finished daemon = run({kCollectorBinary, "--config", config_}, env);
  EXPECT_EQ(daemon.code, 2) << daemon.output;
  EXPECT_NE(daemon.output.find("METRICS_PORT"), std::string::npos) << daemon.output;
  const Finished kpi = run({kAgentmetricsCliBinary, "kpi", "--config", config_}, env);
  EXPECT_EQ(kpi.code, 2) << kpi.output;
  EXPECT_NE(kpi.output.find("METRICS_PORT"), std::string::npos) << kpi.output;
  const Finished cm = run({AM_CM_BINARY, "context", "fix the build", "--config", config_}, env);
  EXPECT_NE(cm.code, 0) << cm.output;
  EXPECT_NE(cm.output.find("METRICS_PORT"), std::string::npos) << cm.output;
  const Finished relative = run({kAgentmetricsCliBinary, "kpi", "--config", config_}, {{"AGENTMETRICS_STORE", "events.db"}});
  EXPECT_EQ(relative.code, 2) << relative.output;
  EXPECT_NE(relative.output.find("AGENTMETRICS_STORE"), std::string::npos) << relative.output;
}

}  // namespace
}  // namespace agentmetrics::testing
