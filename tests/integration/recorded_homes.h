// The recorded runs' session files (tests/data/agents, named by AM_AGENT_DATA_DIR), put where
// each agent keeps them under a home directory, for the tests that import a home.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace agentmetrics::testing {

// Five sessions: three of Claude Code, one of Codex, one opencode family in its database.
inline void install_recorded_sessions(const std::string& home) {
  namespace fs = std::filesystem;
  const std::string data = AM_AGENT_DATA_DIR;
  for (const std::string scenario : {"tool-chain", "resume", "api-error-5xx"}) {
    fs::copy(data + "/claude/" + scenario + "/home/.claude", home + "/.claude",
             fs::copy_options::recursive | fs::copy_options::skip_existing);
  }
  fs::create_directories(home + "/.codex");
  fs::copy(data + "/codex/tool-chain/home/.codex/sessions", home + "/.codex/sessions", fs::copy_options::recursive);
  fs::create_directories(home + "/.local/share/opencode");
  std::ifstream in(data + "/opencode/subagent/opencode.sql");
  const std::string sql((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((home + "/.local/share/opencode/opencode.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
}

}  // namespace agentmetrics::testing
