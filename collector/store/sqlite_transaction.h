// Statements run for their effect, and transactions that end themselves. One helper for the
// store, the KPI engine and the learning tables: each used to have its own, and only the KPI
// engine's tolerated a transaction already open on the connection.
#pragma once

struct sqlite3;

namespace agentmetrics::store {

// Runs SQL without results; throws StoreError with SQLite's result code.
void exec(sqlite3* db, const char* sql);

// PRAGMA journal_mode=WAL, retried while another connection holds the file for up to `wait_ms`.
// SQLite tries the exclusive lock this needs once, without the busy handler: processes that
// open a new store together would otherwise fail with "database is locked".
void enable_wal(sqlite3* db, int wait_ms);

// kWrite: BEGIN IMMEDIATE ... COMMIT, rolled back when destroyed uncommitted (an exception).
// kRead: BEGIN DEFERRED, a snapshot that several queries share; ended when destroyed.
// Inside a transaction the caller already holds, a write becomes a savepoint (its rollback
// undoes only its own part) and a read joins the caller's snapshot.
class Transaction {
 public:
  enum class Mode { kRead, kWrite };
  Transaction(sqlite3* db, Mode mode);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Makes a write durable (or releases its savepoint). Throws StoreError; the destructor
  // then rolls back.
  void commit();

 private:
  sqlite3* db_;
  Mode mode_;
  bool nested_;
  bool done_ = false;
};

}  // namespace agentmetrics::store
