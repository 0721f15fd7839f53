#include "collector/learning/sqlite_util.h"

#include <sqlite3.h>

#include <algorithm>
#include <thread>

#include "collector/store/sqlite_event_store.h"
#include "collector/store/sqlite_statement.h"

namespace agentmetrics::learning {

using store::SqliteStatement;

void run_write(sqlite3* db, const WriteRunner* runner, const std::function<void(sqlite3*)>& work) {
  if (runner && *runner) {
    (*runner)(work);
  } else {
    work(db);
  }
}

WritePacer::WritePacer(bool enabled) : enabled_(enabled) {}

void WritePacer::begin() { started_ = std::chrono::steady_clock::now(); }

void WritePacer::end() {
  if (!enabled_) return;
  const auto held = std::chrono::steady_clock::now() - started_;
  std::this_thread::sleep_for(std::clamp<std::chrono::steady_clock::duration>(held, kMinPause, kMaxPause));
}

std::optional<std::int64_t> state_int(sqlite3* db, std::string_view key) {
  SqliteStatement st(db, "SELECT value FROM learning_state WHERE key = ?");
  st.bind(1, key);
  if (!st.step() || st.column_is_null(0)) return std::nullopt;
  return st.column_int64(0);
}

void set_state_int(sqlite3* db, std::string_view key, std::int64_t value) {
  SqliteStatement st(db, "INSERT INTO learning_state(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  st.bind(1, key);
  st.bind(2, value);
  st.run();
}

std::int64_t event_batch_end(sqlite3* db, std::int64_t after, std::size_t batch, std::int64_t last) {
  SqliteStatement st(db, "SELECT id FROM events WHERE id > ? ORDER BY id LIMIT 1 OFFSET ?");
  st.bind(1, after);
  st.bind(2, static_cast<std::int64_t>(std::max<std::size_t>(batch, 1) - 1));
  return st.step() ? st.column_int64(0) : last;
}

}  // namespace agentmetrics::learning
