// Failure patterns in what agents did in their sessions, without an LLM: from the `tool_failures`
// facts of the session tasks the importers and the OTLP receiver store (common/tool_failure_facts.h),
// over the reflection's window:
//   tool_failing    a tool that keeps failing in a stage: at least min_tool_failures failed (or
//                   refused) calls of it in that stage, at least min_tool_failure_share of its
//                   calls there, in at least min_sessions sessions (an edit tool's failures
//                   with a known reason are edit_rejected's, not counted here again);
//   edit_rejected   edits of one tool failing for the same reason (a closed set: the text to
//                   replace not found, the file not read first, ...): at least min_edit_failures,
//                   in at least min_sessions sessions;
//   command_retried the same command (by the digest of its normalized form) failing at least
//                   min_retry_failures times in a row and then passing, in at least min_sessions
//                   sessions; `unchanged` counts the runs with no edit between.
// Each becomes a rule (reflection.h) worded from a fixed template whose only variable parts are
// a tool name (an identifier), a stage and a reason of the closed sets, and a command's words of
// the fixed vocabulary (common/tool_call_words.h): never text of a transcript. A pattern that
// cannot be worded so (a command outside the vocabulary, a reason that is only "other") keeps its
// evidence and makes no rule.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "collector/common/tool_failure_facts.h"

struct sqlite3;

namespace agentmetrics::learning {

struct SessionPatternSettings {
  bool enabled = true;
  std::int64_t min_tool_failures = 5;
  double min_tool_failure_share = 0.3;
  std::int64_t min_edit_failures = 3;
  std::int64_t min_retry_failures = 2;
  std::int64_t min_sessions = 2;
};

// One stored session task with facts.
struct SessionActivity {
  std::int64_t event_id = 0;
  double time = 0;
  std::string session;  // the event's session_id (a digest unless the intake keeps ids), else "event <id>"
  std::string agent_type;
  ToolFailureFacts facts;
};

struct SessionActivityLoad {
  std::vector<SessionActivity> sessions;  // oldest first
  std::size_t unreadable = 0;             // tool_failures that were not the format at all
  std::size_t entries_rejected = 0;       // entries left out for words outside the vocabulary

  // One task event's activity, read from its fields (tool_failures as its JSON text), or counted
  // as unreadable.
  void add(std::int64_t event_id, double time, std::string_view session_id, std::string agent_type, std::string_view tool_failures);
};

// The session tasks with `tool_failures` and time in [from, to].
SessionActivityLoad load_session_activity(sqlite3* db, double from, double to);

enum class SessionPatternKind { kToolFailing, kEditRejected, kCommandRetried };
std::string_view to_string(SessionPatternKind kind);  // tool_failing, edit_rejected, command_retried

struct SessionPattern {
  std::string pattern_id;
  SessionPatternKind kind = SessionPatternKind::kToolFailing;
  std::string tool;                        // tool_failing, edit_rejected
  std::string stage;                       // tool_failing, command_retried
  std::string reason;                      // edit_rejected
  std::string command_ref, command_words;  // command_retried ("" words: outside the vocabulary)
  std::int64_t calls = 0;                  // tool_failing: calls of the tool in the stage
  std::int64_t failures = 0;               // failed calls; command_retried: the failures before the passes
  std::int64_t runs = 0, unchanged = 0;    // command_retried: failures-then-pass runs, those with no edit between
  std::int64_t most_failures = 0;          // command_retried: the longest run of failures
  std::int64_t session_count = 0;
  std::vector<std::string> sessions;  // newest first, at most kMaxSessionRefs
  std::vector<std::string> agents;    // the agents of those sessions
  double last_occurrence = 0;
  std::vector<double> occurrence_times;  // one per failure (per run for retries): the evidence; not in the JSON

  static constexpr std::size_t kMaxSessionRefs = 20;
};

// The patterns of `sessions` that pass the settings' thresholds, most failures first.
std::vector<SessionPattern> detect_session_patterns(std::span<const SessionActivity> sessions, const SessionPatternSettings& settings);

// The rule a pattern becomes; nullopt when it cannot be worded from the vocabulary alone.
std::optional<std::string> session_rule_text(const SessionPattern& p);

nlohmann::ordered_json to_json(const SessionPattern& p);
// A stored pattern read back; fields absent or of another type keep their defaults.
SessionPattern session_pattern_from_json(const nlohmann::ordered_json& j);

}  // namespace agentmetrics::learning
