// The durable store of outcome events: one SQLite database in WAL mode. Events are keyed by
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

#include "collector/store/store_error.h"
#include "ipc/outcome_event.h"

struct sqlite3;

namespace agentmetrics::store {

class EventStore {
 public:
  static constexpr int kSchemaVersion = 2;
  // How long a connection waits for another writer's lock before SQLITE_BUSY.
  static constexpr int kBusyTimeoutMs = 5000;

  enum class Mode { kReadWrite, kReadOnly };
  // Opens (kReadWrite: creating and migrating) the store. Throws StoreError naming the path
  // and what is wrong: unreadable, not a database, corrupt, or of a newer schema.
  static std::unique_ptr<EventStore> open(const std::string& path, Mode mode);
  ~EventStore();
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Stores the events in one transaction; duplicates of stored events are skipped. Returns
  // how many were new. An event dated after `received_time` (a clock ahead, a false date) is
  // stored as happening then: nothing is kept as happening after the store got it (the writer
  // counts them: dated_after). Throws StoreError (disk full, read-only...) and then stores none.
  std::size_t insert(std::span<const ipc::OutcomeEvent> events, double received_time);
  // Stores the events as a fuller account of what they are about: an event whose key
  // (producer_id, sequence) is stored already replaces the stored one, unless that one is the
  // same or happened later. The replacement gets a new id (it is new to every reader that
  // follows ids) and the old id is kept in replaced_events. Used for what is recounted as it
  // grows (an imported session: docs/events.md, "Replaceable events"); events of the rings
  // are never replaced. Returns how many were stored or replaced; `outcomes`, when given,
  // receives what happened to each. `outranked_origin`: a stored event whose `origin` field is
  // this is replaced whatever its time (an import's account of a session, read from the agent's
  // own files, over what the agent's telemetry said: "otlp"). Throws StoreError.
  enum class Replaced { kStored, kReplaced, kKept };
  std::size_t replace(std::span<const ipc::OutcomeEvent> events, double received_time, std::vector<Replaced>* outcomes = nullptr,
                      std::string_view outranked_origin = {});
  // Removes the events the store received before `unix_seconds`, whatever time they claim;
  // returns how many. The oldest go first: events are kept in the order they were received.
  std::size_t delete_received_before(double unix_seconds);
  std::size_t count() const;
  int schema_version() const;
  const std::string& path() const { return path_; }
  // For read-only queries (the KPI engine, the learning side). Owned by the store.
  sqlite3* handle() const { return db_; }

 private:
  EventStore() = default;
  void exec_here(const char* sql) const;  // exec() with the store's path in the error
  void migrate();

  sqlite3* db_ = nullptr;
  std::string path_;
};

// The JSON text of an event's fields, as the store keeps them.
std::string fields_json(const ipc::OutcomeEvent& event);
// How many of `events` claim a time after `received_time` (insert() stores those as received).
std::size_t dated_after(std::span<const ipc::OutcomeEvent> events, double received_time);

}  // namespace agentmetrics::store
