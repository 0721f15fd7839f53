// The learning system in the embedded store (learning_store.h): the SQLite file of the outcome
// events, with the learning tables beside them, worked on by LearningService.
#pragma once

#include <memory>
#include <string>

#include "collector/learning/learning_store.h"
#include "collector/store/sqlite_event_store.h"

namespace agentmetrics::learning {

class SqliteLearningStore final : public LearningStore {
 public:
  // Opens (creating) the store at `path` and its learning tables. Throws StoreError or
  // LearningError.
  SqliteLearningStore(const std::string& path, LearningSettings settings, bool mapped = true);

  std::string name() const override { return store_->path(); }
  ContextResult context(std::string_view task, std::optional<int> limit, std::string_view project) override {
    return service_->context(task, limit, project);
  }
  MarkResult mark(const MarkRequest& request) override { return service_->mark(request); }
  OutcomeResult outcome(const OutcomeRequest& request) override { return service_->outcome(request); }
  PlaybookAddResult playbook_add(const NewBullet& bullet) override { return service_->playbook_add(bullet); }
  PlaybookListResult playbook_list(const PlaybookListRequest& request) override { return service_->playbook_list(request); }
  PlaybookListResult top(int limit) override { return service_->top(limit); }
  StaleResult stale(std::optional<double> days) override { return service_->stale(days); }
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
  sqlite3* readable_rules() override { return store_->handle(); }
  LearningService& service() override { return *service_; }

 private:
  ReflectionSettings reflection_;
  std::function<double()> clock_;
  std::unique_ptr<store::SqliteEventStore> store_;
  std::unique_ptr<LearningService> service_;
};

}  // namespace agentmetrics::learning
