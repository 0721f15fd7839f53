// The session import on files as they really are met: written while they are read, grown
// after an import, cut off mid-line, broken, enormous, not UTF-8, removed, an opencode
// database locked or corrupt. Built from the real agents' files (tests/data/agents).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "collector/intake/sessions/jsonl_file.h"
#include "collector/intake/sessions/session_import.h"
#include "collector/store/sqlite_event_store.h"
#include "collector/store/sqlite_statement.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::intake {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

const std::string kData = AM_AGENT_DATA_DIR;
const std::string kToolChain = kData + "/claude/tool-chain/home/.claude/projects/-tmp-am-agents-claude-tool-chain-project";
const std::string kToolChainId = "0e99a893-c444-4c7b-8eec-d3ef3c1fec2b";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line + "\n");
  return lines;
}

void append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << text;
}

struct Store {
  explicit Store(const TempDir& dir)
      : store(store::SqliteEventStore::open(dir.path() + "/events.db", store::SqliteEventStore::Mode::kReadWrite)) {}
  std::vector<nlohmann::json> tasks() const {
    std::vector<nlohmann::json> out;
    store::SqliteStatement st(store->handle(), "SELECT fields FROM events WHERE kind = 'task' ORDER BY id");
    while (st.step()) out.push_back(nlohmann::json::parse(st.column_text(0)));
    return out;
  }
  std::unique_ptr<store::SqliteEventStore> store;
};

ImportOptions claude_at(const std::string& config_dir) {
  ImportOptions options;
  options.agents = {SessionAgent::kClaudeCode};
  options.paths[SessionAgent::kClaudeCode] = config_dir;
  return options;
}

// A Claude Code projects tree in `dir` with one project directory; returns that directory.
std::string projects(const TempDir& dir) {
  std::string project = dir.path() + "/claude/projects/-work-app";
  fs::create_directories(project);
  return project;
}

TEST(SessionImportInput, ASessionReadWhileItIsWrittenIsUpdatedNotDuplicated) {
  TempDir dir, whole_dir;
  const std::string project = projects(dir);
  const std::string file = project + "/" + kToolChainId + ".jsonl";
  const auto lines = lines_of(kToolChain + "/" + kToolChainId + ".jsonl");
  Store store(dir);
  SessionImporter importer(store.store.get(), claude_at(dir.path() + "/claude"));
  std::size_t new_sessions = 0, updates = 0;
  // Line by line, each cut in two: half a line is never read, the whole line is read once.
  for (const auto& line : lines) {
    append(file, line.substr(0, line.size() / 2));
    const ImportReport half = importer.run();
    append(file, line.substr(line.size() / 2));
    const ImportReport full = importer.run();
    for (const auto* r : {&half, &full}) {
      EXPECT_EQ(r->problem_total(), 0u) << r->summary();
      new_sessions += r->agents().at("claude_code").sessions_new;
      updates += r->agents().at("claude_code").sessions_updated;
    }
  }
  EXPECT_EQ(new_sessions, 1u);
  EXPECT_GT(updates, 3u);
  const auto tasks = store.tasks();
  ASSERT_EQ(tasks.size(), 1u);
  // The same as the file imported at once.
  fs::create_directories(whole_dir.path() + "/claude/projects/-work-app");
  fs::copy_file(file, whole_dir.path() + "/claude/projects/-work-app/" + kToolChainId + ".jsonl");
  Store whole(whole_dir);
  SessionImporter(whole.store.get(), claude_at(whole_dir.path() + "/claude")).run();
  EXPECT_EQ(tasks.front(), whole.tasks().front());
  EXPECT_EQ(tasks.front()["tokens_input"], 2520);
  EXPECT_EQ(tasks.front()["cost_usd"], 0.0188925);
  // Nothing new: nothing read.
  const ImportReport again = importer.run();
  EXPECT_EQ(again.agents().at("claude_code").files_read, 0u);
  EXPECT_EQ(again.agents().at("claude_code").files_unchanged, 1u);
}

