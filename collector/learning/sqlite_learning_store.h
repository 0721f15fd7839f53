// The learning system in the embedded store (learning_store.h): the SQLite file of the outcome
// events, with the learning tables beside them, worked on by LearningService.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "collector/learning/learning_store.h"
#include "collector/store/sqlite_event_store.h"

namespace agentmetrics::learning {

class SqliteLearningStore final : public LearningStore {
 public:
  // Opens (creating) the store at `path` and its learning tables; `lock_wait`: as
  // LearningStoreOptions'. Throws StoreError or LearningError.
  SqliteLearningStore(const std::string& path, LearningSettings settings, bool mapped = true,
                      std::chrono::milliseconds lock_wait = std::chrono::milliseconds(0));
  // On a connection the caller keeps open (a read-only one: what reads the playbook of a store it
  // must not write). Throws LearningError when the store has no learning tables and the
  // connection cannot create them.
  SqliteLearningStore(sqlite3* borrowed, LearningSettings settings);

  std::string name() const override { return path_; }
  ContextResult context(std::string_view task, std::optional<int> limit, std::string_view project) override {
    return service_->context(task, limit, project);
  }
  MarkResult mark(const MarkRequest& request) override { return service_->mark(request); }
  OutcomeResult outcome(const OutcomeRequest& request) override { return service_->outcome(request); }
  PlaybookAddResult playbook_add(const NewBullet& bullet) override { return service_->playbook_add(bullet); }
  ImportResult playbook_import(const nlohmann::ordered_json& document) override { return service_->playbook_import(document); }
  PlaybookListResult playbook_list(const PlaybookListRequest& request) override { return service_->playbook_list(request); }
  PlaybookListResult top(int limit) override { return service_->top(limit); }
  SimilarResult similar(std::string_view text, int limit, bool include_retired) override {
    return service_->similar(text, limit, include_retired);
  }
  StaleResult stale(std::optional<double> days) override { return service_->stale(days); }
  StatsResult stats() override { return service_->stats(); }
  std::vector<LastReflection> reflections(int limit) override { return service_->reflections(limit); }
  std::optional<Bullet> find(std::string_view id) override { return service_->playbook().find(id); }
  WhyResult why(std::string_view id) override { return service_->why(id); }
  PatternsResult patterns() override { return service_->patterns(); }
  std::vector<std::string> given_rules(std::string_view session_id) override { return service_->given_rules(session_id); }
  void remember_given(std::string_view session_id, const std::vector<std::string>& rule_ids, std::string_view task) override {
    service_->remember_given(session_id, rule_ids, task);
  }
  OutcomeResult grade_session(std::string_view session_id, bool success, std::string_view failure_type) override {
    return service_->grade_session(session_id, success, failure_type);
  }
  MarkersResult apply_markers(std::string_view session_id, std::string_view agent_text) override {
    return service_->apply_markers(session_id, agent_text);
  }
  const LearningSettings& settings() const override { return service_->settings(); }
  AgentsMdExport export_agents_md(const AgentsMdOptions& options) override { return service_->export_agents_md(options); }
  PlaybookExport playbook_export() override { return service_->playbook_export(); }
  PlaybookRemoveResult playbook_remove(std::string_view id) override { return service_->playbook_remove(id); }
  ForgetResult forget(std::string_view id) override { return service_->forget(id); }
  UndoResult undo() override { return service_->undo(); }
  // A lock on the file beside the store (`<path>.reflection-lock`, flock): the processes of one
  // machine that share the store reflect one at a time.
  std::unique_ptr<ReflectionLease> try_reflection_lease() override;
  std::optional<ReflectionReport> reflect(std::string_view trigger, const std::atomic<bool>* cancel, const WriteRunner* runner) override;
  std::optional<double> last_reflection_started() override;
  sqlite3* readable_rules() override { return db_; }

 private:
  ReflectionSettings reflection_;
  std::unique_ptr<store::SqliteEventStore> store_;  // null on a borrowed connection
  sqlite3* db_ = nullptr;
  std::string path_;
  std::unique_ptr<LearningService> service_;
};

}  // namespace agentmetrics::learning
