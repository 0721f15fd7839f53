#include "collector/learning/session_patterns.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "collector/common/tool_call_words.h"
#include "collector/learning/text_tokens.h"
#include "collector/store/sqlite_statement.h"
#include "ipc/timestamp.h"

namespace agentmetrics::learning {
namespace {

using store::SqliteStatement;

// A stored session id shown as evidence: an opaque token (the intake's digest, or an agent's own
// id when kept), else the event's id.
std::string session_reference(const std::string& stored, std::int64_t event_id) {
  const bool token = !stored.empty() && stored.size() <= 128 && std::all_of(stored.begin(), stored.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':';
  });
  return token ? stored : "event " + std::to_string(event_id);
}

std::string pattern_id(SessionPatternKind kind, std::string_view a, std::string_view b) {
  return "p-" +
         hex64(fnv1a64("session\x1f" + std::string(to_string(kind)) + "\x1f" + std::string(a) + "\x1f" + std::string(b))).substr(0, 6);
}

// What the sessions of one group add up to.
struct Group {
  std::int64_t calls = 0, failures = 0, runs = 0, unchanged = 0, most = 0;
  std::string words, stage;
  std::vector<const SessionActivity*> sessions;  // in time order
  std::vector<double> times;
};

void add_session(Group& g, const SessionActivity& s, std::int64_t occurrences) {
  if (g.sessions.empty() || g.sessions.back() != &s) g.sessions.push_back(&s);
  g.times.insert(g.times.end(), static_cast<std::size_t>(std::max<std::int64_t>(occurrences, 0)), s.time);
}

SessionPattern pattern_of(SessionPatternKind kind, const Group& g) {
  SessionPattern p;
  p.kind = kind;
  p.calls = g.calls;
  p.failures = g.failures;
  p.runs = g.runs;
  p.unchanged = g.unchanged;
  p.most_failures = g.most;
  p.session_count = static_cast<std::int64_t>(g.sessions.size());
  std::set<std::string> agents;
  for (auto it = g.sessions.rbegin(); it != g.sessions.rend(); ++it) {
    if (p.sessions.size() < SessionPattern::kMaxSessionRefs) p.sessions.push_back((*it)->session);
    if (!(*it)->agent_type.empty()) agents.insert((*it)->agent_type);
    p.last_occurrence = std::max(p.last_occurrence, (*it)->time);
  }
  p.agents.assign(agents.begin(), agents.end());
  p.occurrence_times = g.times;
  return p;
}

std::int64_t whole(double count) { return static_cast<std::int64_t>(count); }

// The words of each stage and reason in a rule. Fixed text: nothing of a transcript.
struct StageWords {
  std::string_view stage, doing, advice;
};
constexpr std::array<StageWords, 11> kStageWords = {{
    {"test", "running tests", "run the failing test on its own and read its first error before running the suite again"},
    {"build", "building", "read the first compiler or build error and fix it before building again"},
    {"lint", "linting", "run the linter on the changed files and fix what it reports before running it again"},
    {"install", "installing dependencies", "check the package names, versions and registry before installing again"},
    {"vcs", "using version control", "check the repository's state (branch, status, remote) before the next command"},
    {"shell", "running shell commands", "check the working directory, the arguments and the permissions before running a command again"},
    {"edit", "editing files", "read the file again right before editing it and copy the text to change exactly"},
    {"read", "reading files", "check that the path exists (list its directory) before reading it"},
    {"web", "fetching from the web", "check the address, and use local documentation when the fetch keeps failing"},
    {"delegate", "delegating to subagents", "give the subagent a smaller task with everything it needs stated"},
    {"other", "doing its work", "check its inputs before calling it again"},
}};

struct ReasonWords {
  std::string_view reason, because, advice;
};
constexpr std::array<ReasonWords, 10> kReasonWords = {{
    {"string_not_found", "the text to replace was not found in the file",
     "read the file again and copy the text to replace exactly, indentation included"},
    {"not_unique", "the text to replace occurs more than once", "include enough surrounding lines to make the text to replace unique"},
    {"file_not_read", "the file had not been read first", "read a file before editing it"},
    {"file_changed", "the file changed after it was read", "read the file again right before editing it"},
    {"file_not_found", "the file does not exist", "check the path (list the directory) before editing, and create new files on purpose"},
    {"patch_failed", "the patch did not apply", "write patches against the file's current content, with exact context lines"},
    {"permission_denied", "they were not permitted", "ask for permission or work where edits are allowed instead of trying again"},
    {"user_rejected", "the user rejected them", "explain the intended change and ask before editing"},
    {"timeout", "they timed out", "make smaller edits"},
    {"exit_code", "the tool reported an error", "read the tool's error before trying the same edit again"},
}};

const StageWords* stage_words(std::string_view stage) {
  const auto it = std::find_if(kStageWords.begin(), kStageWords.end(), [&](const StageWords& w) { return w.stage == stage; });
  return it == kStageWords.end() ? nullptr : &*it;
}

const ReasonWords* reason_words(std::string_view reason) {
  const auto it = std::find_if(kReasonWords.begin(), kReasonWords.end(), [&](const ReasonWords& w) { return w.reason == reason; });
  return it == kReasonWords.end() ? nullptr : &*it;
}

std::string text_field(const nlohmann::ordered_json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t count_field(const nlohmann::ordered_json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

}  // namespace

std::string_view to_string(SessionPatternKind kind) {
  switch (kind) {
    case SessionPatternKind::kToolFailing: return "tool_failing";
    case SessionPatternKind::kEditRejected: return "edit_rejected";
    case SessionPatternKind::kCommandRetried: return "command_retried";
  }
  return "tool_failing";
}

void SessionActivityLoad::add(std::int64_t event_id, double time, std::string_view session_id, std::string agent_type,
                              std::string_view tool_failures) {
  std::size_t rejected = 0;
  auto facts = ToolFailureFacts::parse(tool_failures, &rejected);
  entries_rejected += rejected;
  if (!facts) {
    ++unreadable;
    return;
  }
  SessionActivity a;
  a.event_id = event_id;
  a.time = time;
  a.session = session_reference(std::string(session_id), event_id);
  a.agent_type = std::move(agent_type);
  if (!is_tool_name(a.agent_type)) a.agent_type.clear();
  a.facts = std::move(*facts);
  sessions.push_back(std::move(a));
}

SessionActivityLoad load_session_activity(sqlite3* db, double from, double to) {
  SqliteStatement st(
      db,
      "SELECT id, time, coalesce(json_extract(fields, '$.session_id'), ''), coalesce(json_extract(fields, '$.agent_type'), ''), "
      "json_extract(fields, '$.tool_failures') FROM events WHERE kind = 'task' AND time >= ? AND time <= ? "
      "AND json_extract(fields, '$.tool_failures') IS NOT NULL ORDER BY time, id");
  st.bind(1, from);
  st.bind(2, to);
  SessionActivityLoad load;
  while (st.step()) load.add(st.column_int64(0), st.column_double(1), st.column_text(2), st.column_text(3), st.column_text(4));
  return load;
}

std::vector<SessionPattern> detect_session_patterns(std::span<const SessionActivity> input, const SessionPatternSettings& settings) {
  std::vector<const SessionActivity*> sessions;
  for (const auto& s : input) sessions.push_back(&s);
  std::stable_sort(sessions.begin(), sessions.end(), [](const SessionActivity* a, const SessionActivity* b) {
    return a->time != b->time ? a->time < b->time : a->event_id < b->event_id;
  });
  std::map<std::pair<std::string, std::string>, Group> tools, edits;
  std::map<std::string, Group> retries;
  for (const SessionActivity* s : sessions) {
    for (const auto& [key, c] : s->facts.tools) {
      // An edit that failed for a known reason is an edit_rejected pattern's, not counted twice here.
      double explained = 0;
      if (key.second == "edit") {
        for (const auto& [edit, n] : s->facts.edits) {
          if (edit.first == key.first && edit.second != "other") explained += n;
        }
      }
      const std::int64_t failures = whole(std::max(0.0, c.failures - explained));
      auto& g = tools[key];
      g.calls += whole(c.calls);
      g.failures += failures;
      if (failures >= 1) add_session(g, *s, failures);
    }
    for (const auto& [key, n] : s->facts.edits) {
      if (key.second == "other" || n < 1) continue;  // no reason to say: not "the same reason"
      auto& g = edits[key];
      g.failures += whole(n);
      add_session(g, *s, whole(n));
    }
    for (const auto& [ref, r] : s->facts.retries) {
      if (r.runs < 1 || r.most_failures < static_cast<double>(settings.min_retry_failures)) continue;
      auto& g = retries[ref];
      if (g.words.empty()) g.words = r.words;
      g.stage = r.stage;
      g.runs += whole(r.runs);
      g.unchanged += whole(r.unchanged);
      g.most = std::max(g.most, whole(r.most_failures));
      g.failures += whole(r.most_failures);
      add_session(g, *s, whole(r.runs));
    }
  }
  std::vector<SessionPattern> out;
  const auto enough_sessions = [&](const Group& g) { return static_cast<std::int64_t>(g.sessions.size()) >= settings.min_sessions; };
  for (const auto& [key, g] : tools) {
    if (g.failures < settings.min_tool_failures || !enough_sessions(g) || g.calls <= 0 ||
        static_cast<double>(g.failures) < settings.min_tool_failure_share * static_cast<double>(g.calls))
      continue;
    SessionPattern p = pattern_of(SessionPatternKind::kToolFailing, g);
    p.tool = key.first;
    p.stage = key.second;
    p.pattern_id = pattern_id(p.kind, p.tool, p.stage);
    out.push_back(std::move(p));
  }
  for (const auto& [key, g] : edits) {
    if (g.failures < settings.min_edit_failures || !enough_sessions(g)) continue;
    SessionPattern p = pattern_of(SessionPatternKind::kEditRejected, g);
    p.tool = key.first;
    p.reason = key.second;
    p.pattern_id = pattern_id(p.kind, p.tool, p.reason);
    out.push_back(std::move(p));
  }
  for (const auto& [ref, g] : retries) {
    if (!enough_sessions(g)) continue;
    SessionPattern p = pattern_of(SessionPatternKind::kCommandRetried, g);
    p.command_ref = ref;
    p.command_words = g.words;
    p.stage = g.stage;
    p.pattern_id = pattern_id(p.kind, ref, "");
    out.push_back(std::move(p));
  }
  std::stable_sort(out.begin(), out.end(), [](const SessionPattern& a, const SessionPattern& b) { return a.failures > b.failures; });
  return out;
}

std::optional<std::string> session_rule_text(const SessionPattern& p) {
  // Every variable part is checked against the vocabulary again: the pattern may come from a
  // stored row.
  switch (p.kind) {
    case SessionPatternKind::kToolFailing: {
      const StageWords* w = stage_words(p.stage);
      if (!w || !is_tool_name(p.tool)) return std::nullopt;
      return "The `" + p.tool + "` tool keeps failing when " + std::string(w->doing) + " (across sessions): " + std::string(w->advice) +
             ".";
    }
    case SessionPatternKind::kEditRejected: {
      const ReasonWords* w = reason_words(p.reason);
      if (!w || !is_tool_name(p.tool)) return std::nullopt;
      return "Edits with `" + p.tool + "` keep failing because " + std::string(w->because) + ": " + std::string(w->advice) + ".";
    }
    case SessionPatternKind::kCommandRetried: {
      if (!is_command_words(p.command_words)) return std::nullopt;
      if (p.unchanged * 2 >= p.runs) {
        return "`" + p.command_words +
               "` fails and then passes on a rerun with nothing changed, in several sessions: treat its failures as flaky and look for "
               "the transient cause (timing, test order, a shared port or file) instead of rerunning it until it passes.";
      }
      return "`" + p.command_words +
             "` needed several attempts before it passed, in several sessions: read its whole first failure and fix every problem it "
             "reports before running it again.";
    }
  }
  return std::nullopt;
}

nlohmann::ordered_json to_json(const SessionPattern& p) {
  nlohmann::ordered_json j = {{"pattern_id", p.pattern_id}, {"kind", to_string(p.kind)}};
  switch (p.kind) {
    case SessionPatternKind::kToolFailing:
      j["tool"] = p.tool;
      j["stage"] = p.stage;
      j["calls"] = p.calls;
      j["failures"] = p.failures;
      break;
    case SessionPatternKind::kEditRejected:
      j["tool"] = p.tool;
      j["reason"] = p.reason;
      j["failures"] = p.failures;
      break;
    case SessionPatternKind::kCommandRetried:
      j["command_ref"] = p.command_ref;
      j["command"] = p.command_words.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(p.command_words);
      j["stage"] = p.stage;
      j["runs"] = p.runs;
      j["unchanged_runs"] = p.unchanged;
      j["failures_before_pass"] = p.failures;
      j["most_failures_in_a_row"] = p.most_failures;
      break;
  }
  j["session_count"] = p.session_count;
  j["sessions"] = p.sessions;
  j["agents"] = p.agents;
  j["last_occurrence"] = ipc::format_timestamp(p.last_occurrence);
  return j;
}

SessionPattern session_pattern_from_json(const nlohmann::ordered_json& j) {
  SessionPattern p;
  if (!j.is_object()) return p;
  p.pattern_id = text_field(j, "pattern_id");
  const std::string kind = text_field(j, "kind");
  p.kind = kind == "edit_rejected"     ? SessionPatternKind::kEditRejected
           : kind == "command_retried" ? SessionPatternKind::kCommandRetried
                                       : SessionPatternKind::kToolFailing;
  p.tool = text_field(j, "tool");
  p.stage = text_field(j, "stage");
  p.reason = text_field(j, "reason");
  p.command_ref = text_field(j, "command_ref");
  p.command_words = text_field(j, "command");
  p.calls = count_field(j, "calls");
  p.failures = count_field(j, p.kind == SessionPatternKind::kCommandRetried ? "failures_before_pass" : "failures");
  p.runs = count_field(j, "runs");
  p.unchanged = count_field(j, "unchanged_runs");
  p.most_failures = count_field(j, "most_failures_in_a_row");
  p.session_count = count_field(j, "session_count");
  for (const char* key : {"sessions", "agents"}) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_array()) continue;
    for (const auto& v : *it) {
      if (v.is_string()) (std::string_view(key) == "sessions" ? p.sessions : p.agents).push_back(v.get<std::string>());
    }
  }
  p.last_occurrence = ipc::parse_timestamp(text_field(j, "last_occurrence")).value_or(0);
  return p;
}

}  // namespace agentmetrics::learning
