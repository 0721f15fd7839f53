// A prepared SQLite statement that finalizes itself, with errors turned into StoreError.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace agentmetrics::store {

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql);
  ~SqliteStatement();
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  // Parameters are numbered from 1, as in SQL.
  void bind(int index, std::int64_t value);
  void bind(int index, double value);
  void bind(int index, std::string_view value);
  void bind_null(int index);
  // Steps once: true with a row to read, false when done. Throws StoreError on an error.
  bool step();
  // Steps to the end, for statements that return no rows.
  void run();
  void reset();

  // Columns are numbered from 0, as SQLite does.
  bool column_is_null(int index) const;
  int column_int(int index) const;
  std::int64_t column_int64(int index) const;
  double column_double(int index) const;
  std::string column_text(int index) const;

 private:
  [[noreturn]] void fail(const char* what) const;

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace agentmetrics::store
