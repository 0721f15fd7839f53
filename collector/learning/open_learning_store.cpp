// The one place that names both stores: a program that never calls open_learning_store() links
// no PostgreSQL (cm opens the embedded store itself, collector/cli/cm/cm_store.h).
#include "collector/learning/learning_store.h"
#include "collector/learning/postgres_learning_store.h"
#include "collector/learning/sqlite_learning_store.h"

namespace agentmetrics::learning {

std::unique_ptr<LearningStore> open_learning_store(const LearningStoreOptions& options) {
  if (!options.url.empty()) return std::make_unique<PostgresLearningStore>(options.url, options.path, options.settings);
  return std::make_unique<SqliteLearningStore>(options.path, options.settings, options.mapped, options.lock_wait);
}

}  // namespace agentmetrics::learning
