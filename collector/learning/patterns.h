// Failure and success patterns of the recent outcomes (the specification's extractFailurePatterns
// and extractSuccessPatterns), computed without an LLM from the stored events.
//
// Failure patterns: every failed `task` and `pipeline` event of the window, grouped by
// (stage, failure_type) ("unknown" where absent):
//   occurrence_count         failures in the group
//   last_occurrence          the latest one's time (ISO 8601 UTC)
//   resolution_success_rate  share of the group's failures that a later success of the same
//                            kind (task or pipeline) and stage resolved within the window
//   avg_time_to_resolve      mean seconds from a resolved failure to that first later success
//                            (null when none was resolved)
//   recommended_action       from the RecommendedActions table
// Success patterns: `task` events grouped by (agent_type, task_type), for groups with at least
// one success:
//   approach                 the most common `approach` of the successes (ties: the first
//                            alphabetically); "<agent_type>_<task_type>" when none gave one
//   success_rate             successes / attempts (all tasks of the group)
//   avg_time_to_complete     mean duration_seconds of the successes
//   recommended              5 or more successes
//   success_count, attempt_count
// Weak approaches: (agent_type, task_type, approach) with at least 5 attempts and a success rate
// below 30%; reflection turns them into anti-patterns.
// pattern_id is "p-" + 6 hex digits of a hash of the group, so a group keeps its id from one
// reflection to the next.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "collector/learning/recommended_actions.h"

struct sqlite3;

namespace agentmetrics::learning {

struct OutcomeRow {
  std::int64_t id = 0;
  std::string kind;  // task or pipeline
  double time = 0;
  std::string stage, failure_type;  // "unknown" when absent
  bool success = false;
  double duration_seconds = 0;
  std::string agent_type, task_type, approach;  // tasks only
};

struct FailurePattern {
  std::string pattern_id, stage, failure_type;
  std::int64_t occurrence_count = 0;
  double last_occurrence = 0;
  double resolution_success_rate = 0;
  std::optional<double> avg_time_to_resolve;
  std::string recommended_action;
  std::vector<double> occurrence_times;  // not in the JSON
};

struct SuccessPattern {
  std::string pattern_id, approach, agent_type, task_type;
  double success_rate = 0;
  double avg_time_to_complete = 0;
  bool recommended = false;
  std::int64_t success_count = 0, attempt_count = 0;
  std::vector<double> success_times;  // not in the JSON
};

struct WeakApproach {
  std::string agent_type, task_type, approach;
  std::int64_t attempts = 0, successes = 0;
  double success_rate = 0;
  double last_attempt = 0;
};

struct PatternSettings {
  double window_seconds = 7 * 86400.0;
  std::int64_t recommend_after = 5;  // successes
  std::int64_t weak_min_attempts = 5;
  double weak_max_success_rate = 0.3;  // below this
};

struct PatternSet {
  std::vector<FailurePattern> failures;   // most occurrences first
  std::vector<SuccessPattern> successes;  // most successes first
  std::vector<WeakApproach> weak_approaches;
};

// The task and pipeline events with time in [from, to], oldest first.
std::vector<OutcomeRow> load_outcome_rows(sqlite3* db, double from, double to);
// Patterns of `rows` (already limited to the window).
PatternSet extract_patterns(std::span<const OutcomeRow> rows, const RecommendedActions& actions, const PatternSettings& settings);

std::string failure_pattern_id(std::string_view stage, std::string_view failure_type);
std::string success_pattern_id(std::string_view agent_type, std::string_view task_type);

nlohmann::ordered_json to_json(const FailurePattern& p);
nlohmann::ordered_json to_json(const SuccessPattern& p);
nlohmann::ordered_json to_json(const WeakApproach& p);
// A stored pattern (to_json's form) read back. A field that is absent or of another type keeps
// its default: the stored row is trusted no more than any file.
FailurePattern failure_pattern_from_json(const nlohmann::ordered_json& j);
SuccessPattern success_pattern_from_json(const nlohmann::ordered_json& j);

}  // namespace agentmetrics::learning
