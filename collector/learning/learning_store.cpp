#include "collector/learning/learning_store.h"

#include <chrono>

#include "collector/learning/postgres_learning_store.h"
#include "collector/learning/sqlite_learning_store.h"

namespace agentmetrics::learning {

double LearningStore::now() const {
  if (settings().clock) return settings().clock();
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

ContextResult LearningStore::context_within(std::string_view task, std::int64_t tokens, std::string_view project) {
  check_context_budget(tokens);
  return fit_to_budget(context(task, kBudgetCandidates, project), tokens);
}

std::unique_ptr<LearningStore> open_learning_store(const LearningStoreOptions& options) {
  if (!options.url.empty()) return std::make_unique<PostgresLearningStore>(options.url, options.path, options.settings);
  return std::make_unique<SqliteLearningStore>(options.path, options.settings, options.mapped, options.lock_wait);
}

}  // namespace agentmetrics::learning
