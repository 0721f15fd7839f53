// Which store a program uses, decided once from the configuration: a team store on PostgreSQL
// when store.url (or $AGENTMETRICS_STORE_URL) names one, else the SQLite file at store.path.
// Nothing past this point asks which one it got.
#pragma once

#include <memory>
#include <string>

#include "collector/store/event_store.h"

namespace agentmetrics::store {

struct StoreAddress {
  std::string url;   // postgresql://...; when set, `path` is not used
  std::string path;  // the SQLite file (store_path_for)
};

enum class StoreAccess { kReadWrite, kReadOnly };

// Opens the store (kReadWrite: creating and migrating it). Throws StoreError, whose message
// names the file or the URL without its password.
std::unique_ptr<EventStore> open_event_store(const StoreAddress& address, StoreAccess access);

// The store's name for messages: the path, or the URL without its password.
std::string store_name(const StoreAddress& address);

}  // namespace agentmetrics::store
