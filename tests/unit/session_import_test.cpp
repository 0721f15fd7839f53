// The import of the sessions the real agents wrote (tests/data/agents: Claude Code 2.1.332,
// Codex 0.169.1 and opencode 1.18.33 against the fake model server), each checked against what
// the fake server saw and the client reported in that run (expected.json): tokens by type, the
// client's own cost, tool calls, API errors and the outcome.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "collector/intake/sessions/session_import.h"
#include "collector/store/sqlite_event_store.h"
#include "collector/store/sqlite_statement.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::intake {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

const std::string kData = AM_AGENT_DATA_DIR;

nlohmann::json read_json(const std::string& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// opencode's database as the run left it, from its dump.
std::string load_opencode_db(const std::string& scenario, const std::string& dir) {
  std::ifstream in(kData + "/opencode/" + scenario + "/opencode.sql");
  const std::string sql((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string path = dir + "/opencode.db";
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK) << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
  return path;
}

struct Imported {
  ImportReport report;
  std::vector<ipc::OutcomeEvent> events;
};

// Imports one scenario of one client into a fresh store and reads back its task events.
Imported import_scenario(const std::string& client, const std::string& scenario, const TempDir& dir,
                         PriceTable prices = PriceTable::shipped()) {
  ImportOptions options;
  options.prices = std::move(prices);
  const std::string home = kData + "/" + client + "/" + scenario + "/home";
  if (client == "claude") {
    options.agents = {SessionAgent::kClaudeCode};
    options.paths[SessionAgent::kClaudeCode] = home + "/.claude";
  } else if (client == "codex") {
    options.agents = {SessionAgent::kCodex};
    options.paths[SessionAgent::kCodex] = home + "/.codex";
  } else {
    options.agents = {SessionAgent::kOpencode};
    options.paths[SessionAgent::kOpencode] = load_opencode_db(scenario, dir.path());
  }
  auto store = store::SqliteEventStore::open(dir.path() + "/events.db", store::SqliteEventStore::Mode::kReadWrite);
  Imported out;
  out.report = SessionImporter(store.get(), options).run();
  store::SqliteStatement st(store->handle(), "SELECT time, fields FROM events WHERE kind = 'task'");
  while (st.step()) {
    ipc::OutcomeEvent e;
    e.time = st.column_double(0);
    const nlohmann::json fields = nlohmann::json::parse(st.column_text(1));
    for (const auto& [k, v] : fields.items()) {
      if (v.is_string()) e.fields[k] = v.get<std::string>();
      if (v.is_number()) e.fields[k] = v.get<double>();
      if (v.is_boolean()) e.fields[k] = v.get<bool>();
    }
    out.events.push_back(std::move(e));
  }
  return out;
}

double number(const ipc::OutcomeEvent& e, const char* field) { return e.number(field).value_or(0); }
std::string text(const ipc::OutcomeEvent& e, const char* field) { return e.text(field) ? *e.text(field) : ""; }

// Tokens the fake server reported for the turns (opencode's title request is in no session).
struct Tokens {
  double input, output, cache_read, cache_write;
};
Tokens turn_tokens(const nlohmann::json& expected) {
  const auto& totals = expected["totals"];
  const auto& t = totals.contains("tokens_reported_by_kind") ? totals["tokens_reported_by_kind"]["turn"] : totals["tokens_reported"];
  return {t["input"].get<double>(), t["output"].get<double>(), t["cache_read"].get<double>(), t["cache_write"].get<double>()};
}

double tools_called(const nlohmann::json& expected) {
  double n = 0;
  for (const auto& [tool, calls] : expected["totals"]["tools_called"].items()) n += calls.get<double>();
  return n;
}

void expect_tokens(const ipc::OutcomeEvent& e, const Tokens& t) {
  EXPECT_EQ(number(e, "tokens_input"), t.input);
  EXPECT_EQ(number(e, "tokens_output"), t.output);
  EXPECT_EQ(number(e, "tokens_cache_read"), t.cache_read);
  EXPECT_EQ(number(e, "tokens_cache_creation"), t.cache_write);
}

struct Outcome {
  std::string client, scenario;
  bool success;
  std::string failure_type;
  double api_errors;  // failed requests the files show (retries a client hides are not there)
  std::string approach;
};

class RealTranscripts : public ::testing::TestWithParam<Outcome> {};

TEST_P(RealTranscripts, ImportAsTheRunWent) {
  const Outcome& o = GetParam();
  TempDir dir;
  const nlohmann::json expected = read_json(kData + "/" + o.client + "/" + o.scenario + "/expected.json");
  PriceTable prices = PriceTable::shipped();
  prices.set("gpt-5.5", {1.25, 10, 0.125, 0});  // Codex's model, at gpt-5's price: Codex reports no cost
  const Imported got = import_scenario(o.client, o.scenario, dir, prices);
  ASSERT_EQ(got.events.size(), 1u) << got.report.summary();
  const ipc::OutcomeEvent& e = got.events.front();
  EXPECT_EQ(got.report.problem_total(), 0u) << got.report.summary();

  const Tokens t = turn_tokens(expected);
  expect_tokens(e, t);
  EXPECT_EQ(number(e, "tool_calls"), tools_called(expected));
  EXPECT_EQ(number(e, "api_errors"), o.api_errors);
  EXPECT_EQ(e.flag("success"), o.success);
  EXPECT_EQ(text(e, "failure_type"), o.failure_type);
  EXPECT_EQ(text(e, "approach"), o.approach);
  EXPECT_EQ(text(e, "origin"), "import");
  EXPECT_EQ(text(e, "task_type"), "session");
  EXPECT_EQ(text(e, "project"), "project");
  // The run's own session id, kept as a digest only.
  const std::string session = expected["runs"][0]["session_id"].get<std::string>();
  const std::string agent = o.client == "claude" ? "claude_code" : o.client;
  EXPECT_EQ(text(e, "agent_type"), agent);
  EXPECT_EQ(text(e, "session_id").find(session), std::string::npos);

  // Cost: the client's own figure where it has one, else the price table's.
  const auto cost = e.number("cost_usd");
  if (o.client == "claude") {
    // Claude Code's cumulative figure, resumes included: what its last run printed.
    ASSERT_TRUE(cost);
    EXPECT_NEAR(*cost, expected["client_reported"].back()["total_cost_usd"].get<double>(), 1e-12);
  } else if (o.client == "opencode") {
    // opencode priced every step at the scenario's model price (3, 15, 0.3, 3.75 USD per million).
    const double priced = (t.input * 3 + t.output * 15 + t.cache_read * 0.3 + t.cache_write * 3.75) / 1e6;
    if (priced > 0) {
      ASSERT_TRUE(cost);
      EXPECT_NEAR(*cost, priced, 1e-12);
    }
  } else {
    const double priced = (t.input * 1.25 + t.output * 10 + t.cache_read * 0.125) / 1e6;
    if (priced > 0) {
      ASSERT_TRUE(cost);
      EXPECT_NEAR(*cost, priced, 1e-12);
    }
  }
  // The report adds up the same.
  const AgentImport& a = got.report.agents().at(agent);
  EXPECT_EQ(a.sessions_new, 1u);
  EXPECT_EQ(a.tokens.total(), t.input + t.output + t.cache_read + t.cache_write);
}

INSTANTIATE_TEST_SUITE_P(
    Agents, RealTranscripts,
    ::testing::Values(Outcome{"claude", "plain", true, "", 0, "answer"}, Outcome{"claude", "tool-chain", true, "", 0, "edit"},
                      Outcome{"claude", "denied-tool", true, "", 0, "shell"}, Outcome{"claude", "subagent", true, "", 0, "delegated"},
                      Outcome{"claude", "resume", true, "", 0, "answer"}, Outcome{"claude", "hooks", true, "", 0, "shell"},
                      // The 400 was sent three times (Claude Code retries it twice, changing the
                      // request); the transcript has one failure.
                      Outcome{"claude", "api-error-4xx", false, "api_error_400", 1, "answer"},
                      Outcome{"claude", "api-error-5xx", false, "api_error_500", 2, "answer"},
                      Outcome{"claude", "api-error-5xx-retried", true, "", 1, "answer"}, Outcome{"codex", "plain", true, "", 0, "answer"},
                      Outcome{"codex", "tool-chain", true, "", 0, "edit"}, Outcome{"codex", "denied-tool", true, "", 0, "shell"},
                      Outcome{"codex", "resume", true, "", 0, "answer"},
                      // Codex retried the 500 four times and writes the failed turn once.
                      Outcome{"codex", "api-error-4xx", false, "api_error_other", 1, "answer"},
                      Outcome{"codex", "api-error-5xx", false, "api_error_internal_server_error", 1, "answer"},
                      Outcome{"opencode", "plain", true, "", 0, "answer"}, Outcome{"opencode", "tool-chain", true, "", 0, "edit"},
                      Outcome{"opencode", "denied-tool", true, "", 0, "shell"}, Outcome{"opencode", "resume", true, "", 0, "answer"},
                      Outcome{"opencode", "subagent", true, "", 0, "delegated"}, Outcome{"opencode", "tool-error", true, "", 0, "explore"},
                      // opencode retried the 500 itself (six requests); the message has the last.
                      Outcome{"opencode", "api-error-4xx", false, "api_error_400", 1, "answer"},
                      Outcome{"opencode", "api-error-5xx", false, "api_error_500", 1, "answer"}),
    [](const ::testing::TestParamInfo<Outcome>& param) {
      std::string name = param.param.client + "_" + param.param.scenario;
      for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
      return name;
    });

TEST(RealTranscripts, ToolErrorsRejectionsAndEditsAreCounted) {
  TempDir a, b, c, d;
  // Claude Code: the Bash call refused by its permission rules is a rejection, not an error.
  const auto denied = import_scenario("claude", "denied-tool", a).events.front();
  EXPECT_EQ(number(denied, "tool_errors"), 0);
  EXPECT_EQ(denied.flag("human_intervention"), true);
  EXPECT_EQ(text(denied, "intervention_reason"), "tool_rejected");
  // opencode: the read of a missing file is a tool error.
  const auto failed = import_scenario("opencode", "tool-error", b).events.front();
  EXPECT_EQ(number(failed, "tool_errors"), 1);
  EXPECT_FALSE(failed.flag("human_intervention"));
  // The written file is an accepted edit of one line, in each agent.
  for (const auto& [client, dir] : {std::pair<std::string, TempDir*>{"claude", &c}, {"opencode", &d}}) {
    const auto edit = import_scenario(client, "tool-chain", *dir).events.front();
    EXPECT_EQ(number(edit, "edits_accepted"), 1) << client;
    EXPECT_EQ(number(edit, "ai_lines_generated"), 1) << client;
    EXPECT_EQ(number(edit, "ai_lines_accepted"), 1) << client;
  }
}

TEST(RealTranscripts, TitlesSnippetsAndPromptsComeFromTheSession) {
  TempDir dir;
  const auto e = import_scenario("claude", "resume", dir).events.front();
  EXPECT_EQ(text(e, "title"), "Remember that the colour is blue.");
  EXPECT_EQ(text(e, "snippet"), "You said blue.");
  EXPECT_EQ(number(e, "prompts_sent"), 2);
  EXPECT_EQ(number(e, "prompts_useful"), 2);
  EXPECT_EQ(text(e, "model"), "claude-sonnet-4-5-20250929");
  // The task spans the two runs.
  EXPECT_GT(number(e, "duration_seconds"), 0.5);
}

TEST(RealTranscripts, CodexWithoutAPriceHasNoCostAndSaysWhichModel) {
  TempDir dir;
  const Imported got = import_scenario("codex", "plain", dir);
  EXPECT_FALSE(got.events.front().number("cost_usd"));
  EXPECT_EQ(got.report.agents().at("codex").unpriced_models, std::set<std::string>{"gpt-5.5"});
}

// opencode before its database (1.1.65, the last such version): the same records as JSON files.
TEST(RealTranscripts, OpencodesOlderJsonFilesImportAsItsDatabaseDoes) {
  for (const std::string scenario : {"subagent", "denied-tool"}) {
    TempDir dir;
    const nlohmann::json expected = read_json(kData + "/opencode-1.1/" + scenario + "/expected.json");
    ASSERT_EQ(expected["client_version"], "1.1.65");
    ImportOptions options;
    options.agents = {SessionAgent::kOpencode};
    options.paths[SessionAgent::kOpencode] = kData + "/opencode-1.1/" + scenario + "/home/.local/share/opencode";
    auto store = store::SqliteEventStore::open(dir.path() + "/events.db", store::SqliteEventStore::Mode::kReadWrite);
    const ImportReport report = SessionImporter(store.get(), options).run();
    EXPECT_EQ(report.problem_total(), 0u) << report.summary();
    store::SqliteStatement st(store->handle(), "SELECT fields FROM events");
    ASSERT_TRUE(st.step()) << report.summary();
    const nlohmann::json task = nlohmann::json::parse(st.column_text(0));
    EXPECT_FALSE(st.step()) << "one task for the session and its subagent's";
    const Tokens t = turn_tokens(expected);
    EXPECT_EQ(task["tokens_input"], t.input) << scenario;
    EXPECT_EQ(task["tokens_output"], t.output) << scenario;
    EXPECT_EQ(task["tokens_cache_read"], t.cache_read) << scenario;
    EXPECT_EQ(task["tool_calls"], tools_called(expected)) << scenario;
    EXPECT_NEAR(task["cost_usd"].get<double>(), (t.input * 3 + t.output * 15 + t.cache_read * 0.3) / 1e6, 1e-12) << scenario;
    EXPECT_EQ(task["success"], true);
    if (scenario == "denied-tool") {
      EXPECT_EQ(task["intervention_reason"], "tool_rejected");
    }
  }
}

TEST(RealTranscripts, NoTextKeptWhenNoneIsAllowed) {
  TempDir dir;
  ImportOptions options;
  options.agents = {SessionAgent::kClaudeCode};
  options.paths[SessionAgent::kClaudeCode] = kData + "/claude/tool-chain/home/.claude";
  options.privacy.max_text_bytes = 0;
  auto store = store::SqliteEventStore::open(dir.path() + "/events.db", store::SqliteEventStore::Mode::kReadWrite);
  SessionImporter(store.get(), options).run();
  // Neither the event nor the import's own marks hold any of the prompt or the answer.
  for (const char* sql : {"SELECT fields FROM events", "SELECT state FROM import_files"}) {
    store::SqliteStatement st(store->handle(), sql);
    ASSERT_TRUE(st.step());
    const std::string stored = st.column_text(0);
    EXPECT_EQ(stored.find("hello.txt"), std::string::npos) << stored;
    EXPECT_EQ(stored.find("0e99a893"), std::string::npos) << stored;
  }
}

}  // namespace
}  // namespace agentmetrics::intake
