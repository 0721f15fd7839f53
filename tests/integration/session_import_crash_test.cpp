// Exactly once across crashes: `agentmetrics import` killed with SIGKILL again and again over a
// corpus of the real agents' files (copied under new session ids), then run to its end, must
// leave the store as one uninterrupted import leaves it: each session once, as its whole files
// make it, with the same marks. And a second run over a store that is complete reads nothing.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace agentmetrics::testing;
namespace fs = std::filesystem;

namespace {

const std::string kData = AM_AGENT_DATA_DIR;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
  return text;
}

// `id` with its last 12 characters made unique by `n`.
std::string variant(const std::string& id, int n) {
  char tail[16];
  std::snprintf(tail, sizeof tail, "%012d", n);
  return id.substr(0, id.size() - 12) + tail;
}

// The recorded Claude Code sessions and Codex rollouts, `copies` times each under new ids.
void make_corpus(const std::string& dir, int copies) {
  int n = 0;
  for (const auto& scenario : fs::directory_iterator(kData + "/claude")) {
    const fs::path projects = scenario.path() / "home/.claude/projects";
    if (!fs::exists(projects)) continue;
    for (const auto& project : fs::directory_iterator(projects)) {
      for (const auto& f : fs::directory_iterator(project.path())) {
        if (f.path().extension() != ".jsonl") continue;
        const std::string id = f.path().stem().string();
        const std::string text = read_file(f.path().string());
        const fs::path subagents = project.path() / id / "subagents";
        for (int c = 0; c < copies; ++c) {
          const std::string copy = variant(id, ++n);
          const fs::path target = fs::path(dir) / "claude/projects" / ("-work-" + std::to_string(c % 7));
          fs::create_directories(target);
          std::ofstream(target / (copy + ".jsonl")) << replace_all(text, id, copy);
          if (!fs::exists(subagents)) continue;
          fs::create_directories(target / copy / "subagents");
          for (const auto& s : fs::directory_iterator(subagents))
            std::ofstream(target / copy / "subagents" / s.path().filename()) << replace_all(read_file(s.path().string()), id, copy);
        }
      }
    }
  }
  for (const auto& scenario : fs::directory_iterator(kData + "/codex")) {
    for (const auto& f : fs::recursive_directory_iterator(scenario.path() / "home/.codex/sessions")) {
      if (f.path().extension() != ".jsonl") continue;
      const std::string name = f.path().stem().string();
      const std::string id = name.substr(name.size() - 36);
      const std::string text = read_file(f.path().string());
      for (int c = 0; c < copies; ++c) {
        const std::string copy = variant(id, ++n);
        const fs::path day = fs::path(dir) / "codex/sessions/2026/12" / std::to_string(1 + c % 28);
        fs::create_directories(day);
        std::ofstream(day / (replace_all(name, id, copy) + ".jsonl")) << replace_all(text, id, copy);
      }
    }
  }
}

