// One reflection (the specification's periodic learning step), without an LLM:
//   1. index the task history that is new (history_index.h);
//   2. apply the feedback of `task` events that name their rules (rule_ids), by the blame
//      policy of blame.h; a session that already gave a rule feedback through `cm outcome`
//      is not counted twice;
//   3. extract failure and success patterns from the last 7 days (patterns.h) and store them;
//   4. turn patterns into rules: a failure pattern with 3 or more occurrences becomes a rule
//      "Recurring <failure type> in the <stage> stage: <recommended action>"; a recommended
//      success pattern becomes "For <task type> tasks, the <agent type> agent succeeds with
//      <approach>"; a weak approach becomes the anti-pattern "AVOID: the <approach> approach
//      for <task type> tasks with the <agent type> agent; it rarely succeeds". A pattern whose
//      rule exists reinforces it by the occurrences it had not counted yet (a stale-retired rule
//      comes back); duplicates merge (playbook.h);
//      Failure patterns in what agents did in their sessions (session_patterns.h: a tool that
//      keeps failing in a stage, edits failing for the same reason, a command retried until it
//      passed) become rules the same way, worded from fixed templates;
//   5. apply the confidence decay and retire the rules below the floor.
// Each step writes in short transactions (at most `batch` rows each) on the caller's
// connection, paced (sqlite_util.h: it holds the lock at most half the time), so the
// collector's store thread is never held up for long. The run is recorded
// in reflection_runs (when, how long, what changed).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/common/rule_markers.h"
#include "collector/learning/blame.h"
#include "collector/learning/confidence.h"
#include "collector/learning/patterns.h"
#include "collector/learning/playbook.h"
#include "collector/learning/recommended_actions.h"
#include "collector/learning/session_patterns.h"
#include "collector/learning/sqlite_util.h"

struct sqlite3;