TEST(SessionImportInput, AResumedCodexThreadAndASubagentAreOneSessionEach) {
  TempDir dir;
  Store store(dir);
  // Codex: the resumed rollout, its second run appended after the first was imported.
  const std::string day = dir.path() + "/codex/sessions/2026/12/06";
  fs::create_directories(day);
  const std::string rollout = "rollout-2026-12-06T11-27-25-01a24b1b-d7dc-7641-82f0-d1223d3d557c.jsonl";
  const auto lines = lines_of(kData + "/codex/resume/home/.codex/sessions/2026/12/06/" + rollout);
  std::size_t first_run = 0;
  while (first_run < lines.size() && lines[first_run].find("\"task_complete\"") == std::string::npos) ++first_run;
  for (std::size_t i = 0; i <= first_run; ++i) append(day + "/" + rollout, lines[i]);
  ImportOptions options;
  options.agents = {SessionAgent::kCodex};
  options.paths[SessionAgent::kCodex] = dir.path() + "/codex";
  SessionImporter importer(store.store.get(), options);
  importer.run();
  EXPECT_EQ(store.tasks().front()["prompts_sent"], 1);
  for (std::size_t i = first_run + 1; i < lines.size(); ++i) append(day + "/" + rollout, lines[i]);
  importer.run();
  const auto tasks = store.tasks();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks.front()["prompts_sent"], 2);
  EXPECT_EQ(tasks.front()["tokens_input"], 1420);  // 7820 - 6400 cached, the thread's total after the resume
  EXPECT_EQ(tasks.front()["tokens_cache_read"], 6400);

  // A subagent thread of it (the recorded tool chain's rollout made one: its session_meta names
  // the parent), written in two parts: read on from its mark, it is still the parent's.
  auto sub = lines_of(kData +
                      "/codex/tool-chain/home/.codex/sessions/2026/12/06/"
                      "rollout-2026-12-06T11-27-29-01a24b1b-e780-7833-8a77-cf239608f41e.jsonl");
  nlohmann::json meta = nlohmann::json::parse(sub[0]);
  ASSERT_EQ(meta["type"], "session_meta");
  meta["payload"]["parent_thread_id"] = "01a24b1b-d7dc-7641-82f0-d1223d3d557c";
  sub[0] = meta.dump() + "\n";
  const std::string sub_file = day + "/rollout-2026-12-06T11-27-29-01a24b1b-e780-7833-8a77-cf239608f41e.jsonl";
  for (std::size_t i = 0; i < sub.size() / 2; ++i) append(sub_file, sub[i]);
  importer.run();
  for (std::size_t i = sub.size() / 2; i < sub.size(); ++i) append(sub_file, sub[i]);
  const ImportReport last = importer.run();
  EXPECT_EQ(last.problem_total(), 0u) << last.summary();
  const auto with_sub = store.tasks();
  ASSERT_EQ(with_sub.size(), 1u) << "the subagent read on from its mark was taken for a thread of its own";
  EXPECT_EQ(with_sub.front()["tokens_input"], 1420 + 2550);
  EXPECT_EQ(with_sub.front()["tokens_cache_read"], 6400 + 22400);
}

