#include "collector/intake/sessions/session_sources.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace agentmetrics::intake {
namespace {

namespace fs = std::filesystem;

bool is_directory(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

std::string home_dir(const Environment& env, const char* fallback_suffix) {
  const std::string home = env("HOME");
  return home.empty() ? std::string() : home + fallback_suffix;
}

bool ends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The path's components below `root`, or nothing when it is not below it.
std::optional<std::vector<std::string>> below(const std::string& root, const std::string& path) {
  if (path.size() <= root.size() + 1 || path.compare(0, root.size(), root) != 0 || path[root.size()] != '/') return std::nullopt;
  std::vector<std::string> parts;
  std::size_t at = root.size() + 1;
  while (at <= path.size()) {
    const std::size_t slash = std::min(path.find('/', at), path.size());
    parts.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return parts;
}

// What a JSONL file below one of the agent's directories is, by where it is.
std::optional<SessionFile> classify(SessionAgent agent, const std::vector<std::string>& parts, const std::string& path) {
  const std::string& name = parts.back();
  if (!ends_with(name, ".jsonl")) return std::nullopt;
  const std::string stem = name.substr(0, name.size() - 6);
  if (agent == SessionAgent::kClaudeCode) {
    // <project>/<session>.jsonl, <project>/agent-<id>.jsonl, <project>/<session>/subagents/agent-<id>.jsonl
    if (parts.size() == 2) {
      if (stem.rfind("agent-", 0) == 0) return SessionFile{path, agent, "", stem, {}};
      return SessionFile{path, agent, stem, "main", {}};
    }
    if (parts.size() == 4 && parts[2] == "subagents") return SessionFile{path, agent, parts[1], stem, {}};
    return std::nullopt;
  }
  if (agent == SessionAgent::kCodex && name.rfind("rollout-", 0) == 0 && parts.size() <= 5) {
    // rollout-<time>-<thread id>.jsonl: the thread id is the name's last 36 characters.
    return SessionFile{path, agent, stem.size() > 36 ? stem.substr(stem.size() - 36) : "", "", {}};
  }
  return std::nullopt;
}

void find_below(SessionAgent agent, const std::string& root, std::vector<SessionFile>& out, std::size_t& unreadable) try {
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    if (ec != std::errc::no_such_file_or_directory) ++unreadable;
    return;
  }
  for (const fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) {
      ++unreadable;
      break;
    }
    if (it.depth() >= 4) it.disable_recursion_pending();
    if (it->path().extension() != ".jsonl") continue;
    const std::string path = it->path().string();
    const auto parts = below(root, path);
    if (!parts) continue;
    auto file = classify(agent, *parts, path);
    if (!file) continue;
    const auto info = file_info(path);
    if (!info) continue;
    file->info = *info;
    out.push_back(std::move(*file));
  }
} catch (const fs::filesystem_error&) {
  ++unreadable;  // a directory removed or made unreadable while it was listed
}

}  // namespace

std::string_view agent_type(SessionAgent agent) {
  switch (agent) {
    case SessionAgent::kClaudeCode: return "claude_code";
    case SessionAgent::kCodex: return "codex";
    case SessionAgent::kOpencode: return "opencode";
  }
  return "unknown";
}

std::string_view source_name(SessionAgent agent) {
  switch (agent) {
    case SessionAgent::kClaudeCode: return "claude-code";
    case SessionAgent::kCodex: return "codex";
    case SessionAgent::kOpencode: return "opencode";
  }
  return "unknown";
}

std::optional<SessionAgent> parse_source_name(std::string_view name) {
  for (const SessionAgent a : kSessionAgents) {
    if (name == source_name(a) || name == agent_type(a)) return a;
  }
  return std::nullopt;
}

Environment process_environment() {
  return [](const char* name) {
    const char* value = std::getenv(name);
    return std::string(value ? value : "");
  };
}

SourceLocation locate_sessions(SessionAgent agent, const std::string& path, const Environment& env) {
  SourceLocation where{agent, {}, {}};
  switch (agent) {
    case SessionAgent::kClaudeCode: {
      std::string dir = path.empty() ? env("CLAUDE_CONFIG_DIR") : path;
      if (dir.empty()) dir = home_dir(env, "/.claude");
      if (dir.empty()) break;
      // The configuration directory, or its projects/ itself.
      where.directories.push_back(is_directory(dir + "/projects") ? dir + "/projects" : dir);
      break;
    }
    case SessionAgent::kCodex: {
      std::string dir = path.empty() ? env("CODEX_HOME") : path;
      if (dir.empty()) dir = home_dir(env, "/.codex");
      if (dir.empty()) break;
      if (is_directory(dir + "/sessions") || is_directory(dir + "/archived_sessions")) {
        where.directories = {dir + "/sessions", dir + "/archived_sessions"};
      } else {
        where.directories.push_back(dir);
      }
      break;
    }
    case SessionAgent::kOpencode: {
      std::string data = path;
      if (data.empty()) {
        data = env("XDG_DATA_HOME");
        data = data.empty() ? home_dir(env, "/.local/share/opencode") : data + "/opencode";
        where.database = env("OPENCODE_DB");
      }
      if (data.empty()) break;
      if (!path.empty() && !is_directory(path)) {
        where.database = path;  // the database file itself
        break;
      }
      if (where.database.empty()) where.database = data + "/opencode.db";
      where.directories.push_back(data + "/storage");
      break;
    }
  }
  return where;
}

std::optional<FileInfo> file_info(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return FileInfo{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino), static_cast<std::uint64_t>(st.st_size),
                  static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

std::optional<SessionFile> session_file_at(const SourceLocation& location, const std::string& path) {
  if (location.agent == SessionAgent::kOpencode) return std::nullopt;
  for (const auto& dir : location.directories) {
    const auto parts = below(dir, path);
    if (!parts) continue;
    auto file = classify(location.agent, *parts, path);
    const auto info = file ? file_info(path) : std::nullopt;
    if (!info) return std::nullopt;
    file->info = *info;
    return file;
  }
  return std::nullopt;
}

std::vector<SessionFile> find_session_files(const SourceLocation& location, std::size_t& unreadable) {
  std::vector<SessionFile> out;
  if (location.agent != SessionAgent::kOpencode) {
    for (const auto& dir : location.directories) find_below(location.agent, dir, out, unreadable);
  }
  std::sort(out.begin(), out.end(), [](const SessionFile& a, const SessionFile& b) { return a.path < b.path; });
  return out;
}

}  // namespace agentmetrics::intake
