// The learning operations as the `cm` command, its MCP server and the collector's HTTP API all
// call them: decoded requests in (api/requests.h), typed answers out (learning_results.h, whose
// to_json is the `data` of the {success, data, ...} envelope of api/json_envelope.h). Errors are thrown as LearningError with their exit
// code and recovery steps; translate_error() turns any other exception into one.
//
// A service works on one SQLite connection (the store's file: SqliteEventStore::open(...)->handle())
// and is used by one thread at a time. Creating it creates or migrates the learning tables.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "collector/common/rule_markers.h"
#include "collector/learning/agents_md.h"
#include "collector/learning/learning_error.h"
#include "collector/learning/learning_results.h"
#include "collector/learning/playbook.h"
#include "collector/learning/reflection.h"
#include "collector/learning/session_rules.h"

struct sqlite3;

namespace agentmetrics::learning {

class FtsStemmer;
class Symptoms;
class Thesaurus;

struct LearningSettings {
  int context_limit = 5;  // cass_memory.contextLimit
  // cass_memory.learnFromPrompts: a hook keeps the words of the prompt it gave rules for, and a
  // success teaches the rules those words (learned_words.h).
  bool learn_from_prompts = false;
  // Query words found in more than this share of the rules (or of the past tasks) are left
  // out while rarer ones remain (query_terms.h).
  double frequent_term_share = 0.1;
  // How much confidence weighs on relevance: score = bm25 x ((1 - w) + w x max(0.1, c)).
  double confidence_weight = 1.0;
  ReflectionSettings reflection;
  // Unix seconds; empty: the system clock. Tests set it to move time.
  std::function<double()> clock;
};

// One page of the playbook, in the order of Playbook::list: `limit` rules from `offset`.
inline constexpr int kDefaultPlaybookPage = 100;
inline constexpr int kMaxPlaybookPage = 1000;
struct PlaybookListRequest {
  Playbook::Filter filter;
  int limit = kDefaultPlaybookPage;  // 1 to kMaxPlaybookPage
  std::int64_t offset = 0;
};

struct MarkRequest {
  std::string id;
  FeedbackKind kind = FeedbackKind::kHelpful;
  std::string reason;
  std::string session_id;
  std::string task;  // what the rule was used for: a helpful mark teaches the rule its words
};

// The specification's recordOutcome(status, ruleIds), with optional details that direct the
// blame (blame.h): where a failure happened, and the session (so a task is counted once).
struct OutcomeRequest {
  std::string status;  // success or failure
  std::vector<std::string> rule_ids;
  std::string stage;
  std::string failure_type;
  std::string session_id;
  std::string task;  // what the rules were used for: a success teaches them its words
};

// The checks of a context request, shared by every learning store: `task` receives the task
// trimmed; returns the limit (default: settings.context_limit). Throws LearningError (kInput).
int checked_context_query(std::string_view task_text, std::optional<int> limit, std::string_view project, const LearningSettings& settings,
                          std::string& task);
// The checks of an outcome: the status (success or failure) and the rule ids, split and without
// repeats. Throws LearningError (kInput).
std::vector<std::string> checked_outcome_rules(const OutcomeRequest& request);
// The task of a feedback (MarkRequest::task, OutcomeRequest::task), trimmed; empty for none.
// Throws LearningError (kInput) for text that is not UTF-8 or longer than a context's task.
std::string checked_feedback_task(std::string_view task);
// The session id a hook names, trimmed. Throws LearningError (kInput) when it is empty or not a
// short UTF-8 text.
std::string required_session(std::string_view session_id);
// A session's rules graded at its end (grade_session, on either store) through `outcome`: a
// failure as one outcome; a success as one outcome per task the rules were given for, so that
// each rule learns the words of its own task.
OutcomeResult grade_given(const std::vector<GivenRule>& rules, bool success, std::string_view failure_type, const std::string& session_id,
                          const std::function<OutcomeResult(const OutcomeRequest&)>& outcome);
// An outcome's signals, shared by every learning store: success credits each of `rules`, a failure
// blames them by blame.h's policy; each signal goes to `feedback` (the store's, in its transaction).
OutcomeResult apply_outcome(const OutcomeRequest& request, const std::vector<Bullet>& rules, double now,
                            const std::function<FeedbackResult(const FeedbackSignal&)>& feedback);

// cm context --budget: the budget's check (1 to 100000 tokens; throws LearningError, kInput), the
// candidates asked of the context per list (more would not fit a budget an agent gives context),
// and what of them fits, taken from the lists in turn. Shared by every learning store.
inline constexpr int kBudgetCandidates = 20;
void check_context_budget(std::int64_t tokens);
ContextResult fit_to_budget(const ContextResult& all, std::int64_t tokens);

// The newest signals of a rule cm why shows (oldest first); the counts on the rule cover them all.
inline constexpr int kMaxWhyFeedback = 1000;

// The inline feedback of a session's agent (common/rule_markers.h), shared by every learning store:
// each marker of a rule in `given` that `exists` grades it through `feedback` (the store's, in its
// transaction; origin "marker", once per session); a marker of any other rule is ignored.
MarkersResult apply_markers_to(const std::vector<FeedbackMarker>& markers, const std::vector<std::string>& given,
                               const std::string& session, double now, const std::function<bool(const std::string&)>& exists,
                               const std::function<FeedbackResult(const FeedbackSignal&)>& feedback);

// cm playbook import, shared by every learning store: the rules of an array of bullets or
// {"bullets": [...]} (content required; kind, tags, confidence, project, evidence_count optional),
// all checked before any is added (throws LearningError INVALID_IMPORT); then each added through
// `add` (the store's, in its transaction), a rule that duplicates an inverted one left unchanged.
std::vector<NewBullet> parse_import(const nlohmann::ordered_json& document);
ImportResult import_rules(const std::vector<NewBullet>& rules, const std::function<AddResult(const NewBullet&)>& add);

// The rules' part of stats() (counts by kind, source, maturity and reason, confidence, staleness)
// from every rule, retired ones too, at `now`, shared by every learning store; the store adds its
// feedback, reflection and history counts.
StatsResult rule_stats(const std::vector<Bullet>& rules, double now, const ConfidenceModel& model);

class LearningService {
 public:
  // Throws LearningError (STORE_SCHEMA_NEWER) or StoreError.
  explicit LearningService(sqlite3* db, LearningSettings settings = {});
  ~LearningService();
  LearningService(const LearningService&) = delete;
  LearningService& operator=(const LearningService&) = delete;

