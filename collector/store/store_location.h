// Where the store lives. Its path comes from the configuration (collector::load_configuration:
// a program's --store, else $AGENTMETRICS_STORE, else the file's store.path); when none of them
// names one, $XDG_STATE_HOME/agentmetrics/events.db, else ~/.local/state/agentmetrics/events.db.
// The collector, `agentmetrics kpi` and `cm` all find the same file this way; without $HOME,
// the home directory of the user in the password database, never a shared directory.
//
// The store holds the rules agents obey and the history they are shown: its directory must be
// writable by this user (or root) alone, else another user could plant a rule in it or swap the
// file (StoreError, kUnavailable, saying so); one that others can read is logged as a warning.
// The store's files are created owner-only (0600) whatever the umask.
#pragma once

#include <string>

namespace agentmetrics::store {

// `configured` (the configuration's store.path), or the default location when it is empty.
// Throws StoreError when there is no home directory to put the default in.
std::string store_path_for(const std::string& configured);
// Refuses a directory of `store_path` that another user owns or may write (see above). A
// directory that does not exist yet passes: it is made owner-only.
void check_store_directory(const std::string& store_path);
// Creates the store's file owner-only if it is missing, and makes an existing one (and its
// -wal and -shm) owner-only. Throws StoreError.
void secure_store_files(const std::string& store_path);
// Creates the store's directory (owner-only) if it is missing. Throws StoreError.
void ensure_store_directory(const std::string& store_path);

}  // namespace agentmetrics::store
