// opencode's sessions (docs/import.md), whichever way they are stored: its SQLite database
// (opencode_database.h) or the JSON files of older versions (opencode_storage.h). Both hold the
// same records: a session (directory, title, parent for a subagent's session), its messages
// (an assistant message has modelID, cost, tokens {input (uncached), output, reasoning,
// cache {read, write}}, finish, error) and their parts (text, tool with state.status
// completed/error, step-start, step-finish). This turns one session's records into its account.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/intake/sessions/session_account.h"

namespace agentmetrics::intake {

struct OpencodeMessage {
  nlohmann::json data;                // the message's JSON (role, time, tokens, cost, error...)
  std::vector<nlohmann::json> parts;  // its parts' JSON, in order
};

struct OpencodeSessionRecord {
  std::string id, parent_id, directory, title;
  double created = 0, updated = 0;        // unix seconds
  std::vector<OpencodeMessage> messages;  // in order
};

// A session with its subagents' sessions (parent_id), which are one task.
struct OpencodeFamily {
  std::string root;
  std::vector<std::string> members;  // the root first
  std::int64_t version = 0;          // the latest change among them (ms)
};

struct OpencodeSessionVersion {
  std::string parent;  // empty for a session of its own
  std::int64_t version = 0;
};
// The families of `sessions` (by id): each session under its root (parents followed up; a
// missing parent or a cycle ends the walk).
std::vector<OpencodeFamily> opencode_families(const std::map<std::string, OpencodeSessionVersion>& sessions);

// The account of one session. `main_stream`: a session of its own, not a subagent's child
// session (whose user message is the parent's delegation).
SessionAccount opencode_account(const OpencodeSessionRecord& session, bool main_stream, std::size_t text_limit);

}  // namespace agentmetrics::intake
