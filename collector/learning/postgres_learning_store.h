// The learning system on a team's PostgreSQL (learning_store.h): every sidecar, `cm` and plugin
// of the team reads and writes one playbook, one feedback log and one history index.
//
// Many writers at once: a rule's confidence is read, moved by the confidence model and written
// back with its row locked (SELECT ... FOR UPDATE) in the transaction that records the signal,
// and its counts are added to in SQL (helpful = helpful + w), so concurrent feedback on one rule
// is applied one signal after the other and none is lost. A new rule is inserted with
// ON CONFLICT on its id, so two processes adding the same rule at once store one and reinforce it.
//
// Search (context): the rules are ranked by the embedded store's own code (rule_search.h) on a
// local copy of the team's playbook that follows it by revision (playbook_mirror.h), so they come
// in the embedded store's order. Past tasks: the query words of the embedded store (content_words),
// the words found in more than frequent_term_share of the tasks left out as there
// (query_terms.h), the newest 100 matches kept, each ranked by FTS5's BM25 computed from the
// tsvector's weighted frequencies with the embedded store's column weights. docs/learning.md,
// "A team's playbook", states how close the answers come to the embedded store's.
//
// Reflection: one process of the team at a time, through a session-level advisory lock held on
// a connection of its own: when its holder dies its connection closes, PostgreSQL ends the
// session and the lock is free for the next one. It runs the embedded store's steps
// (reflection.h) over the team's history, the events of every sidecar in this database, and
// writes through the operations every other writer uses: patterns learned become rules by the
// same add (the content's hash locked, a duplicate reinforced) and reinforce with the rule's row
// locked (SELECT ... FOR UPDATE), task events' feedback by the same feedback transaction as
// `cm mark`, and the decay moves each rule's confidence with its row locked, so a `cm mark` from
// another machine at the same time is applied before or after, never lost. The task events'
// feedback is incremental: each event is applied once (its feedback rows name it), and the ids
// below the settled one (as the history's, a minute after they were seen) are not read again.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "collector/learning/learning_store.h"
#include "collector/store/postgres_connection.h"
#include "ipc/outcome_event.h"

struct sqlite3;

namespace agentmetrics::learning {

class FtsStemmer;
class PlaybookMirror;
class Symptoms;
class Thesaurus;

// The advisory lock key of the team's reflection (any constant every process of the team shares).
inline constexpr long long kReflectionLockKey = 0x616d7265666c6563;  // "amreflec"

class PostgresLearningStore final : public LearningStore {
 public:
  // Connects and creates or migrates the learning tables. `path`: the embedded store's path on
  // this machine; the copy of the playbook is kept beside it (`<path>.team-playbook`), or in
  // memory when it is empty. Throws LearningError (TEAM_STORE_UNREACHABLE) when the server does
  // not answer.
  PostgresLearningStore(const std::string& url, const std::string& path, LearningSettings settings);
  ~PostgresLearningStore() override;

  std::string name() const override { return connection_->name(); }
  ContextResult context(std::string_view task, std::optional<int> limit, std::string_view project) override;
  MarkResult mark(const MarkRequest& request) override;
  OutcomeResult outcome(const OutcomeRequest& request) override;
  PlaybookAddResult playbook_add(const NewBullet& bullet) override;
  // In one transaction: every rule of the document, or none.
  ImportResult playbook_import(const nlohmann::ordered_json& document) override;
  PlaybookListResult playbook_list(const PlaybookListRequest& request) override;
  // On the copy of the playbook (playbook_mirror.h), brought up to date first; it holds the
  // rules, not their links to patterns.
  PlaybookListResult top(int limit) override;
  SimilarResult similar(std::string_view text, int limit, bool include_retired) override;
  StaleResult stale(std::optional<double> days) override;
  // The rules' counts as playbook_list reads them; the signals, reflections and past tasks of the
  // team's tables.
  StatsResult stats() override;
  std::vector<LastReflection> reflections(int limit) override;
  AgentsMdExport export_agents_md(const AgentsMdOptions& options) override;
  PlaybookExport playbook_export() override;
  PlaybookRemoveResult playbook_remove(std::string_view id) override;
  // Deletes the rule with its feedback, pattern links and session rows, and leaves its number in
  // bullet_deletions so that every machine's copy deletes it too (securely: secure_delete, its
  // full-text index merged). PostgreSQL keeps the dead rows until VACUUM.
  ForgetResult forget(std::string_view id) override;
  UndoResult undo() override;
  std::unique_ptr<ReflectionLease> try_reflection_lease() override;
  std::optional<ReflectionReport> reflect(std::string_view trigger, const std::atomic<bool>* cancel, const WriteRunner* runner) override;
  std::optional<double> last_reflection_started() override;
  sqlite3* readable_rules() override { return follow(); }

  std::optional<Bullet> find(std::string_view id) override;
  WhyResult why(std::string_view id) override;
  PatternsResult patterns() override;
  std::vector<std::string> given_rules(std::string_view session_id) override;
  void remember_given(std::string_view session_id, const std::vector<std::string>& rule_ids, std::string_view task) override;
  // The session's rules not graded yet are taken and graded in one transaction, so that two ends
  // of one session, on two machines, grade each rule once.
  OutcomeResult grade_session(std::string_view session_id, bool success, std::string_view failure_type) override;
  MarkersResult apply_markers(std::string_view session_id, std::string_view agent_text) override;
  const LearningSettings& settings() const override { return settings_; }
  // Indexes task events for the context's past tasks: (the event's id in the team's event store,
  // the event); events of other kinds are skipped, an id indexed already is replaced (a fuller
  // account of the same task). One transaction. Returns how many were indexed. context() indexes
  // the team's stored events itself (catch_up_history); this is for events from elsewhere.
  std::size_t index_tasks(std::span<const std::pair<std::int64_t, ipc::OutcomeEvent>> tasks);
  std::int64_t indexed_tasks();

 private:
  template <typename Work>
  auto run(const char* what, Work&& work);
  // The rules `filter` selects with their confidence at `t`, in Playbook::list's order.
  std::vector<BulletView> listed(const Playbook::Filter& filter, double t);
  // The copy of the playbook brought up to date, and the embedded store's service over it for
  // the reading operations.
  LearningService& followed();
  // Indexes the team's task events (the event store's `events` in this database, written by
  // every sidecar) that are not indexed yet, a batch at a time, one process at a time. Returns
  // why some were not searched, if some were not.
  std::optional<std::string> catch_up_history(pqxx::connection& c);
  // The steps of reflect() on the team store.
  std::size_t index_history(const std::atomic<bool>* cancel);
  TaskFeedbackTally apply_task_feedback(const std::atomic<bool>* cancel);
  void store_patterns(const ReflectionReport& report, double now);
  void write_learned_rules(const std::vector<LearnedRule>& learned, double now, ReflectionReport& report);
  DecayResult decay_all(double now, const std::atomic<bool>* cancel);
  sqlite3* follow();

  std::string url_;  // with its password: never written out (name() is without it)
  std::string mirror_path_;
  LearningSettings settings_;
  std::unique_ptr<store::PostgresConnection> connection_;
  std::unique_ptr<PlaybookMirror> mirror_;
  std::unique_ptr<LearningService> mirror_service_;
  // Made by the first context(), as LearningService's.
  std::unique_ptr<FtsStemmer> stemmer_;
  std::unique_ptr<Thesaurus> thesaurus_;
  std::unique_ptr<Symptoms> symptoms_;
};

}  // namespace agentmetrics::learning
