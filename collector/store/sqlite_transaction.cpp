#include "collector/store/sqlite_transaction.h"

#include <sqlite3.h>

#include <chrono>
#include <string>
#include <thread>

#include "collector/common/log.h"
#include "collector/store/store_error.h"

namespace agentmetrics::store {

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    throw StoreError("sqlite: " + message, sqlite3_extended_errcode(db) ? sqlite3_extended_errcode(db) : rc);
  }
}

void enable_wal(sqlite3* db, int wait_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    const int rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", nullptr, nullptr, nullptr);
    if (rc == SQLITE_OK) return;
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) {
      throw StoreError(std::string("sqlite: ") + sqlite3_errmsg(db), sqlite3_extended_errcode(db));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

Transaction::Transaction(sqlite3* db, Mode mode) : db_(db), mode_(mode), nested_(!sqlite3_get_autocommit(db)) {
  if (!nested_) {
    exec(db_, mode_ == Mode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  } else if (mode_ == Mode::kWrite) {
    exec(db_, "SAVEPOINT agentmetrics_nested");
  }
}

Transaction::~Transaction() {
  if (done_ || (nested_ && mode_ == Mode::kRead)) return;
  // A read has nothing to undo; a write left uncommitted is undone. Neither can throw here.
  const char* sql = mode_ == Mode::kRead ? "COMMIT" : nested_ ? "ROLLBACK TO agentmetrics_nested; RELEASE agentmetrics_nested" : "ROLLBACK";
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK && mode_ == Mode::kWrite) {
    log(LogLevel::kWarn, "store: could not roll back a transaction", {{"error", sqlite3_errmsg(db_)}});
  }
}

void Transaction::commit() {
  if (done_ || (nested_ && mode_ == Mode::kRead)) return;
  exec(db_, nested_ ? "RELEASE agentmetrics_nested" : "COMMIT");
  done_ = true;
}

}  // namespace agentmetrics::store