TEST(SessionImportInput, BrokenLinesAreSkippedAndCountedByFileAndLine) {
  TempDir dir;
  const std::string project = projects(dir);
  const auto real = lines_of(kToolChain + "/" + kToolChainId + ".jsonl");
  const std::string file = project + "/" + kToolChainId + ".jsonl";
  std::vector<std::string> lines = real;
  // Line numbers below are 1-based, after the insertions.
  lines.insert(lines.begin() + 3, "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"cut\n");  // 4: invalid JSON
  lines.insert(lines.begin() + 4, "{\"type\":\"hologram\",\"sessionId\":\"" + kToolChainId + "\"}\n");       // 5: unknown type
  lines.insert(lines.begin() + 5, "[1,2,3]\n");                                                              // 6: not an object
  // 7: a tool result of 10 MB on one line (a real result line, its content made huge).
  nlohmann::json huge = nlohmann::json::parse(real[26]);
  ASSERT_EQ(huge["type"], "user");
  huge["message"]["content"][0]["content"] = std::string(10 << 20, 'x');
  lines.insert(lines.begin() + 6, huge.dump() + "\n");
  // The final answer's text with bytes that are not UTF-8: the line still counts.
  std::string last = real[30];
  ASSERT_NE(last.find("hello.txt has 26 bytes."), std::string::npos);
  last.replace(last.find("hello.txt has"), 5, "\xff\xfe\xc3(o");
  lines[30 + 4] = last;
  for (const auto& l : lines) append(file, l);
  append(file, "{\"type\":\"assistant\",\"message\":{\"id\":\"msg_half");  // being written

  Store store(dir);
  ImportOptions options = claude_at(dir.path() + "/claude");
  const ImportReport report = SessionImporter(store.store.get(), options).run();
  const auto& kinds = report.problem_counts();
  EXPECT_EQ(kinds.at("invalid_json"), 1u);
  EXPECT_EQ(kinds.at("unknown_record"), 1u);
  EXPECT_EQ(kinds.at("not_an_object"), 1u);
  EXPECT_EQ(kinds.at("invalid_utf8"), 1u);
  EXPECT_EQ(report.problem_total(), 4u) << report.summary();
  std::map<std::string, std::uint64_t> where;
  for (const auto& p : report.problems()) {
    EXPECT_EQ(p.file, file);
    where[p.kind] = p.line;
  }
  EXPECT_EQ(where["invalid_json"], 4u);
  EXPECT_EQ(where["unknown_record"], 5u);
  EXPECT_EQ(where["not_an_object"], 6u);
  EXPECT_EQ(where["invalid_utf8"], 35u);
  // Everything else counted: the tokens are the run's (the huge line was read, and changed
  // nothing: its call is not the session's).
  const auto tasks = store.tasks();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks.front()["tokens_input"], 2520);
  EXPECT_EQ(tasks.front()["tool_calls"], 2);
  EXPECT_EQ(tasks.front()["success"], true);
  EXPECT_NE(tasks.front()["snippet"].get<std::string>().find("\xef\xbf\xbd"), std::string::npos);

  // A bound below the huge line: skipped to its newline, said where, and the rest still read.
  TempDir small_dir;
  const std::string small_project = projects(small_dir);
  fs::copy_file(file, small_project + "/" + kToolChainId + ".jsonl");
  Store small(small_dir);
  options = claude_at(small_dir.path() + "/claude");
  options.max_line_bytes = 1 << 20;
  const ImportReport bounded = SessionImporter(small.store.get(), options).run();
  EXPECT_EQ(bounded.problem_counts().at("line_too_long"), 1u);
  for (const auto& p : bounded.problems()) {
    if (p.kind == "line_too_long") {
      EXPECT_EQ(p.line, 7u);
    }
  }
  EXPECT_EQ(small.tasks().front()["tokens_input"], 2520);
  // The half-written line was left: once finished, it is read (and counted once).
  append(file,
         "\",\"model\":\"claude-sonnet-4-5-20250929\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1}},\"requestId\":\"r9\","
         "\"timestamp\":\"2026-12-06T11:31:00Z\"}\n");
  SessionImporter(store.store.get(), claude_at(dir.path() + "/claude")).run();
  EXPECT_EQ(store.tasks().front()["tokens_input"], 2525);
}

TEST(SessionImportInput, AFileThatCannotBeReadLeavesItsSessionAsItWas) {
  TempDir dir;
  const std::string project = projects(dir);
  const std::string main_file = project + "/" + kToolChainId + ".jsonl";
  fs::copy_file(kToolChain + "/" + kToolChainId + ".jsonl", main_file);
  Store store(dir);
  SessionImporter importer(store.store.get(), claude_at(dir.path() + "/claude"));
  importer.run();
  const auto before = store.tasks();
  ASSERT_EQ(before.size(), 1u);
  // The main file grows (a second prompt), and a subagent file of the session is named that
  // cannot be read (removed between the listing and the read): no half session is stored.
  append(
      main_file,
      lines_of(kData +
               "/claude/resume/home/.claude/projects/-tmp-am-agents-claude-resume-project/b8063690-c98c-4672-b8eb-0477d7b2bade.jsonl")[19]);
  const auto info = file_info(main_file);
  ASSERT_TRUE(info);
  const SessionFile grown{main_file, SessionAgent::kClaudeCode, kToolChainId, "main", *info};
  const SessionFile gone{
      project + "/" + kToolChainId + "/subagents/agent-a1.jsonl", SessionAgent::kClaudeCode, kToolChainId, "agent-a1", {}};
  const ImportReport report = importer.run({grown, gone}, false);
  EXPECT_EQ(report.problem_counts().at("unreadable"), 1u) << report.summary();
  EXPECT_EQ(store.tasks(), before);
  // The next pass takes the change.
  importer.run();
  EXPECT_EQ(store.tasks().front()["prompts_sent"], 2);
}

