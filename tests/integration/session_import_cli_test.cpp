// A new user's first command: with the agents' sessions where the agents keep them under HOME,
// `agentmetrics import` alone puts them in the store, `cm context` offers them as history,
// `agentmetrics kpi` counts them, and agentmetricsd's KPI gauges on /metrics show them.
#include <gtest/gtest.h>

#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/integration/recorded_homes.h"
#include "tests/support/collector_process.h"
#include "tests/support/command_json.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace agentmetrics::testing;
namespace fs = std::filesystem;

namespace {

using agentmetrics::testing::json_of;

TEST(SessionImportCli, OneCommandMakesTheSessionsOnDiskHistory) {
  TempDir dir;
  const std::string home = dir.path() + "/home";
  fs::create_directories(home);
  install_recorded_sessions(home);
  // The user's environment: HOME, nothing configured.
  const std::map<std::string, std::string> env = {{"HOME", home},
                                                  {"AGENTMETRICS_CONFIG", ""},
                                                  {"XDG_CONFIG_HOME", home + "/.config"},
                                                  {"XDG_STATE_HOME", ""},
                                                  {"XDG_DATA_HOME", ""},
                                                  {"CODEX_HOME", ""},
                                                  {"CLAUDE_CONFIG_DIR", ""},
                                                  {"OPENCODE_DB", ""},
                                                  {"AGENTMETRICS_STORE", ""}};
  const CommandResult imported = run_command({kAgentmetricsCliBinary, "import"}, env);
  ASSERT_EQ(imported.code, 0) << imported.output;
  EXPECT_NE(imported.output.find("claude_code: 3 new"), std::string::npos) << imported.output;
  EXPECT_NE(imported.output.find("codex: 1 new"), std::string::npos) << imported.output;
  EXPECT_NE(imported.output.find("opencode: 1 new"), std::string::npos) << imported.output;
  EXPECT_TRUE(fs::exists(home + "/.local/state/agentmetrics/events.db"));

  // cm context offers them as history.
  const CommandResult context = run_command({AM_CM_BINARY, "context", "write hello.txt and count its bytes", "--json"}, env);
  ASSERT_EQ(context.code, 0) << context.output;
  const nlohmann::json answer = json_of(context);
  const nlohmann::json& snippets = answer["data"]["historySnippets"];
  ASSERT_FALSE(snippets.empty()) << context.output;
  EXPECT_EQ(snippets[0]["title"], "Write hello.txt and count its bytes.");
  EXPECT_EQ(snippets[0]["outcome"], "success");
  EXPECT_EQ(snippets[0]["approach"], "edit");

  // The KPIs count them: five sessions, four of which succeeded (the 500 one failed).
  const CommandResult kpi = run_command({kAgentmetricsCliBinary, "kpi", "--window", "3650d", "--json"}, env);
  ASSERT_EQ(kpi.code, 0) << kpi.output;
  bool seen = false;
  const nlohmann::json report = json_of(kpi);
  for (const auto& k : report["kpis"]) {
    if (k["id"] != "task_completion_rate") continue;
    seen = true;
    EXPECT_DOUBLE_EQ(k["value"].get<double>(), 80.0) << k.dump();
  }
  EXPECT_TRUE(seen) << kpi.output;

  // And the daemon's KPI gauges, over the same store.
  const std::string config = dir.path() + "/config.yaml";
  std::ofstream(config) << "kpi:\n  windows: [3650d]\nstore:\n  retention: 3650d\n";
  CollectorProcess collector(unique_namespace("import"), {"--config=" + config}, env);
  const std::string key = "opencode_kpi_value{group=\"ai_assistance\",kpi=\"ai_task_completion_rate\",window=\"3650d\"}";
  std::optional<double> value;
  for (int i = 0; i < 50 && !value; ++i) {
    value = sample(collector.samples(), key);
    if (!value) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(value, 80.0) << collector.scrape();
  EXPECT_EQ(collector.stop(), 0);
}

}  // namespace
