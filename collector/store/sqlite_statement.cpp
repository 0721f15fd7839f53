#include "collector/store/sqlite_statement.h"

#include <sqlite3.h>

#include "collector/store/store_error.h"

namespace agentmetrics::store {

SqliteStatement::SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK) fail("prepare");
}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

void SqliteStatement::fail(const char* what) const {
  throw StoreError(std::string("sqlite ") + what + ": " + sqlite3_errmsg(db_), sqlite3_extended_errcode(db_));
}

void SqliteStatement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail("bind");
}

void SqliteStatement::bind(int index, double value) {
  if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) fail("bind");
}

void SqliteStatement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) != SQLITE_OK) fail("bind");
}

void SqliteStatement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail("bind");
}

bool SqliteStatement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail("step");
}

void SqliteStatement::run() {
  while (step()) {}
}

void SqliteStatement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

bool SqliteStatement::column_is_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }
int SqliteStatement::column_int(int index) const { return sqlite3_column_int(stmt_, index); }
std::int64_t SqliteStatement::column_int64(int index) const { return sqlite3_column_int64(stmt_, index); }
double SqliteStatement::column_double(int index) const { return sqlite3_column_double(stmt_, index); }

std::string SqliteStatement::column_text(int index) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, index));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index))) : std::string();
}

}  // namespace agentmetrics::store
