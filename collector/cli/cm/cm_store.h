// How a cm program opens its learning store. Two programs share every other file of cm. `cm`
// opens the embedded store (SQLite) only, so that it starts without loading libpq and the
// two dozen libraries behind it (some 12 ms of CPU at every start, docs/benchmarks.md: cm runs
// before every task an agent starts); a command whose configuration names a team's PostgreSQL
// (store.url) it hands over to `cm-team`, installed beside it, which opens either.
#pragma once

#include <memory>

#include "collector/cli/cm/cm_session.h"
#include "collector/learning/learning_store.h"

namespace agentmetrics::cli {

// Called before a command reads any input: in `cm`, when the store in effect is a team's
// PostgreSQL, replaces this process by cm-team with the same arguments (and returns only when
// that fails, for open_store to report); in `cm-team`, does nothing.
void hand_over_team_store(Session& session, const Options& o, char** argv);

// The store the options name. Throws LearningError: TEAM_STORE_UNAVAILABLE (exit 3) from `cm`
// for a team's store, when cm-team could not be started.
std::unique_ptr<learning::LearningStore> open_store(const learning::LearningStoreOptions& options);

}  // namespace agentmetrics::cli
