#include "tests/support/stored_events.h"

#include <sys/stat.h>

#include <thread>

#include "collector/store/sqlite_event_store.h"
#include "collector/store/sqlite_statement.h"

namespace agentmetrics::testing {

std::vector<StoredEvent> stored_events(const std::string& store_path) {
  struct stat st {};
  if (::stat(store_path.c_str(), &st) != 0) return {};
  std::vector<StoredEvent> out;
  try {
    auto store = store::SqliteEventStore::open(store_path, store::SqliteEventStore::Mode::kReadOnly);
    store::SqliteStatement q(store->handle(), "SELECT kind, time, fields FROM events ORDER BY time, id");
    while (q.step()) out.push_back(StoredEvent{q.column_text(0), q.column_double(1), nlohmann::json::parse(q.column_text(2))});
  } catch (const store::StoreError&) {
    return {};  // created but not migrated yet: nothing stored
  }
  return out;
}

std::vector<StoredEvent> wait_for_stored_events(const std::string& store_path, std::size_t count, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<StoredEvent> events = stored_events(store_path);
  while (events.size() < count && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    events = stored_events(store_path);
  }
  return events;
}

}  // namespace agentmetrics::testing
