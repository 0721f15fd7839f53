// Where the store lives when nobody says: $AGENTMETRICS_STORE, else
// $XDG_STATE_HOME/agentmetrics/events.db, else ~/.local/state/agentmetrics/events.db. The
// collector, `agentmetrics kpi` and `cm` all find the same file this way.
#pragma once

#include <string>

namespace agentmetrics::store {

inline constexpr const char* kStorePathEnv = "AGENTMETRICS_STORE";

std::string default_store_path();
// Creates the store's directory (owner-only) if it is missing. Throws StoreError.
void ensure_store_directory(const std::string& store_path);

}  // namespace agentmetrics::store