namespace agentmetrics::learning {

struct ReflectionSettings {
  PatternSettings patterns;
  SessionPatternSettings session_patterns;
  ConfidenceModel model;
  RecommendedActions actions;
  std::int64_t min_failures_for_rule = 3;
  std::size_t batch = 500;                   // rows per write transaction
  std::size_t max_rules = kDefaultMaxRules;  // the playbook's cap (cass_memory.maxRules), for every rule it adds
  bool paced = true;                         // pause between write transactions (WritePacer)
};

struct TaskFeedbackTally {
  std::size_t events = 0;                                     // task events that named rules or gave inline feedback
  std::size_t signals = 0;                                    // feedback signals applied
  std::size_t skipped = 0;                                    // already given by the session
  std::size_t unknown_rules = 0;                              // ids not in the playbook
  std::vector<std::pair<std::string, std::string>> inverted;  // (rule, anti-pattern)
  std::vector<std::string> retired;
};

struct ReflectionReport {
  std::int64_t id = 0;
  std::string trigger;
  double started = 0;
  double duration_seconds = 0;
  PatternSet patterns;
  std::vector<SessionPattern> session_patterns;
  std::size_t session_facts_rejected = 0;                                // tool_failures entries (or whole fields) not of the vocabulary
  std::vector<std::pair<std::string, std::string>> rules_added;          // (id, content)
  std::vector<std::pair<std::string, std::string>> anti_patterns_added;  // (id, content)
  std::vector<std::string> rules_reinforced;
  std::vector<std::string> rules_retired;
  std::vector<std::pair<std::string, std::string>> rules_inverted;
  std::size_t feedback_applied = 0;
  std::size_t patterns_unworded = 0;  // patterns whose labels were not identifiers: no rule
  std::size_t rules_refused = 0;      // learned rules the full playbook had no room for
  std::size_t history_indexed = 0;
  std::size_t decayed = 0;
  bool cancelled = false;
};

nlohmann::ordered_json to_json(const ReflectionReport& report);
// What reflection_runs keeps of a run: the counts of its report.
nlohmann::ordered_json run_summary(const ReflectionReport& report);

// The playbook a reflection writes its learned rules into (steps 4): the embedded store's
// Playbook in one SQLite transaction, or a team store's rules in one PostgreSQL transaction with
// each rule's row locked (postgres_learning_store.cpp). Operations as Playbook's.
class RuleBook {
 public:
  virtual ~RuleBook() = default;
  RuleBook() = default;
  RuleBook(const RuleBook&) = delete;
  RuleBook& operator=(const RuleBook&) = delete;
  virtual std::optional<Bullet> find_by_pattern(std::string_view pattern_id) = 0;
  virtual double pattern_counted_until(std::string_view bullet_id, std::string_view pattern_id) = 0;
  virtual void reinforce(const Bullet& bullet, std::int64_t evidence, double now) = 0;
  virtual void link_pattern(std::string_view bullet_id, std::string_view pattern_id, double counted_until) = 0;
  // Throws LearningError PLAYBOOK_FULL when no rule may give way.
  virtual AddResult add(const NewBullet& bullet, double now) = 0;
};

// A rule a pattern teaches, with the occurrences that count as its evidence.
struct LearnedRule {
  NewBullet bullet;
  std::vector<double> times;
};

// Step 3's patterns of the window's outcome rows and session activity, into `report` (its
// patterns, session_patterns, session_facts_rejected and patterns_unworded), and the rules they
// teach (step 4). Stores nothing.
std::vector<LearnedRule> learn_from(std::span<const OutcomeRow> rows, const SessionActivityLoad& activity,
                                    const ReflectionSettings& settings, ReflectionReport& report);
// Step 4's writes: each rule added, or its existing rule reinforced by the occurrences it had
// not counted yet, into `report` (rules_added, anti_patterns_added, rules_reinforced,
// rules_refused).
void write_learned(RuleBook& rules, const std::vector<LearnedRule>& learned, double now, const ReflectionSettings& settings,
                   ReflectionReport& report);

// Step 2 for one task event that names `rules` (found in the playbook): the signals the blame
// policy gives them (blame.h), applied through `feedback`, counted into `tally`. A success teaches
// the rules the words of the task's `title` (learned_words.h).
void apply_task_event(const std::vector<Bullet>& rules, bool success, const FailureContext& failure, const std::string& session_id,
                      std::string_view title, std::int64_t event_id, double time,
                      const std::function<FeedbackResult(const FeedbackSignal&)>& feedback, TaskFeedbackTally& tally);

// The grade an inline feedback marker gives its rule (origin "marker", weight 1), in `session`
// (none when empty), at `time`: from a hook's transcript and from a task event alike.
FeedbackSignal marker_signal(const FeedbackMarker& marker, const std::string& session, double time);

// Step 2 for a task event's inline feedback (its rule_feedback field, common/rule_markers.h),
// before its rules are graded: each marker of a rule that `exists` grades it (origin "marker"),
// once per `session`; a helpful one teaches the rule the words of the task's `title`.
void apply_event_markers(const std::vector<FeedbackMarker>& markers, const std::function<bool(const std::string&)>& exists,
                         const std::string& session, std::string_view title, std::int64_t event_id, double time,
                         const std::function<FeedbackResult(const FeedbackSignal&)>& feedback, TaskFeedbackTally& tally);
// The session a task event's feedback is given once for. A session's task (task_type "session",
// intake/session_task.h) is its producer's only event: the session is its producer id's digest,
// as a hook keys it (common/intake_key.h), whatever its session_id field keeps. Any other task:
// its session_id field.
std::string event_session_key(std::string_view task_type, std::uint64_t producer_id, std::string_view session_id);

// Applies the feedback of task events stored since the last call (watermark in learning_state).
// `runner`: where the write transactions run (sqlite_util.h; null: on `db`).
TaskFeedbackTally apply_task_feedback(sqlite3* db, Playbook& playbook, std::size_t batch, const std::atomic<bool>* cancel = nullptr,
                                      bool paced = false, const WriteRunner* runner = nullptr);

// Runs a reflection's steps, then has `finish` record its run: ("ok", ""), or ("error", the
// failure's text) before the failure goes on; a failed run that cannot be recorded is logged.
// Both stores' reflections record their runs so.
void record_reflection_run(const std::function<void()>& steps, const std::function<void(const char*, const std::string&)>& finish);

// Runs a reflection as of `now`. Throws StoreError / LearningError; the run is then recorded
// with status "error".
// Reads on `db`; writes through `runner` (null: on `db` too).
ReflectionReport run_reflection(sqlite3* db, const ReflectionSettings& settings, std::string_view trigger, double now,
                                const std::atomic<bool>* cancel = nullptr, const WriteRunner* runner = nullptr);

}  // namespace agentmetrics::learning
