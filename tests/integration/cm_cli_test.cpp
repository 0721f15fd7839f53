// The real `cm` binary on temporary stores filled through SqliteEventStore::insert: the JSON answers
// (the specification's context shape, cass_memory's wrapper and error objects), the exit codes
// (2 input, 3 config, 4 filesystem), the human-readable listings, and that bad input loses
// nothing. No collector runs: the store is the source of truth.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "collector/store/sqlite_event_store.h"
#include "tests/integration/cm_fixture.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::learning {
namespace {

using namespace cm_test;

TEST_F(CmTest, ContextJsonIsTheSpecificationsShape) {
  insert_tasks();
  const std::string rule = add("Always write unit tests before implementing authentication logic");
  const std::string anti = add("Never store passwords in plain text", {"--kind", "anti-pattern"});
  const CmRun r = cm({"context", "implementing user authentication", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  const json j = r.parsed();
  EXPECT_EQ(keys(j), (std::vector<std::string>{"success", "command", "timestamp", "data", "metadata"}));
  EXPECT_EQ(j["success"], true);
  EXPECT_EQ(j["command"], "context");
  EXPECT_EQ(keys(j["metadata"]), (std::vector<std::string>{"executionMs", "version"}));
  const json& d = j["data"];
  EXPECT_EQ(keys(d), (std::vector<std::string>{"task", "relevantBullets", "antiPatterns", "historySnippets"}));
  ASSERT_EQ(d["relevantBullets"].size(), 1u);
  // The specification's fields, then where the rule came from.
  json first = d["relevantBullets"][0];
  EXPECT_EQ(first["created"].get<std::string>().substr(0, 2), "20") << first.dump();
  first.erase("created");
  EXPECT_EQ(first, (json{{"id", rule},
                         {"content", "Always write unit tests before implementing authentication logic"},
                         {"confidence", 0.7},
                         {"evidence_count", 0},
                         {"source", "manual"},
                         {"added_by", "cli"}}));
  ASSERT_EQ(d["antiPatterns"].size(), 0u);  // "passwords" is not in the task
  ASSERT_GE(d["historySnippets"].size(), 1u);
  const json& h = d["historySnippets"][0];
  EXPECT_EQ(keys(h), (std::vector<std::string>{"session_id", "title", "outcome", "duration", "approach", "snippet", "score"}));
  EXPECT_EQ(h["session_id"], "ses-1");
  EXPECT_EQ(h["title"], "Implement OAuth2 login");
  EXPECT_EQ(h["outcome"], "success");
  EXPECT_EQ(h["duration"], "45 min");
  EXPECT_EQ(h["approach"], "test_driven_development");
  EXPECT_EQ(h["snippet"], "Started with unit tests, then implemented...");

  const json with_anti = cm({"context", "store user passwords", "--json"}).parsed();
  EXPECT_EQ(with_anti["data"]["antiPatterns"][0]["id"], anti);
}

TEST_F(CmTest, ContextWithoutJsonIsAReadableListing) {
  insert_tasks();
  const std::string rule = add("Always write unit tests before implementing authentication logic");
  const CmRun r = cm({"context", "implementing", "user", "authentication"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Task: implementing user authentication"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Relevant rules (1):\n  [" + rule + "] 0.70  Always write unit tests"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("success 45 min"), std::string::npos) << r.out;
}

// Without --json every command answers a person from the fields of the same typed answer its
// JSON carries: the numbers and ids printed are the ones --json reports.
TEST_F(CmTest, EveryCommandAnswersAPersonWithWhatItsJsonSays) {
  insert_tasks();
  const std::string a = add("Run the unit tests before committing", {"--confidence", "0.9"});
  const std::string b = add("Keep pull requests small");
  auto contains = [](const CmRun& r, const std::string& text) {
    EXPECT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find(text), std::string::npos) << "missing: " << text << "\nin:\n" << r.out;
  };
  contains(cm({"playbook", "add", "Run the unit tests before committing!"}),
           "reinforced " + a + ": Run the unit tests before committing  (confidence 0.9");
  const json list = cm({"playbook", "list", "--json"}).parsed()["data"];
  const CmRun listing = cm({"playbook", "list"});
  contains(listing, "2 rules\n");
  for (const auto& rule : list["bullets"]) {
    char confidence[16];
    std::snprintf(confidence, sizeof confidence, "%.2f", rule["confidence"].get<double>());
    contains(listing,
             "[" + rule["id"].get<std::string>() + "] rule         " + confidence + "  active  " + rule["maturity"].get<std::string>());
  }
  const json marked = cm({"mark", b, "--harmful", "--session", "s1", "--json"}).parsed()["data"];
  char before[16], after[16];
  std::snprintf(before, sizeof before, "%.3f", marked["confidence_before"].get<double>());
  std::snprintf(after, sizeof after, "%.3f", marked["confidence_after"].get<double>());
  contains(cm({"mark", b, "--harmful", "--session", "s1"}),
           b + " marked harmful: confidence " + after + " -> " + after + " (already recorded for this session)");
  EXPECT_NE(std::string(before), std::string(after));
  contains(cm({"outcome", "failure", "--rules", a + "," + b, "--stage", "test", "--failure-type", "test_failure"}),
           "outcome failure (related):\n");
  const CmRun reflected = cm({"reflect"});
  contains(reflected, "Failure patterns (1):\n");
  contains(reflected, "test / test_failure: 4 failures, 0% resolved");
  contains(reflected, "Learned:\n");
  contains(cm({"patterns"}), "test / test_failure: 4 failures");
  const json stats = cm({"stats", "--json"}).parsed()["data"];
  const CmRun summary = cm({"stats"});
  contains(summary, "Playbook: " + stats["active"].dump() + " active (" + stats["byKind"]["rule"].dump() + " rules, " +
                        stats["byKind"]["anti-pattern"].dump() + " anti-patterns)");
  contains(summary, "Feedback: " + stats["feedback"]["helpful"].dump() + " helpful, " + stats["feedback"]["harmful"].dump() + " harmful");
  contains(summary, "Last reflection: " + stats["lastReflection"]["time"].get<std::string>() + " (manual, ok), 1 runs in all");
  const CmRun doctor = cm({"doctor"});
  EXPECT_NE(doctor.out.find("cm doctor: warn (store " + store() + ")"), std::string::npos) << doctor.out;  // no collector runs
  EXPECT_NE(doctor.out.find("[ok]    store "), std::string::npos) << doctor.out;
  EXPECT_NE(doctor.out.find("[warn]  collector"), std::string::npos) << doctor.out;
}

// A rule that is not UTF-8 once broke every later --json read of the playbook; it is refused.
TEST_F(CmTest, TextThatIsNotUtf8IsAnInputError) {
  const CmRun bad = cm({"playbook", "add", "Run the \xff tests first", "--json"});
  EXPECT_EQ(bad.code, 2) << bad.out;
  EXPECT_EQ(bad.parsed()["error"]["code"], "INVALID_ARGUMENT");
  EXPECT_EQ(cm({"context", "fix \xc0\xaf the parser"}).code, 2);
  const CmRun list = cm({"playbook", "list", "--json"});
  EXPECT_EQ(list.code, 0);
  EXPECT_EQ(list.parsed()["data"]["count"], 0);
}

// Rules people added are listed for review with who added them; a rule is a sentence or two.
TEST_F(CmTest, ManualRulesAreListedWithWhoAddedThem) {
  const std::string rule = add("Run the migrations on a copy of the database first");
  const CmRun list = cm({"playbook", "list", "--source", "manual"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_NE(list.out.find("[" + rule + "]"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("(manual, added by cli on 20"), std::string::npos) << list.out;
  EXPECT_EQ(cm({"playbook", "list", "--source", "learning", "--json"}).parsed()["data"]["count"], 0);
  const CmRun essay = cm({"playbook", "add", std::string(1001, 'x'), "--json"});
  EXPECT_EQ(essay.code, 2) << essay.out;
  EXPECT_EQ(essay.parsed()["error"]["code"], "CONTENT_TOO_LONG");
}

TEST_F(CmTest, TheContextLimitComesFromTheConfigurationOrTheFlag) {
  for (const char* w : {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf"})
    add(std::string("Parser rule ") + w + " for tokens");
  EXPECT_EQ(cm({"context", "parser tokens", "--json"}).parsed()["data"]["relevantBullets"].size(), 5u);
  {
    std::ofstream config(dir_.path() + "/config.yaml");
    config << "cass_memory:\n  contextLimit: 2\n";
  }
  EXPECT_EQ(cm({"--config", dir_.path() + "/config.yaml", "context", "parser tokens", "--json"}).parsed()["data"]["relevantBullets"].size(),
            2u);
  EXPECT_EQ(cm({"--config", dir_.path() + "/config.yaml", "context", "parser tokens", "--limit", "3", "--json"})
                .parsed()["data"]["relevantBullets"]
                .size(),
            3u);
  // The default configuration file is read when present.
  std::filesystem::create_directories(dir_.path() + "/config/agentmetrics");
  std::filesystem::copy_file(dir_.path() + "/config.yaml", dir_.path() + "/config/agentmetrics/config.yaml");
  EXPECT_EQ(cm({"context", "parser tokens", "--json"}).parsed()["data"]["relevantBullets"].size(), 2u);

  // An invalid configuration is a configuration error (exit 3) that names the key.
  {
    std::ofstream config(dir_.path() + "/bad.yaml");
    config << "cass_memory:\n  contextLimit: 0\n";
  }
  const CmRun bad = cm({"--config", dir_.path() + "/bad.yaml", "context", "parser", "--json"});
  EXPECT_EQ(bad.code, 3);
  EXPECT_EQ(bad.parsed()["error"]["code"], "CONFIG_INVALID");
  EXPECT_NE(bad.parsed()["error"]["message"].get<std::string>().find("cass_memory.contextLimit"), std::string::npos);
}

TEST_F(CmTest, PlaybookListAddRemoveAndStats) {
  const std::string a = add("Run the linter before committing", {"--tags", "lint,ci", "--confidence", "0.9"});
  const std::string b = add("Keep pull requests small");
  const CmRun again = cm({"playbook", "add", "run the linter before committing!", "--json"});
  EXPECT_EQ(again.parsed()["data"]["action"], "reinforced");
  EXPECT_EQ(again.parsed()["data"]["id"], a);

  json list = cm({"playbook", "list", "--json"}).parsed()["data"];
  EXPECT_EQ(list["count"], 2);
  EXPECT_EQ(list["bullets"][0]["id"], a);
  EXPECT_EQ(list["bullets"][0]["tags"], json::array({"lint", "ci"}));
  EXPECT_EQ(list["bullets"][0]["evidence_count"], 1);

  const CmRun removed = cm({"playbook", "remove", b, "--json"});
  EXPECT_EQ(removed.code, 0);
  EXPECT_EQ(removed.parsed()["data"]["action"], "removed");
  EXPECT_EQ(cm({"playbook", "list", "--json"}).parsed()["data"]["count"], 1);
  list = cm({"playbook", "list", "--all", "--json"}).parsed()["data"];
  EXPECT_EQ(list["count"], 2);
  EXPECT_EQ(list["bullets"][1]["state"], "retired");
  EXPECT_EQ(list["bullets"][1]["retired_reason"], "removed");

  const json stats = cm({"stats", "--json"}).parsed()["data"];
  EXPECT_EQ(stats["active"], 1);
  EXPECT_EQ(stats["retired"], 1);
  EXPECT_EQ(stats["byKind"]["rule"], 1);
  EXPECT_EQ(stats["bySource"]["manual"], 1);
  EXPECT_EQ(stats["confidence"]["distribution"][4]["count"], 1);
  EXPECT_EQ(stats["staleRules"]["count"], 0);
  EXPECT_TRUE(stats["lastReflection"].is_null());
  EXPECT_NE(cm({"stats"}).out.find("Playbook: 1 active (1 rules, 0 anti-patterns), 1 retired"), std::string::npos);

  // Export and import into another store: the memory moves between machines.
  const CmRun exported = cm({"playbook", "export"});
  {
    std::ofstream f(dir_.path() + "/rules.json");
    f << exported.out;
  }
  const CmRun imported = cm({"--store", dir_.path() + "/other.db", "playbook", "import", dir_.path() + "/rules.json", "--json"}, false);
  ASSERT_EQ(imported.code, 0) << imported.out << imported.err;
  EXPECT_EQ(imported.parsed()["data"]["added"], 2);
  EXPECT_EQ(cm({"--store", dir_.path() + "/other.db", "playbook", "list", "--json", "--source", "import"}, false).parsed()["data"]["count"],
            2);
}

TEST_F(CmTest, MarkAndOutcomeMoveConfidenceAndBadIdsLoseNothing) {
  const std::string rule = add("Run the failing tests locally before pushing");
  const std::string other = add("Use JWT tokens with 15-minute expiration");
  CmRun r = cm({"mark", rule, "--helpful", "--json"});
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.parsed()["data"]["confidence_after"], 0.75);
  r = cm({"outcome", "failure", "--rules", rule + "," + other, "--stage", "test", "--failure-type", "test_failure", "--json"});
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.parsed()["data"]["policy"], "related");
  EXPECT_EQ(r.parsed()["data"]["applied"].size(), 1u);
  EXPECT_EQ(r.parsed()["data"]["applied"][0]["confidence_after"], 0.55);
  EXPECT_EQ(r.parsed()["data"]["unaffected"], json::array({other}));
  r = cm({"outcome", "success", "--rules", other});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find(other + " helpful x1.00: 0.700 -> 0.750"), std::string::npos) << r.out;

  // An unknown id among known ones: exit 2, the reason, and no feedback recorded at all.
  r = cm({"outcome", "success", "--rules", rule + ",b-000000", "--json"});
  EXPECT_EQ(r.code, 2);
  const json e = r.parsed();
  EXPECT_EQ(e["success"], false);
  EXPECT_EQ(keys(e["error"]), (std::vector<std::string>{"message", "code", "exitCode", "recovery"}));
  EXPECT_EQ(e["error"]["code"], "UNKNOWN_RULE");
  EXPECT_EQ(e["error"]["exitCode"], 2);
  EXPECT_NE(e["error"]["message"].get<std::string>().find("b-000000"), std::string::npos);
  const json list = cm({"playbook", "list", "--json"}).parsed()["data"]["bullets"];
  for (const auto& b : list) {
    if (b["id"] == rule) {
      EXPECT_EQ(b["confidence"], 0.55);
    }
  }
  r = cm({"mark", "b-000000", "--harmful"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("unknown rule id 'b-000000'"), std::string::npos) << r.err;
  EXPECT_EQ(cm({"mark", rule, "--json"}).code, 2);  // neither --helpful nor --harmful
  EXPECT_EQ(cm({"outcome", "maybe", "--rules", rule}).code, 2);
}

TEST_F(CmTest, TheSessionIsSpelledSessionIdAsInTheOtherFrontEnds) {
  const std::string rule = add("Run the failing tests locally before pushing");
  CmRun r = cm({"mark", rule, "--helpful", "--session-id", "ses-1", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.parsed()["data"]["skipped"], false);
  r = cm({"mark", rule, "--helpful", "--session", "ses-1", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.parsed()["data"]["skipped"], true);
  r = cm({"outcome", "success", "--rules", rule, "--session-id", "ses-1", "--json"});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(r.parsed()["data"]["applied"][0]["skipped"], true);
}

TEST_F(CmTest, BadInputGetsAClearErrorAndANonZeroExit) {
  CmRun r = cm({"context", "", "--json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.parsed()["error"]["code"], "EMPTY_TASK");
  r = cm({"context", "   "});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("cm: the task is empty"), std::string::npos) << r.err;
  r = cm({"frobnicate"});
  EXPECT_EQ(r.code, 2);
  r = cm({"context", "x", "--limit", "0", "--json"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.parsed()["error"]["code"], "INVALID_LIMIT");
  r = cm({"playbook", "import", dir_.path() + "/missing.json", "--json"});
  EXPECT_EQ(r.code, 4);
}

TEST_F(CmTest, ACorruptStoreIsAFilesystemErrorAndIsLeftAsItWas) {
  const std::string garbage(8192, 'x');
  {
    std::ofstream f(store(), std::ios::binary);
    f << garbage;
  }
  const CmRun r = cm({"context", "anything", "--json"});
  EXPECT_EQ(r.code, 4);
  const json e = r.parsed();
  EXPECT_EQ(e["error"]["code"], "STORE_CORRUPT");
  EXPECT_FALSE(e["error"]["recovery"].empty());
  std::ifstream f(store(), std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  EXPECT_EQ(s.str(), garbage);

  const CmRun doctor = cm({"doctor", "--json"});
  EXPECT_EQ(doctor.code, 4);
  const json report = doctor.parsed();
  EXPECT_EQ(report["success"], false);
  bool store_error = false;
  for (const auto& c : report["data"]["checks"]) store_error |= c["name"] == "store" && c["status"] == "error";
  EXPECT_TRUE(store_error) << doctor.out;
}

TEST_F(CmTest, ReflectLearnsFromTheStoreAndSaysWhat) {
  insert_tasks();
  CmRun r = cm({"reflect"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("Failure patterns (1):"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("test / test_failure: 4 failures, 0% resolved"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("+ rule b-"), std::string::npos) << r.out;
  r = cm({"reflect", "--json"});
  const json d = r.parsed()["data"];
  EXPECT_EQ(d["failure_patterns"][0]["occurrence_count"], 4);
  EXPECT_TRUE(d["rules_added"].empty());  // nothing new since the last run
  const json stats = cm({"stats", "--json"}).parsed()["data"];
  EXPECT_EQ(stats["reflectionRuns"], 2);
  // The failure pattern's rule, and an anti-pattern: the approach of those tasks succeeded 1
  // time in 5.
  EXPECT_EQ(stats["bySource"]["learning"], 2);
  EXPECT_EQ(stats["byKind"]["anti-pattern"], 1);
  EXPECT_EQ(cm({"patterns", "--json"}).parsed()["data"]["failure_patterns"].size(), 1u);
  // The learned rule answers "recent failures", as the specification's usage shows.
  EXPECT_EQ(cm({"context", "recent test failures", "--json"}).parsed()["data"]["relevantBullets"].size(), 1u);
}

TEST_F(CmTest, DoctorChecksTheStoreTheCollectorAndTheConfiguration) {
  add("Keep pull requests small");
  CmRun r = cm({"doctor", "--json"});
  EXPECT_EQ(r.code, 0) << r.out;
  const json d = r.parsed()["data"];
  std::map<std::string, std::string> status;
  for (const auto& c : d["checks"]) {
    status[c["name"]] = c["status"];
    if (c["status"] != "ok") {
      EXPECT_TRUE(c.contains("fix")) << c.dump();
    }
  }
  EXPECT_EQ(status["configuration"], "ok");
  EXPECT_EQ(status["store"], "ok");
  EXPECT_EQ(status["learning_schema"], "ok");
  EXPECT_EQ(status["fts5"], "ok");
  EXPECT_EQ(status["playbook"], "ok");
  EXPECT_EQ(status["reflection"], "warn");  // never ran
  EXPECT_TRUE(status.count("collector"));
  {
    std::ofstream config(dir_.path() + "/bad.yaml");
    config << "cass_memory:\n  reflectionInterval: soon\n";
  }
  r = cm({"--config", dir_.path() + "/bad.yaml", "doctor", "--json"});
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.parsed()["error"]["code"], "DOCTOR_FAILED");
  EXPECT_NE(r.parsed()["error"]["recovery"][0].get<std::string>().find("configuration"), std::string::npos);
  r = cm({"doctor"});
  EXPECT_NE(r.out.find("[ok]    store"), std::string::npos) << r.out;
}

// The set-up trap of docs/opencode.md: with a local plugin in ~/.config/opencode, opencode
// installs @opencode-ai/plugin there at every start and waits for it, unless npm has installed it
// (node_modules/ and a package-lock.json that names it: the files npm really wrote, from
// tests/data/opencode).
TEST_F(CmTest, DoctorNoticesOpencodeWouldInstallItsPluginPackageAtStart) {
  namespace fs = std::filesystem;
  const fs::path config = fs::path(dir_.path()) / "config" / "opencode";
  const auto opencode_check = [&]() {
    const CmRun r = cm({"doctor", "--json"});
    EXPECT_EQ(r.code, 0) << r.out;  // a warning, not an error
    const json report = r.parsed();
    for (const auto& c : report["data"]["checks"]) {
      if (c["name"] == "opencode") return c;
    }
    ADD_FAILURE() << "no opencode check: " << r.out;
    return json();
  };
  json check = opencode_check();
  EXPECT_EQ(check["status"], "ok");
  EXPECT_NE(check["message"].get<std::string>().find("no local opencode plugin"), std::string::npos) << check;

  fs::create_directories(config / "plugin");
  std::ofstream(config / "plugin" / "cass.js") << "export const CassPlugin = async () => ({});\n";
  check = opencode_check();
  EXPECT_EQ(check["status"], "warn");
  EXPECT_NE(check["message"].get<std::string>().find(config.string() + " (it has no node_modules)"), std::string::npos) << check;
  EXPECT_NE(check["message"].get<std::string>().find("plugin/cass.js"), std::string::npos) << check;
  EXPECT_EQ(check["fix"], "(cd " + config.string() + " && npm install @opencode-ai/plugin@$(opencode --version))");

  fs::create_directories(config / "node_modules" / "@opencode-ai" / "plugin");
  fs::copy_file(fs::path(AM_OPENCODE_DATA_DIR) / "config-dir" / "package.json", config / "package.json");
  fs::copy_file(fs::path(AM_OPENCODE_DATA_DIR) / "config-dir" / "package-lock.json", config / "package-lock.json");
  check = opencode_check();
  EXPECT_EQ(check["status"], "ok") << check;
  EXPECT_NE(check["message"].get<std::string>().find("@opencode-ai/plugin is installed in " + config.string()), std::string::npos) << check;

  // A dependency the lock file does not name: opencode installs again (and waits).
  std::ofstream(config / "package.json") << R"({"dependencies": {"@opencode-ai/plugin": "^1.18.33", "left-pad": "1.3.0"}})";
  check = opencode_check();
  EXPECT_EQ(check["status"], "warn");
  EXPECT_NE(check["message"].get<std::string>().find("its package-lock.json does not name left-pad"), std::string::npos) << check;
  // A lock file that is not JSON counts as none.
  std::ofstream(config / "package.json") << R"({"dependencies": {"@opencode-ai/plugin": "^1.18.33"}})";
  std::ofstream(config / "package-lock.json") << "{not json";
  check = opencode_check();
  EXPECT_EQ(check["status"], "warn");
  EXPECT_NE(check["message"].get<std::string>().find("it has no readable package-lock.json"), std::string::npos) << check;
}

// cm runs before every task an agent starts: it links no PostgreSQL, whose libpq and the two dozen
// libraries behind it took 12 ms of CPU at each start (docs/benchmarks.md); cm-team does.
TEST_F(CmTest, StartsWithoutLoadingPostgreSql) {
  const CmRun r = run_shell("LD_DEBUG=libs " + quote(AM_CM_BINARY) + " --version 2>&1");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("libc.so.6"), std::string::npos) << "the loader's trace is missing:\n" << r.out;
  EXPECT_EQ(r.out.find("libpq"), std::string::npos) << r.out;
}

// A configuration naming a team's PostgreSQL is cm-team's; a cm without it beside says so.
TEST_F(CmTest, ATeamStoreWithoutCmTeamBesideItIsAConfigurationError) {
  const std::string alone = dir_.path() + "/alone";
  std::filesystem::create_directories(alone);
  std::filesystem::copy_file(AM_CM_BINARY, alone + "/cm");
  std::ofstream(dir_.path() + "/team.yaml") << "store:\n  url: postgresql://127.0.0.1:1/team\n";
  const std::string cm_alone = "env -u AGENTMETRICS_STORE HOME=" + quote(dir_.path()) + " " + quote(alone + "/cm") + " --config " +
                               quote(dir_.path() + "/team.yaml");
  const CmRun r = run_shell(cm_alone + " stats --json 2>/dev/null");
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_EQ(r.parsed()["error"]["code"], "TEAM_STORE_UNAVAILABLE") << r.out;
  // --store names an embedded store: no hand-over, whatever store.url says.
  EXPECT_EQ(run_shell(cm_alone + " --store " + quote(store()) + " stats --json 2>/dev/null").code, 0);
}

// install claude-code opens no store: with a team store configured it is not handed over, and
// the hooks it writes run cm, whose start is the light one, not cm-team.
TEST_F(CmTest, InstallClaudeCodeWithATeamStoreWritesHooksThatRunCm) {
  const std::string programs = dir_.path() + "/programs", project = dir_.path() + "/project";
  std::filesystem::create_directories(programs);
  std::filesystem::create_directories(project);
  std::filesystem::copy_file(AM_CM_BINARY, programs + "/cm");
  std::filesystem::copy_file(std::filesystem::path(AM_CM_BINARY).parent_path() / "cm-team", programs + "/cm-team");
  std::ofstream(dir_.path() + "/team.yaml") << "store:\n  url: postgresql://127.0.0.1:1/team\n";
  const CmRun r = run_shell("env -u AGENTMETRICS_STORE HOME=" + quote(dir_.path()) + " " + quote(programs + "/cm") + " --config " +
                            quote(dir_.path() + "/team.yaml") + " install claude-code --project " + quote(project) + " --json 2>/dev/null");
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream in(project + "/.claude/settings.json");
  std::stringstream settings;
  settings << in.rdbuf();
  EXPECT_NE(settings.str().find(programs + "/cm --config"), std::string::npos) << settings.str();
  EXPECT_EQ(settings.str().find("cm-team"), std::string::npos) << settings.str();
}

}  // namespace
}  // namespace agentmetrics::learning
