// What the learning operations answer (LearningService): typed, so that `cm` prints them for a
// person from their fields, and to_json() gives the `data` of the JSON envelope that cm --json,
// the HTTP API and the MCP tools return (docs/api.md, docs/learning.md). Confidences are the
// decayed ones at the time of the answer; to_json rounds them (3 digits) and formats times as
// RFC 3339.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/learning/confidence.h"
#include "collector/learning/history_index.h"
#include "collector/learning/patterns.h"
#include "collector/learning/playbook.h"
#include "collector/learning/session_patterns.h"

namespace agentmetrics::learning {

// A rule and its confidence at the time of the answer.
struct BulletView {
  Bullet bullet;
  double confidence = 0;
};

// A rule as a context lists it: just what an agent needs to use it and report on it.
// A rule as handed to an agent: its text (without control characters, at most kMaxRuleBytes)
// and where it came from, so the agent and a reviewer can tell a learned rule from one a
// person or a credential added.
struct ContextBullet {
  std::string id, content;
  double confidence = 0;
  std::int64_t evidence_count = 0;
  BulletSource source = BulletSource::kManual;
  std::string added_by;
  double created = 0;
};

// How a context was fitted into a token budget (cm context --budget): the items' lines and
// headings as context_text.h writes them, counted with approximate_tokens().
struct BudgetUse {
  std::int64_t tokens = 0;   // the budget
  std::int64_t used = 0;     // what the items kept take
  std::int64_t dropped = 0;  // relevant items that did not fit
};

// The specification's {task, relevantBullets, antiPatterns, historySnippets}; with a budget, how
// it was fitted; and when the answer could not be complete (another writer held the store, so
// the newest tasks could not be indexed first), why: to_json adds "degraded": true and
// "degraded_reason".
struct ContextResult {
  std::string task;
  std::vector<ContextBullet> relevant_bullets, anti_patterns;
  std::vector<HistoryHit> history_snippets;
  std::optional<std::string> degraded;
  std::optional<BudgetUse> budget;
};

// cm similar: the rules whose words are closest to a text (Jaccard similarity of their content
// words, the measure the playbook merges near-duplicates by, from 0.85).
struct SimilarRule {
  BulletView rule;
  double similarity = 0;
};
struct SimilarResult {
  std::string text;
  std::vector<SimilarRule> rules;
};

// cm why: what stands behind a rule.
struct FeedbackEntry {
  double time = 0;
  FeedbackKind kind = FeedbackKind::kHelpful;
  double weight = 0;
  std::string origin, session_id, note;
};
struct WhyResult {
  BulletView rule;
  nlohmann::ordered_json patterns = nlohmann::ordered_json::array();  // as the reflection stored them
  std::vector<FeedbackEntry> feedback;                                // oldest first
  std::vector<std::string> sessions;                                  // the sessions that graded it, first graded first
  std::int64_t sessions_given = 0;                                    // sessions a hook gave it to (session_rules.h)

