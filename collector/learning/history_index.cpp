#include "collector/learning/history_index.h"

#include <sqlite3.h>

#include "collector/store/sqlite_statement.h"
#include "collector/store/sqlite_transaction.h"
#include "collector/learning/sqlite_util.h"
#include "collector/learning/text_tokens.h"

namespace agentmetrics::learning {
namespace {

using store::exec;
using store::SqliteStatement;
using store::Transaction;

constexpr std::string_view kWatermark = "history_watermark";
constexpr std::string_view kMinId = "history_min_id";
constexpr std::string_view kCount = "history_count";

std::int64_t scalar(sqlite3* db, const char* sql) {
  SqliteStatement st(db, sql);
  return st.step() && !st.column_is_null(0) ? st.column_int64(0) : 0;
}

}  // namespace

bool compact_fts_index(sqlite3* db, std::string_view fts_table, std::string_view state_key, std::int64_t documents,
                       std::int64_t min_documents) {
  if (documents < min_documents) return false;
  const std::int64_t last = state_int(db, state_key).value_or(0);
  const std::int64_t change = documents > last ? documents - last : last - documents;
  if (change * 10 < documents) return false;
  Transaction tx(db, Transaction::Mode::kWrite);
  const std::string table(fts_table);
  exec(db, ("INSERT INTO " + table + "(" + table + ") VALUES('optimize')").c_str());
  set_state_int(db, state_key, documents);
  tx.commit();
  return true;
}

HistoryIndex::HistoryIndex(sqlite3* db) : db_(db) {}

std::int64_t HistoryIndex::watermark() const { return state_int(db_, kWatermark).value_or(0); }

bool HistoryIndex::behind() const {
  const std::int64_t wm = watermark();
  const std::int64_t max_id = scalar(db_, "SELECT max(id) FROM events");
  if (max_id != wm) return true;
  return scalar(db_, "SELECT min(id) FROM events") > state_int(db_, kMinId).value_or(0);
}

std::int64_t HistoryIndex::size() const { return state_int(db_, kCount).value_or(0); }

std::int64_t HistoryIndex::pending() const {
  // `+kind`: see event_batch_end.
  SqliteStatement st(db_, "SELECT count(*) FROM events WHERE id > ? AND +kind = 'task'");
  st.bind(1, watermark());
  return st.step() ? st.column_int64(0) : 0;
}

std::size_t HistoryIndex::catch_up(std::size_t batch, std::size_t max_events, const std::atomic<bool>* cancel, bool paced,
                                   const WriteRunner* runner) {
  std::size_t total = 0;
  WritePacer pacer(paced);
  while (total < max_events && behind()) {
    if (cancel && cancel->load()) break;
    pacer.begin();
    std::size_t added = 0;
    run_write(db_, runner, [&](sqlite3* db) { added = HistoryIndex(db).index_batch(batch); });
    total += added;
    pacer.end();
  }
  return total;
}

std::size_t HistoryIndex::index_batch(std::size_t batch) {
  Transaction tx(db_, Transaction::Mode::kWrite);
  std::int64_t wm = watermark();
  const std::int64_t max_id = scalar(db_, "SELECT max(id) FROM events");
  if (max_id < wm) {
    // The events were removed and ids started again: index everything anew.
    exec(db_, "DELETE FROM history_fts");
    wm = 0;
    set_state_int(db_, kMinId, 0);
    set_state_int(db_, kCount, 0);
  }
  const std::int64_t min_id = scalar(db_, "SELECT min(id) FROM events");
  if (min_id > state_int(db_, kMinId).value_or(0)) {
    // Retention removed the oldest events: their index entries go too.
    SqliteStatement del(db_, "DELETE FROM history_fts WHERE rowid < ?");
    del.bind(1, min_id);
    del.run();
    set_state_int(db_, kCount, state_int(db_, kCount).value_or(0) - sqlite3_changes(db_));
    set_state_int(db_, kMinId, min_id);
  }
  const std::int64_t upper = event_batch_end(db_, wm, batch, max_id);
  // `+kind`: see event_batch_end.
  SqliteStatement insert(
      db_,
      "INSERT INTO history_fts(rowid, title, approach, snippet, task_type, agent_type, session_id, success, duration, time) "
      "SELECT id, coalesce(json_extract(fields, '$.title'), ''), coalesce(json_extract(fields, '$.approach'), ''), "
      "coalesce(json_extract(fields, '$.snippet'), ''), coalesce(json_extract(fields, '$.task_type'), ''), "
      "coalesce(json_extract(fields, '$.agent_type'), ''), coalesce(json_extract(fields, '$.session_id'), ''), "
      "coalesce(json_extract(fields, '$.success'), 0), coalesce(json_extract(fields, '$.duration_seconds'), 0), time "
      "FROM events WHERE id > ? AND id <= ? AND +kind = 'task'");
  insert.bind(1, wm);
  insert.bind(2, upper);
  insert.run();
  const int added = sqlite3_changes(db_);
  // What the new events of this batch replaced (a session imported again as it grew) leaves the
  // index: the old event is gone from the store, so it was either indexed before (removed now)
  // or will never be.
  SqliteStatement replaced(db_, "DELETE FROM history_fts WHERE rowid IN (SELECT id FROM replaced_events WHERE by > ? AND by <= ?)");
  replaced.bind(1, wm);
  replaced.bind(2, upper);
  replaced.run();
  const int removed = sqlite3_changes(db_);
  set_state_int(db_, kCount, state_int(db_, kCount).value_or(0) + added - removed);
  set_state_int(db_, kWatermark, upper);
  tx.commit();
  return static_cast<std::size_t>(added);
}

std::vector<HistoryHit> HistoryIndex::search(const std::vector<std::string>& words, int limit) const {
  if (words.empty()) return {};
  return search(fts_any_of(words), limit, 0);
}

std::vector<HistoryHit> HistoryIndex::search(const std::string& match, int limit, std::int64_t from_id) const {
  std::vector<HistoryHit> hits;
  if (match.empty() || limit <= 0) return hits;
  // Ranking reads the index (and the document sizes) only; the stored columns of just the
  // `limit` best are read afterwards, not those of every match the sort goes through.
  SqliteStatement st(db_,
                     "SELECT rowid, bm25(history_fts, 3.0, 1.0, 1.0, 2.0, 1.0, 0.0, 0.0, 0.0, 0.0) AS r "
                     "FROM history_fts WHERE history_fts MATCH ? AND rowid >= ? ORDER BY r LIMIT ?");
  st.bind(1, match);
  st.bind(2, from_id);
  st.bind(3, static_cast<std::int64_t>(limit));
  while (st.step()) {
    HistoryHit h;
    h.event_id = st.column_int64(0);
    h.relevance = -st.column_double(1);
    hits.push_back(std::move(h));
  }
  if (hits.empty()) return hits;
  SqliteStatement row(db_, "SELECT title, approach, snippet, session_id, success, duration, time FROM history_fts WHERE rowid = ?");
  for (auto& h : hits) {
    row.reset();
    row.bind(1, h.event_id);
    if (!row.step()) continue;
    h.title = row.column_text(0);
    h.approach = row.column_text(1);
    h.snippet = row.column_text(2);
    h.session_id = row.column_text(3);
    h.success = row.column_int(4) != 0;
    h.duration_seconds = row.column_double(5);
    h.time = row.column_double(6);
  }
  return hits;
}

}  // namespace agentmetrics::learning