// Every task's fields and every mark, as text, in a fixed order.
std::vector<std::string> contents(const std::string& store) {
  std::vector<std::string> rows;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(store.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return rows;
  for (const char* sql :
       {"SELECT producer_id || ' ' || sequence || ' ' || time || ' ' || fields FROM events ORDER BY producer_id",
        "SELECT file || ' ' || session || ' ' || offset || ' ' || line || ' ' || state FROM import_files ORDER BY file"}) {
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &st, nullptr);
    while (sqlite3_step(st) == SQLITE_ROW) rows.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return rows;
}

std::vector<std::string> import_args(const std::string& corpus, const std::string& store, const std::string& agent, int threads) {
  return {
      kAgentmetricsCliBinary, "import", agent, "--path", corpus + (agent == "codex" ? "/codex" : "/claude"), "--store", store, "--threads",
      std::to_string(threads)};
}

// A whole import's limit: generous, since a sanitizer's build on a busy machine is slow.
constexpr std::chrono::seconds kImportLimit{300};

TEST(SessionImportCrash, AnImportKilledAtAnyMomentEndsAsOneUninterruptedImport) {
  TempDir dir;
  const std::string corpus = dir.path() + "/corpus";
  // Under a sanitizer an import is ten to thirty times slower: a quarter of the copies.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  constexpr int kCopies = 30;
#else
  constexpr int kCopies = 120;
#endif
  make_corpus(corpus, kCopies);
  const std::map<std::string, std::string> env = {{"AGENTMETRICS_CONFIG", ""}, {"XDG_CONFIG_HOME", "/nonexistent/agentmetrics-test"}};

  // The reference: one import, never interrupted, timed per agent with one reader.
  fs::create_directories(dir.path() + "/reference");
  const std::string reference = dir.path() + "/reference/events.db";
  std::map<std::string, std::chrono::milliseconds> duration;
  for (const std::string agent : {"claude-code", "codex"}) {
    const auto start = std::chrono::steady_clock::now();
    const CommandResult r = run_command(import_args(corpus, reference, agent, 1), env, kImportLimit);
    ASSERT_EQ(r.code, 0) << r.output;
    duration[agent] = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  }
  const auto expected = contents(reference);
  std::printf("reference import of %zu rows (claude-code %lld ms, codex %lld ms)\n", expected.size(),
              static_cast<long long>(duration["claude-code"].count()), static_cast<long long>(duration["codex"].count()));
  ASSERT_GT(expected.size(), 25u * kCopies);

  // The same import, killed at random moments, then run to its end. Each agent's kill moments
  // add up to less than its uninterrupted import took, so however fast this machine is, every
  // round is killed before the import is complete: at a random point of some batch.
  fs::create_directories(dir.path() + "/killed");
  const std::string killed = dir.path() + "/killed/events.db";
  std::mt19937 rng(static_cast<unsigned>(std::chrono::steady_clock::now().time_since_epoch().count()));
  constexpr int kRounds = 12;
  const std::map<std::string, int> rounds_of = {{"claude-code", kRounds - kRounds / 3}, {"codex", kRounds / 3}};
  int kills = 0;
  for (int round = 0; round < kRounds; ++round) {
    const std::string agent = round % 3 == 2 ? "codex" : "claude-code";
    const auto budget = std::max<long long>(2, duration[agent].count() * 7 / 10 / rounds_of.at(agent));
    Process p(import_args(corpus, killed, agent, 1), env);
    std::this_thread::sleep_for(std::chrono::milliseconds(1 + static_cast<long long>(rng() % static_cast<unsigned>(budget))));
    p.signal(SIGKILL);
    const auto status = p.wait(std::chrono::seconds(30));
    ASSERT_TRUE(status);
    if (exit_code(*status) == -SIGKILL) ++kills;
  }
  EXPECT_GT(kills, kRounds / 2) << "the imports ended before they were killed";
  for (const std::string agent : {"claude-code", "codex"}) {
    const CommandResult r = run_command(import_args(corpus, killed, agent, 2), env, kImportLimit);
    ASSERT_EQ(r.code, 0) << r.output;
  }
  EXPECT_EQ(contents(killed), expected);

  // Nothing new: nothing read, nothing stored.
  const CommandResult again = run_command(
      {kAgentmetricsCliBinary, "import", "claude-code", "--path", corpus + "/claude", "--store", killed, "--json"}, env, kImportLimit);
  ASSERT_EQ(again.code, 0) << again.output;
  const auto report = nlohmann::json::parse(again.output.substr(again.output.find('{')));
  EXPECT_EQ(report["agents"]["claude_code"]["files_read"], 0);
  EXPECT_EQ(report["agents"]["claude_code"]["sessions_new"], 0);
  EXPECT_EQ(report["agents"]["claude_code"]["sessions_updated"], 0);
  EXPECT_EQ(contents(killed), expected);
}

}  // namespace