  // The specification's {task, relevantBullets[], antiPatterns[], historySnippets[]};
  // `limit` (default context_limit) applies to each list. Relevance is FTS5 BM25 over
  // the rule's content and tags, times the rule's decayed confidence (at least 0.1); history
  // snippets by BM25 over title, approach, snippet, task and agent type.
  // `project`: the task's (project_scope.h); its rules and every project's are given, no other's.
  ContextResult context(std::string_view task, std::optional<int> limit = std::nullopt, std::string_view project = {});
  // The context fitted into about `tokens` tokens (1 to 100,000): the most relevant rule, then
  // anti-pattern, then past task, then the second of each, and so on, each kept when its line
  // (context_text.h) still fits; `budget` says what was used and how many did not fit.
  ContextResult context_within(std::string_view task, std::int64_t tokens, std::string_view project = {});
  // The rules whose words are closest to `text` (Jaccard over content words), most similar first.
  SimilarResult similar(std::string_view text, int limit, bool include_retired);
  // As similar(), on the rules as they are indexed now, indexing nothing first: for a copy of a
  // team's playbook (playbook_mirror.h), which has no history of its own.
  SimilarResult similar_as_indexed(std::string_view text, int limit, bool include_retired);
  // The rule, the patterns it was learned from, every grade it got and the sessions behind them.
  WhyResult why(std::string_view id);
  // The `limit` most trusted active rules and anti-patterns (decayed confidence).
  PlaybookListResult top(int limit);
  // Active rules nothing has confirmed for `days` (default: the model's stale_after_days).
  StaleResult stale(std::optional<double> days);
  // Deletes a rule with its feedback, pattern links and session rows: for text that must not
  // stay in the store (a secret, a planted instruction). Unlike playbook_remove, nothing is kept.
  ForgetResult forget(std::string_view id);
  // The block of AGENTS.md (agents_md.h).
  AgentsMdExport export_agents_md(const AgentsMdOptions& options);
  // Undoes the newest feedback or change made through mark, outcome, playbook add, remove or
  // import (undo_journal.h); each call goes one further back. Throws LearningError
  // NOTHING_TO_UNDO, UNDO_CONFLICT (a row changed since by something else: nothing undone).
  UndoResult undo();
  MarkResult mark(const MarkRequest& request);
  OutcomeResult outcome(const OutcomeRequest& request);
  // Throws LearningError (INVALID_LIMIT, INVALID_OFFSET) for a page out of range.
  PlaybookListResult playbook_list(const PlaybookListRequest& request);
  PlaybookAddResult playbook_add(const NewBullet& bullet);
  PlaybookRemoveResult playbook_remove(std::string_view id);
  // Every bullet, retired ones too, in the form playbook_import() reads.
  PlaybookExport playbook_export();
  // Accepts an array of bullets or {"bullets": [...]} (content required; kind, tags,
  // confidence, evidence_count optional). All are checked before any is added.
  ImportResult playbook_import(const nlohmann::ordered_json& document);
  StatsResult stats();
  // The last `limit` reflection runs, newest first.
  std::vector<LastReflection> reflections(int limit);
  ReflectionReport reflect(std::string_view trigger = "manual");
  // The patterns of the latest reflection.
  PatternsResult patterns();