  // The next signal, oldest first, its session counted once. Every store reads them so.
  void add_feedback(FeedbackEntry entry);
  // A pattern the rule was learned from: its kind and data as stored, or kind null when it is no
  // longer among the last reflection's patterns.
  void add_pattern(const std::string& pattern_id, const std::optional<std::pair<std::string, std::string>>& kind_and_data);
};

// cm stale: active rules nothing has confirmed for stale_after_days.
struct StaleResult {
  double now = 0;
  double stale_after_days = 0;
  std::vector<BulletView> rules;  // longest unconfirmed first
};

// Inline feedback applied (common/rule_markers.h).
struct MarkersResult {
  std::vector<FeedbackResult> applied;  // skipped: the session had graded the rule already
  std::vector<std::string> ignored;     // rules the session was not given
};

// cm forget: a rule deleted with everything about it.
struct ForgetResult {
  std::string id, content;
  std::int64_t feedback = 0, patterns = 0, sessions = 0;  // rows deleted with it
};

// cm undo: the change that was undone.
struct UndoResult {
  double time = 0;  // when it was made
  std::string command, summary;
};

struct MarkResult {
  FeedbackResult feedback;
  double helpful = 0, harmful = 0;  // the rule's weighted counts after the mark
  bool active = true;
};

// How an outcome's feedback was spread over its rules (blame.h): a success credits every rule;
// a failure blames the rules related to where it happened, or splits the blame when that is
// not known.
enum class BlamePolicy { kCredit, kRelated, kSplit };
std::string_view to_string(BlamePolicy policy);  // "credit", "related", "split"

struct OutcomeResult {
  bool success = false;
  BlamePolicy policy = BlamePolicy::kCredit;
  std::vector<FeedbackResult> applied;
  std::vector<std::string> unaffected;                        // not related to the failure
  std::vector<std::pair<std::string, std::string>> inverted;  // (rule, the anti-pattern it became)
  std::vector<std::string> retired;
};

// One page of the list: `bullets` are those from `offset` of the `total` that match.
struct PlaybookListResult {
  std::vector<BulletView> bullets;
  std::int64_t total = 0;
  std::int64_t offset = 0;
  int limit = 0;
  // Where the next page starts; none after the last.
  std::optional<std::int64_t> next_offset() const {
    const auto end = offset + static_cast<std::int64_t>(bullets.size());
    return end < total ? std::optional<std::int64_t>(end) : std::nullopt;
  }
};

struct PlaybookAddResult {
  AddAction action = AddAction::kAdded;
  double similarity = 0;
  BulletView rule;  // as stored after the add
};

struct PlaybookRemoveResult {
  bool removed = false;  // false: it was retired already
  BulletView rule;
};

// Every rule, retired ones too, in the form playbook_import() reads.
struct PlaybookExport {
  double exported = 0;  // Unix seconds
  std::vector<BulletView> bullets;
};

struct ImportResult {
  std::int64_t added = 0, reinforced = 0, revived = 0, unchanged = 0;
  std::vector<std::string> ids;  // of the rules added, reinforced or revived
};

struct LastReflection {
  std::int64_t id = 0;
  double started = 0;
  std::optional<double> duration_seconds;  // none: still running, or it crashed
  std::string trigger, status;
  nlohmann::ordered_json summary;  // the run's own summary, as it recorded it
  std::optional<std::string> error;
};

struct StatsResult {
  std::int64_t total = 0, active = 0, retired = 0;
  // Of the active rules; every kind, source and maturity has an entry.
  std::map<BulletKind, std::int64_t> by_kind;
  std::map<BulletSource, std::int64_t> by_source;
  std::map<Maturity, std::int64_t> by_maturity;
  std::map<std::string, std::int64_t> retired_by_reason;
  double mean_confidence = 0;
  std::array<std::int64_t, 5> confidence_distribution{};  // 0.0-0.2, ..., 0.8-1.0
  std::int64_t stale_count = 0;
  std::vector<std::string> stale_ids;  // the first 20
  double stale_after_days = 0;
  std::int64_t helpful_signals = 0, harmful_signals = 0;
  std::int64_t indexed_tasks = 0, pending_tasks = 0;
  std::int64_t reflection_runs = 0;
  std::optional<LastReflection> last_reflection;
};

// The patterns the latest reflection stored.
struct PatternsResult {
  std::int64_t reflection_id = 0;  // 0: no reflection yet
  std::vector<FailurePattern> failures;
  std::vector<SuccessPattern> successes;
  std::vector<SessionPattern> sessions;

  // A pattern as a store keeps it: its kind (failure, success, session) and its JSON text.
  void add_stored(std::string_view kind, const std::string& data);
  // The most frequent failures and successes first; every store answers in this order.
  void order();
};

nlohmann::ordered_json to_json(const BulletView& view);
nlohmann::ordered_json to_json(const ContextResult& result);
nlohmann::ordered_json to_json(const MarkResult& result);
nlohmann::ordered_json to_json(const OutcomeResult& result);
nlohmann::ordered_json to_json(const PlaybookListResult& result);
nlohmann::ordered_json to_json(const PlaybookAddResult& result);
nlohmann::ordered_json to_json(const PlaybookRemoveResult& result);
nlohmann::ordered_json to_json(const PlaybookExport& result);
nlohmann::ordered_json to_json(const ImportResult& result);
nlohmann::ordered_json to_json(const LastReflection& run);
nlohmann::ordered_json to_json(const StatsResult& result);
nlohmann::ordered_json to_json(const PatternsResult& result);
nlohmann::ordered_json to_json(const SimilarResult& result);
nlohmann::ordered_json to_json(const WhyResult& result);
nlohmann::ordered_json to_json(const StaleResult& result);
nlohmann::ordered_json to_json(const ForgetResult& result);
nlohmann::ordered_json to_json(const UndoResult& result);

}  // namespace agentmetrics::learning
