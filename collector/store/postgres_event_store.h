// The PostgreSQL implementation of the event store (event_store.h): a team's sidecars share one
// database. Events are keyed by (producer_id, sequence) as in SQLite and stored with
// INSERT ... ON CONFLICT DO NOTHING, so two collectors that read the same segment, or a
// collector replaying its spool, store one row; any number of sidecars write at once.
//
// Schema (version 1 of this database's own history, the same tables as SQLite's version 2):
//   events(id BIGSERIAL PRIMARY KEY, producer_id BIGINT, sequence BIGINT, kind TEXT,
//          time DOUBLE PRECISION, received DOUBLE PRECISION, fields JSONB,
//          UNIQUE(producer_id, sequence)), indexes on (kind, time) and (received);
//   replaced_events(by BIGINT PRIMARY KEY, id BIGINT);
//   am_num(fields, key): a field as a number (booleans 1/0), and the aggregate total(), for the
//   readers' notation (event_sql.h).
// The version is kept in agentmetrics_schema; migrations run in one transaction under an
// advisory lock, so sidecars starting together migrate once; a newer schema is refused.
#pragma once

#include <memory>
#include <optional>
#include <pqxx/transaction>
#include <string>

#include "collector/store/event_store.h"
#include "collector/store/postgres_connection.h"

namespace agentmetrics::store {

class PostgresEventStore final : public EventStore {
 public:
  static constexpr int kSchemaVersion = 1;

  // Connects and migrates. Throws StoreError (kUnavailable when the server cannot be reached,
  // kNewerSchema), its message naming the URL without the password.
  static std::unique_ptr<PostgresEventStore> open(const std::string& url);
  ~PostgresEventStore() override;

  std::size_t insert(std::span<const ipc::OutcomeEvent> events, double received_time) override;
  std::size_t replace(std::span<const ipc::OutcomeEvent> events, double received_time, std::vector<Replaced>* outcomes = nullptr,
                      std::string_view outranked_origin = {}) override;
  std::size_t store_batch(std::span<const ipc::OutcomeEvent> inserted, std::span<const ipc::OutcomeEvent> replacing,
                          double received_time) override;
  std::size_t delete_received_before(double unix_seconds) override;
  std::size_t count() const override;
  std::string name() const override { return connection_.name(); }
  using EventStore::read;
  std::unique_ptr<EventRows> read(std::string_view sql, std::span<const double> parameters,
                                  std::span<const std::string> texts) const override;
  std::unique_ptr<ReadSnapshot> snapshot() const override;
  std::unique_ptr<ImportMarks> import_marks(bool writable) override;
  int schema_version() const;
  // replace() inside a transaction of the caller's (the import marks' batch).
  static std::size_t replace_in_transaction(pqxx::transaction_base& tx, std::span<const ipc::OutcomeEvent> events, double received_time,
                                            std::vector<Replaced>* outcomes, std::string_view outranked_origin);

 private:
  class Snapshot;
  explicit PostgresEventStore(const std::string& url);
  void migrate();
  // Runs `work` in a transaction, turning libpqxx's errors into StoreErrors (a broken
  // connection is opened again by the next call).
  template <typename Work>
  auto in_transaction(Work&& work) const;

  mutable PostgresConnection connection_;
  // The transaction of the snapshot being read, if any (reads outside one run on their own).
  mutable pqxx::transaction_base* snapshot_ = nullptr;
};

}  // namespace agentmetrics::store