  // For a hook that keeps nothing between its calls (cm hook claude-code): the rules it gave a
  // session, and at the session's end its outcome for those given and not graded yet, each
  // graded once whatever the number of ends (session_rules.h). Rules removed meanwhile are
  // skipped. The session id is required.
  void remember_given(std::string_view session_id, const std::vector<std::string>& rule_ids, std::string_view task);
  std::vector<std::string> given_rules(std::string_view session_id);
  OutcomeResult grade_session(std::string_view session_id, bool success, std::string_view failure_type = {});
  // The inline feedback in what the session's agent wrote (common/rule_markers.h): each marker of a
  // rule the session was given grades it (origin "marker"), once per session; a marker of any
  // other rule is ignored. Before grade_session, so that the agent's own word comes first.
  MarkersResult apply_markers(std::string_view session_id, std::string_view agent_text);

  double now() const;
  const LearningSettings& settings() const { return settings_; }
  Playbook& playbook() { return playbook_; }

 private:
  // Each rule with its confidence at `t`.
  std::vector<BulletView> views(const std::vector<Bullet>& bullets, double t) const;
  std::vector<BulletView> active_views();
  BulletView view(const std::string& id, double t) const;
  // Before a search: new task events indexed (a few milliseconds after a busy day, nothing when
  // current) and each full-text index merged into one segment once it has grown
  // (history_index.h). Skipped, with a debug line, on a read-only store or one whose lock
  // another writer holds for more than a few milliseconds: the search goes on with what is
  // indexed. Returns why new tasks were left out, if some were.
  std::optional<std::string> refresh_search_indexes();
  SimilarResult find_similar(std::string_view text, int limit, bool include_retired, bool refresh);

  sqlite3* db_;
  LearningSettings settings_;
  Playbook playbook_;
  // Made by the first context() (rule_search.h): the thesaurus and the symptoms are
  // stemmed once per service.
  std::unique_ptr<FtsStemmer> stemmer_;
  std::unique_ptr<Thesaurus> thesaurus_;
  std::unique_ptr<Symptoms> symptoms_;
};

}  // namespace agentmetrics::learning
