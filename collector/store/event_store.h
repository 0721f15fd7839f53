// The durable store of outcome events, as its writers and readers see it: one interface with
// two implementations, chosen once from the configuration (store_factory.h): SQLite on one
// machine (sqlite_event_store.h), PostgreSQL for a team's sidecars sharing one store
// (postgres_event_store.h). Events are keyed by (producer_id, sequence) in both, so storing the
// same event twice keeps one copy, whichever sidecar stores it.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "collector/store/event_rows.h"
#include "ipc/outcome_event.h"

namespace agentmetrics::store {

class ImportMarks;

class EventStore {
 public:
  virtual ~EventStore() = default;
  EventStore() = default;
  EventStore(const EventStore&) = delete;
  EventStore& operator=(const EventStore&) = delete;

  // Stores the events in one transaction; duplicates of stored events are skipped. Returns
  // how many were new. An event dated after `received_time` (a clock ahead, a false date) is
  // stored as happening then. Throws StoreError (disk full, read-only, database gone...) and
  // then stores none.
  virtual std::size_t insert(std::span<const ipc::OutcomeEvent> events, double received_time) = 0;
  // Stores the events as a fuller account of what they are about: an event whose key
  // (producer_id, sequence) is stored already replaces the stored one, unless that one is the
  // same or happened later. The replacement gets a new id (it is new to every reader that
  // follows ids) and the old id is kept in replaced_events. Used for what is recounted as it
  // grows (an imported session: docs/events.md, "Replaceable events"); events of the rings
  // are never replaced. Returns how many were stored or replaced; `outcomes`, when given,
  // receives what happened to each. `outranked_origin`: a stored event whose `origin` field is
  // this is replaced whatever its time. Throws StoreError.
  enum class Replaced { kStored, kReplaced, kKept };
  virtual std::size_t replace(std::span<const ipc::OutcomeEvent> events, double received_time, std::vector<Replaced>* outcomes = nullptr,
                              std::string_view outranked_origin = {}) = 0;
  // insert(inserted) and replace(replacing) in one transaction: both or neither are stored.
  virtual std::size_t store_batch(std::span<const ipc::OutcomeEvent> inserted, std::span<const ipc::OutcomeEvent> replacing,
                                  double received_time) = 0;
  // Removes the events the store received before `unix_seconds`, whatever time they claim;
  // returns how many.
  virtual std::size_t delete_received_before(double unix_seconds) = 0;
  virtual std::size_t count() const = 0;
  // Where the store is, for messages: a path, or a URL without its password.
  virtual std::string name() const = 0;

  // Runs a read written in the stores' shared notation (event_sql.h), with ?1, ?2... bound to
  // `parameters` and ?t1, ?t2... to `texts`; the rows are read before it returns. Throws
  // StoreError, and std::invalid_argument for SQL outside the notation.
  virtual std::unique_ptr<EventRows> read(std::string_view sql, std::span<const double> parameters,
                                          std::span<const std::string> texts) const = 0;
  std::unique_ptr<EventRows> read(std::string_view sql, std::span<const double> parameters) const { return read(sql, parameters, {}); }
  // Until the snapshot is destroyed, this store's reads see one state of the store (the
  // collector may commit between two of them). Throws StoreError.
  virtual std::unique_ptr<ReadSnapshot> snapshot() const = 0;
  // The session import's marks kept in this store (import_marks.h), written with its events.
  // `writable`: creates or migrates their tables; read-only on a store without them: no marks.
  // Throws StoreError (kNewerSchema for tables of a newer program). One importer at a time uses
  // a store and its marks.
  virtual std::unique_ptr<ImportMarks> import_marks(bool writable) = 0;
};

// The JSON text of an event's fields, as the stores keep them.
std::string fields_json(const ipc::OutcomeEvent& event);
// How many of `events` claim a time after `received_time` (insert() stores those as received).
std::size_t dated_after(std::span<const ipc::OutcomeEvent> events, double received_time);

}  // namespace agentmetrics::store