TEST(SessionImportInput, AFileRemovedWhileItIsReadIsReadToItsEndOrReported) {
  TempDir dir;
  const std::string path = dir.path() + "/a.jsonl";
  fs::copy_file(kToolChain + "/" + kToolChainId + ".jsonl", path);
  // Removed after it was opened: the open file is read to its end.
  JsonlFile file(path, 0, 0, 1 << 20);
  fs::remove(path);
  std::string line;
  std::size_t lines = 0;
  while (file.next(line) == JsonlFile::Read::kLine) ++lines;
  EXPECT_EQ(lines, lines_of(kToolChain + "/" + kToolChainId + ".jsonl").size());
  // Removed between the listing and the read: reported, nothing stored, nothing thrown.
  Store store(dir);
  SessionImporter importer(store.store.get(), claude_at(dir.path() + "/claude"));
  SessionFile gone{
      dir.path() + "/claude/projects/-work-app/" + kToolChainId + ".jsonl", SessionAgent::kClaudeCode, kToolChainId, "main", {}};
  const ImportReport report = importer.run({gone}, false);
  EXPECT_EQ(report.problem_counts().at("unreadable"), 1u);
  EXPECT_TRUE(store.tasks().empty());
}

// opencode's database as a run left it, in `dir`.
std::string opencode_db(const std::string& scenario, const std::string& dir) {
  const std::string sql = read_file(kData + "/opencode/" + scenario + "/opencode.sql");
  std::string path = dir + "/opencode.db";
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  return path;
}

TEST(SessionImportInput, ALockedOpencodeDatabaseIsLeftForTheNextPassAndACorruptOneReported) {
  TempDir dir, store_dir;
  const std::string path = opencode_db("tool-chain", dir.path());
  Store store(store_dir);
  ImportOptions options;
  options.agents = {SessionAgent::kOpencode};
  options.paths[SessionAgent::kOpencode] = path;
  options.database_wait = std::chrono::milliseconds(50);
  // Another process holds it exclusively (a rollback-journal database being written).
  sqlite3* writer = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &writer), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(writer, "PRAGMA journal_mode=DELETE; BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
  SessionImporter importer(store.store.get(), options);
  const ImportReport locked = importer.run();
  EXPECT_EQ(locked.problem_counts().at("locked"), 1u) << locked.summary();
  EXPECT_TRUE(store.tasks().empty());
  sqlite3_exec(writer, "COMMIT", nullptr, nullptr, nullptr);
  sqlite3_close(writer);
  const ImportReport free = importer.run();
  EXPECT_EQ(free.problem_total(), 0u) << free.summary();
  ASSERT_EQ(store.tasks().size(), 1u);
  EXPECT_EQ(store.tasks().front()["tool_calls"], 2);
  // Unchanged: not read again.
  EXPECT_EQ(importer.run().agents().at("opencode").files_unchanged, 1u);
  // Not a database at all.
  std::ofstream(path, std::ios::trunc) << std::string(4096, 'x');
  const ImportReport corrupt = importer.run();
  EXPECT_EQ(corrupt.problem_counts().at("unreadable_database"), 1u) << corrupt.summary();
  EXPECT_EQ(store.tasks().size(), 1u);
}

TEST(SessionImportInput, ADryRunStoresNothing) {
  TempDir dir;
  const std::string project = projects(dir);
  fs::copy_file(kToolChain + "/" + kToolChainId + ".jsonl", project + "/" + kToolChainId + ".jsonl");
  Store store(dir);
  ImportOptions options = claude_at(dir.path() + "/claude");
  options.dry_run = true;
  const ImportReport report = SessionImporter(store.store.get(), options).run();
  EXPECT_TRUE(report.dry_run);
  EXPECT_EQ(report.agents().at("claude_code").sessions_new, 1u);
  EXPECT_EQ(report.agents().at("claude_code").tokens.input, 2520);
  EXPECT_TRUE(store.tasks().empty());
  // And no marks either: a real run after it reads everything.
  options.dry_run = false;
  EXPECT_EQ(SessionImporter(store.store.get(), options).run().agents().at("claude_code").sessions_new, 1u);
}

}  // namespace
}  // namespace agentmetrics::intake
