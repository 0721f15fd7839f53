// Where the learning system keeps its playbook, feedback, history index and reflection runs, as
// the team-facing operations use it: one interface with two implementations, chosen once by
// open_learning_store() from the configuration. SQLite (sqlite_learning_store.h) is the
// embedded default, in the same file as the outcome events; PostgreSQL
// (postgres_learning_store.h) is a team's one store, shared by every sidecar, `cm` and plugin.
//
// The operations answer the same typed results (learning_results.h) on both, so every front-end
// prints them alike. Feedback never loses a signal to a concurrent writer on either: SQLite
// serializes its writers; PostgreSQL locks the rule's row for the read-modify-write of its
// confidence and adds to its counts in SQL.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "collector/learning/learning_results.h"
#include "collector/learning/learning_service.h"
#include "collector/learning/reflection.h"
#include "collector/learning/sqlite_util.h"

struct sqlite3;

namespace agentmetrics::learning {

// The right to run a reflection, held by one process of the team at a time; released when it is
// destroyed or when its holder dies (its connection, or its file lock, goes with it).
class ReflectionLease {
 public:
  virtual ~ReflectionLease() = default;
  ReflectionLease() = default;
  ReflectionLease(const ReflectionLease&) = delete;
  ReflectionLease& operator=(const ReflectionLease&) = delete;
};

class LearningStore {
 public:
  virtual ~LearningStore() = default;
  LearningStore() = default;
  LearningStore(const LearningStore&) = delete;
  LearningStore& operator=(const LearningStore&) = delete;

  // Where the store is, for messages: a path, or a URL without its password.
  virtual std::string name() const = 0;

  // As LearningService's operations of the same names.
  virtual ContextResult context(std::string_view task, std::optional<int> limit, std::string_view project) = 0;
  // The context that fits `tokens` (cm context --budget), on either store.
  ContextResult context_within(std::string_view task, std::int64_t tokens, std::string_view project);
  virtual MarkResult mark(const MarkRequest& request) = 0;
  virtual OutcomeResult outcome(const OutcomeRequest& request) = 0;
  virtual PlaybookAddResult playbook_add(const NewBullet& bullet) = 0;
  virtual ImportResult playbook_import(const nlohmann::ordered_json& document) = 0;
  virtual PlaybookListResult playbook_list(const PlaybookListRequest& request) = 0;
  virtual PlaybookListResult top(int limit) = 0;
  virtual SimilarResult similar(std::string_view text, int limit, bool include_retired) = 0;
  virtual StaleResult stale(std::optional<double> days) = 0;
  virtual StatsResult stats() = 0;
  // The last `limit` reflection runs, newest first.
  virtual std::vector<LastReflection> reflections(int limit) = 0;
  // The rule of that id, retired or not (without its links to patterns on a team store).
  virtual std::optional<Bullet> find(std::string_view id) = 0;
  virtual WhyResult why(std::string_view id) = 0;
  // The patterns of the latest reflection.
  virtual PatternsResult patterns() = 0;
  // The rules a hook gave the session (session_rules.h), first given first.
  virtual std::vector<std::string> given_rules(std::string_view session_id) = 0;
  // As LearningService's: the rules a hook gave a session, the session's grade at its end, and
  // the inline feedback of its agent.
  // `task`: what the rules were given for (the prompt), whose words a success teaches them; empty:
  // none (learned_words.h).
  virtual void remember_given(std::string_view session_id, const std::vector<std::string>& rule_ids, std::string_view task) = 0;
  virtual OutcomeResult grade_session(std::string_view session_id, bool success, std::string_view failure_type) = 0;
  virtual MarkersResult apply_markers(std::string_view session_id, std::string_view agent_text) = 0;
  virtual const LearningSettings& settings() const = 0;
  // Unix seconds: the settings' clock, else the system's.
  double now() const;
  virtual AgentsMdExport export_agents_md(const AgentsMdOptions& options) = 0;
  virtual PlaybookExport playbook_export() = 0;
  virtual PlaybookRemoveResult playbook_remove(std::string_view id) = 0;
  virtual ForgetResult forget(std::string_view id) = 0;
  // Throws LearningError TEAM_STORE_UNSUPPORTED on a team store: undo applies SQLite session
  // changesets of the embedded store's own rows (undo_journal.h).
  virtual UndoResult undo() = 0;

  // The lease for one reflection, or null when another process holds it. Never waits.
  virtual std::unique_ptr<ReflectionLease> try_reflection_lease() = 0;
  // One reflection (reflection.h) under the lease, over every event of the store (on a team
  // store: what every sidecar stored), writing into its playbook; nullopt, and nothing done,
  // when another process holds the lease. `cancel` ends it at its next step; `runner`: where the
  // embedded store's write transactions run (sqlite_util.h; a team store's run on the caller's
  // thread). Throws as run_reflection; the run is then recorded with status "error".
  virtual std::optional<ReflectionReport> reflect(std::string_view trigger, const std::atomic<bool>* cancel, const WriteRunner* runner) = 0;
  // When the store's last reflection started, if one ran.
  virtual std::optional<double> last_reflection_started() = 0;
  // The rules in the embedded store's tables, to read (the playbook's gauges): the store itself,
  // or this machine's copy of the team's playbook brought up to date (playbook_mirror.h).
  virtual sqlite3* readable_rules() = 0;
};

struct LearningStoreOptions {
  std::string url;   // a team store (postgresql://...): wins over `path` when given
  std::string path;  // the SQLite store, created when missing
  LearningSettings settings;
  // The embedded store's pages read through a mapping: faster for cm, which lives for one
  // command; a long-lived process (the collector) keeps SQLite's own cache.
  bool mapped = true;
  // How long the embedded store waits for another writer's lock; zero: the store's own wait
  // (SqliteEventStore::kBusyTimeoutMs). The HTTP API waits less, to keep no worker long.
  std::chrono::milliseconds lock_wait{0};
};

// The store the options name, opened (and its learning tables created or migrated). Throws
// LearningError: TEAM_STORE_UNREACHABLE (exit 4) when PostgreSQL does not answer; StoreError for
// an embedded store that cannot be opened.
std::unique_ptr<LearningStore> open_learning_store(const LearningStoreOptions& options);

}  // namespace agentmetrics::learning
