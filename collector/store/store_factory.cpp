#include "collector/store/store_factory.h"

#include "collector/store/postgres_event_store.h"
#include "collector/store/sqlite_event_store.h"
#include "collector/store/store_url.h"

namespace agentmetrics::store {

std::unique_ptr<EventStore> open_event_store(const StoreAddress& address, StoreAccess access) {
  // PostgreSQL's readers connect as its writers do; the schema is migrated by whoever comes first.
  if (!address.url.empty()) return PostgresEventStore::open(address.url);
  return SqliteEventStore::open(address.path,
                                access == StoreAccess::kReadOnly ? SqliteEventStore::Mode::kReadOnly : SqliteEventStore::Mode::kReadWrite);
}

std::string store_name(const StoreAddress& address) { return address.url.empty() ? address.path : redacted(address.url); }

}  // namespace agentmetrics::store
