// Where the store lives. Its path comes from the configuration (collector::load_configuration:
// a program's --store, else $AGENTMETRICS_STORE, else the file's store.path); when none of them
// names one, $XDG_STATE_HOME/agentmetrics/events.db, else ~/.local/state/agentmetrics/events.db.
// The collector, `agentmetrics kpi` and `cm` all find the same file this way.
#pragma once

#include <string>

namespace agentmetrics::store {

// `configured` (the configuration's store.path), or the default location when it is empty.
std::string store_path_for(const std::string& configured);
// Creates the store's directory (owner-only) if it is missing. Throws StoreError.
void ensure_store_directory(const std::string& store_path);

}  // namespace agentmetrics::store
