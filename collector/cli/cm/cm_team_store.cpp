// `cm-team`'s store: whichever the configuration names, a team's PostgreSQL included (cm_store.h).
#include "collector/cli/cm/cm_store.h"

namespace agentmetrics::cli {

void hand_over_team_store(Session&, const Options&, char**) {}

std::unique_ptr<learning::LearningStore> open_store(const learning::LearningStoreOptions& options) {
  return learning::open_learning_store(options);
}

}  // namespace agentmetrics::cli
