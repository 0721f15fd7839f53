// Where the agents keep their sessions, and the files found there (docs/import.md):
//   claude-code  $CLAUDE_CONFIG_DIR or ~/.claude: projects/<project>/<session>.jsonl, its
//                subagents in projects/<project>/<session>/subagents/agent-<id>.jsonl (and
//                agent-<id>.jsonl beside the sessions, as older versions wrote them)
//   codex        $CODEX_HOME or ~/.codex: sessions/YYYY/MM/DD/rollout-*.jsonl and
//                archived_sessions/rollout-*.jsonl
//   opencode     $OPENCODE_DB or $XDG_DATA_HOME/opencode/opencode.db (~/.local/share/...), and
//                the storage/ directory of older versions beside it
// A --path names the agent's directory (or, for opencode, the database file) instead.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace agentmetrics::intake {

enum class SessionAgent { kClaudeCode, kCodex, kOpencode };

inline constexpr SessionAgent kSessionAgents[] = {SessionAgent::kClaudeCode, SessionAgent::kCodex, SessionAgent::kOpencode};

// "claude_code", "codex", "opencode": the task's agent_type.
std::string_view agent_type(SessionAgent agent);
// "claude-code", "codex", "opencode" as the command line and the configuration write them.
std::string_view source_name(SessionAgent agent);
std::optional<SessionAgent> parse_source_name(std::string_view name);

// The environment, for tests to replace.
using Environment = std::function<std::string(const char* name)>;
Environment process_environment();

// The directories (and for opencode the database) an agent's sessions are in: `path` when not
// empty, else the agent's default from `env`.
struct SourceLocation {
  SessionAgent agent;
  std::vector<std::string> directories;  // JSONL trees; opencode: storage/ directories
  std::string database;                  // opencode only; may not exist
};
SourceLocation locate_sessions(SessionAgent agent, const std::string& path, const Environment& env);

struct FileInfo {
  std::uint64_t device = 0, inode = 0, size = 0;
  std::int64_t mtime_ns = 0;
};
std::optional<FileInfo> file_info(const std::string& path);

// A JSONL file of a session.
struct SessionFile {
  std::string path;
  SessionAgent agent;
  std::string session;  // the session's id as the path names it (empty: the file says)
  std::string stream;   // "main", or the subagent's file name
  FileInfo info;
};

// The session file at `path` (one that inotify named), or nothing when it is none of the
// agent's.
std::optional<SessionFile> session_file_at(const SourceLocation& location, const std::string& path);

// The JSONL files of `location`, sorted by path (a session's files are next to each other).
// `unreadable` counts the directories that could not be listed.
std::vector<SessionFile> find_session_files(const SourceLocation& location, std::size_t& unreadable);

}  // namespace agentmetrics::intake
