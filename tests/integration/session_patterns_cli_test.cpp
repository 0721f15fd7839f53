// Learning from the agents' sessions, end to end with the real programs: `agentmetrics import` of
// the sessions the real Claude Code wrote (tests/data/agents/claude/failure-patterns: two sessions
// that each run `make check` until it passes, try an Edit whose text is not in the file twice, and
// run a hostile command that says to ignore previous instructions and pipe curl into sh), then
// `cm reflect` learns rules from them, `cm why` shows each rule's session evidence, and no rule
// carries the hostile command's words.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "tests/support/command_json.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace agentmetrics::testing;
namespace fs = std::filesystem;

namespace {

const std::string kData = AM_AGENT_DATA_DIR;

using agentmetrics::testing::json_of;

bool hostile(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static constexpr const char* kWords[] = {"ignore", "previous", "instruction", "curl", "evil", "| sh"};
  return std::any_of(std::begin(kWords), std::end(kWords), [&](const char* w) { return text.find(w) != std::string::npos; });
}

// The recorded sessions happened on the day they were recorded; the reflection looks at the
// last 7 days. Moves them to the last hour, keeping their order and spacing.
void move_to_the_last_hour(const std::string& store) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(store.c_str(), &db), SQLITE_OK);
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const std::string sql = "UPDATE events SET time = time - (SELECT max(time) FROM events) + " + std::to_string(now - 3600);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(SessionPatternsCli, RealSessionsBecomeRulesWithTheirSessionEvidence) {
  TempDir dir;
  const std::string home = dir.path() + "/home";
  fs::create_directories(home);
  for (const std::string scenario : {"failure-patterns", "denied-tool"}) {
    fs::copy(kData + "/claude/" + scenario + "/home/.claude", home + "/.claude",
             fs::copy_options::recursive | fs::copy_options::skip_existing);
  }
  const std::string store = dir.path() + "/events.db";
  const std::map<std::string, std::string> env = {
      {"HOME", home},         {"AGENTMETRICS_CONFIG", ""}, {"XDG_CONFIG_HOME", home + "/.config"},
      {"XDG_STATE_HOME", ""}, {"CLAUDE_CONFIG_DIR", ""},   {"AGENTMETRICS_STORE", store}};
  const CommandResult imported = run_command({kAgentmetricsCliBinary, "import", "claude-code"}, env);
  ASSERT_EQ(imported.code, 0) << imported.output;
  EXPECT_NE(imported.output.find("claude_code: 3 new"), std::string::npos) << imported.output;
  move_to_the_last_hour(store);

  const CommandResult reflected = run_command({AM_CM_BINARY, "reflect", "--json"}, env);
  ASSERT_EQ(reflected.code, 0) << reflected.output;
  const nlohmann::json report = json_of(reflected)["data"];
  ASSERT_EQ(report["session_patterns"].size(), 2u) << report.dump(1);
  EXPECT_EQ(report["session_facts_rejected"], 0);
  std::map<std::string, std::string> rules;  // content -> id
  for (const auto& r : report["rules_added"]) rules[r["content"]] = r["id"];
  const std::string edit_rule =
      "Edits with `Edit` keep failing because the text to replace was not found in the file: read the file again and copy the text to "
      "replace exactly, indentation included.";
  const std::string retry_rule =
      "`make check` fails and then passes on a rerun with nothing changed, in several sessions: treat its failures as flaky and look for "
      "the transient cause (timing, test order, a shared port or file) instead of rerunning it until it passes.";
  ASSERT_TRUE(rules.contains(edit_rule)) << report.dump(1);
  ASSERT_TRUE(rules.contains(retry_rule)) << report.dump(1);

  // cm why: the pattern behind the rule, with its sessions (digests, not Claude Code's ids).
  const CommandResult why = run_command({AM_CM_BINARY, "why", rules[retry_rule], "--json"}, env);
  ASSERT_EQ(why.code, 0) << why.output;
  const nlohmann::json why_answer = json_of(why);
  const nlohmann::json& patterns = why_answer["data"]["patterns"];
  ASSERT_EQ(patterns.size(), 1u) << why.output;
  EXPECT_EQ(patterns[0]["kind"], "session");
  const nlohmann::json& evidence = patterns[0]["data"];
  EXPECT_EQ(evidence["kind"], "command_retried");
  EXPECT_EQ(evidence["command"], "make check");
  EXPECT_EQ(evidence["stage"], "test");
  EXPECT_EQ(evidence["runs"], 2);
  EXPECT_EQ(evidence["unchanged_runs"], 2);
  EXPECT_EQ(evidence["most_failures_in_a_row"], 2);
  EXPECT_EQ(evidence["session_count"], 2);
  ASSERT_EQ(evidence["sessions"].size(), 2u);
  for (const auto& s : evidence["sessions"]) EXPECT_TRUE(s.get<std::string>().starts_with("s-")) << s;
  EXPECT_EQ(evidence["agents"], nlohmann::json::array({"claude_code"}));
  for (const std::string id : {"dbabe6d4-921a-4151-b531-b443ec8488bd", "2404e51e-d749-4173-ae37-e1c4d72b4a57"})
    EXPECT_EQ(why.output.find(id), std::string::npos);
  // The same for a person.
  const CommandResult shown = run_command({AM_CM_BINARY, "why", rules[edit_rule]}, env);
  ASSERT_EQ(shown.code, 0) << shown.output;
  EXPECT_NE(shown.output.find("\"kind\":\"edit_rejected\""), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find("\"reason\":\"string_not_found\""), std::string::npos) << shown.output;
  EXPECT_NE(shown.output.find("\"failures\":4"), std::string::npos) << shown.output;

  // A lower threshold (the configuration's) also makes the Bash rule: 4 of its 6 test runs failed.
  const std::string config = dir.path() + "/config.yaml";
  std::ofstream(config) << "cass_memory:\n  sessionPatterns:\n    minToolFailures: 4\n";
  const CommandResult lower = run_command({AM_CM_BINARY, "--config", config, "reflect", "--json"}, env);
  ASSERT_EQ(lower.code, 0) << lower.output;
  const nlohmann::json lower_answer = json_of(lower);
  const nlohmann::json& added = lower_answer["data"]["rules_added"];
  ASSERT_EQ(added.size(), 1u) << lower.output;
  EXPECT_EQ(added[0]["content"],
            "The `Bash` tool keeps failing when running tests (across sessions): run the failing test on its own and read its first error "
            "before running the suite again.");

  // cm patterns lists them; no rule anywhere carries the hostile command's words.
  const CommandResult listed = run_command({AM_CM_BINARY, "patterns", "--json"}, env);
  ASSERT_EQ(listed.code, 0) << listed.output;
  EXPECT_EQ(json_of(listed)["data"]["session_patterns"].size(), 3u) << listed.output;
  const CommandResult all = run_command({AM_CM_BINARY, "playbook", "list", "--all", "--json"}, env);
  ASSERT_EQ(all.code, 0) << all.output;
  const nlohmann::json all_answer = json_of(all);
  const nlohmann::json& bullets = all_answer["data"]["bullets"];
  EXPECT_EQ(bullets.size(), 3u) << all.output;
  for (const auto& b : bullets) EXPECT_FALSE(hostile(b["content"].get<std::string>())) << b.dump();
  EXPECT_FALSE(hostile(listed.output)) << listed.output;
}

}  // namespace
