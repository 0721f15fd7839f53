// The SQLite implementation of the event store (event_store.h): one database in WAL mode, the
// default on one machine and the format of a team store's local spool. Events are keyed by
// (producer_id, sequence), so storing the same event twice keeps one copy; that is what makes
// a collector restarted after SIGKILL exactly-once (it may read a frame again, never lose it).
//
// Schema (version 2):
//   events(id INTEGER PRIMARY KEY, producer_id INTEGER, sequence INTEGER, kind TEXT,
//          time REAL, received REAL, fields TEXT, UNIQUE(producer_id, sequence))
//   `time` is when the event happened and `received` when the store took it (Unix seconds;
//   a `time` after `received` is stored as `received`, and retention goes by `received`);
//   `fields` is a JSON object of the event's fields (text, numbers, and booleans as true/false,
//   which json_extract reads as 1/0). Index on (kind, time).
//   replaced_events(by INTEGER PRIMARY KEY, id INTEGER): event `id` was replaced by event `by`
//   (replace() below), so that a reader that follows events by id (the history index) can
//   drop what it took from the old one when it reaches the new one.
// The schema version is SQLite's user_version; opening an older store migrates it forward in
// one transaction, opening a newer one is refused.
#pragma once

#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "collector/store/event_store.h"
#include "collector/store/store_error.h"
#include "ipc/outcome_event.h"

struct sqlite3;

namespace agentmetrics::store {

class SqliteEventStore final : public EventStore {
 public:
  static constexpr int kSchemaVersion = 2;
  // How long a connection waits for another writer's lock before SQLITE_BUSY.
  static constexpr int kBusyTimeoutMs = 5000;

  enum class Mode { kReadWrite, kReadOnly };
  // Opens (kReadWrite: creating and migrating) the store. Throws StoreError naming the path
  // and what is wrong: unreadable, not a database, corrupt, or of a newer schema.
  static std::unique_ptr<SqliteEventStore> open(const std::string& path, Mode mode);
  ~SqliteEventStore() override;

  std::size_t insert(std::span<const ipc::OutcomeEvent> events, double received_time) override;
  std::size_t replace(std::span<const ipc::OutcomeEvent> events, double received_time, std::vector<Replaced>* outcomes = nullptr,
                      std::string_view outranked_origin = {}) override;
  std::size_t store_batch(std::span<const ipc::OutcomeEvent> inserted, std::span<const ipc::OutcomeEvent> replacing,
                          double received_time) override;
  // The oldest go first: events are kept in the order they were received.
  std::size_t delete_received_before(double unix_seconds) override;
  std::size_t count() const override;
  std::string name() const override { return path_; }
  using EventStore::read;
  std::unique_ptr<EventRows> read(std::string_view sql, std::span<const double> parameters,
                                  std::span<const std::string> texts) const override;
  std::unique_ptr<ReadSnapshot> snapshot() const override;
  std::unique_ptr<ImportMarks> import_marks(bool writable) override;
  int schema_version() const;
  const std::string& path() const { return path_; }
  // For read-only queries (the KPI engine, the learning side). Owned by the store.
  sqlite3* handle() const { return db_; }

 private:
  SqliteEventStore() = default;
  void exec_here(const char* sql) const;  // exec() with the store's path in the error
  void migrate();

  sqlite3* db_ = nullptr;
  std::string path_;
};

}  // namespace agentmetrics::store
