#include "collector/learning/learning_store.h"

#include "collector/common/unix_time.h"

namespace agentmetrics::learning {

double LearningStore::now() const { return unix_now(settings().clock); }

ContextResult LearningStore::context_within(std::string_view task, std::int64_t tokens, std::string_view project) {
  check_context_budget(tokens);
  return fit_to_budget(context(task, kBudgetCandidates, project), tokens);
}

}  // namespace agentmetrics::learning
