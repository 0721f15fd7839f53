// Full-text index of the task history (history_fts, FTS5 with BM25 ranking) over the `task`
// events' title, approach, snippet, task_type and agent_type, with rowid = events.id.
//
// It is filled incrementally: catch_up() indexes the task events stored since the last call
// (the watermark is the last events.id looked at), in short write transactions, so a history of
// 100k tasks is indexed once, not on every query. Events removed by the store's retention
// (the oldest first) leave the index at the next catch_up; a store emptied and refilled (ids
// going backwards) is indexed again from scratch. An event replaced by a fuller account
// (SqliteEventStore::replace: the new copy has a new id, the old id is in replaced_events) leaves the
// index in the batch that indexes its replacement, so a task is found once, as it is now.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collector/learning/sqlite_util.h"

struct sqlite3;

namespace agentmetrics::learning {

struct HistoryHit {
  std::int64_t event_id = 0;
  double relevance = 0;  // -bm25: larger is more relevant
  std::string session_id, title, approach, snippet;
  bool success = false;
  double duration_seconds = 0;
  double time = 0;
};

// An FTS5 index filled a little at a time (a batch of tasks, a rule) is split into many
// segments, and a query looks every term up in each of them: a fresh `cm context` process pays
// for every page that touches. When `fts_table` holds at least `min_documents` and its number
// of documents has changed by a tenth or more since the last time (kept in learning_state
// under `state_key`), its segments are merged into one (FTS5 'optimize', one write transaction;
// about half a second for 100k tasks). The results are the same, only found faster.
// Returns whether it merged.
bool compact_fts_index(sqlite3* db, std::string_view fts_table, std::string_view state_key, std::int64_t documents,
                       std::int64_t min_documents = 1000);

class HistoryIndex {
 public:
  explicit HistoryIndex(sqlite3* db);

  // Indexes what is new, `batch` events per transaction, at most `max_events` in all. Returns
  // how many task events were indexed. Stops early when *cancel becomes true. `paced`: pause
  // between transactions (WritePacer) so that other writers get their turn.
  // `runner`: where the write transactions run (sqlite_util.h; null: this connection).
  std::size_t catch_up(std::size_t batch = 5000, std::size_t max_events = SIZE_MAX, const std::atomic<bool>* cancel = nullptr,
                       bool paced = false, const WriteRunner* runner = nullptr);
  // One transaction of catch_up on this connection: indexes at most `batch` events.
  std::size_t index_batch(std::size_t batch);
  // Whether events were stored since the last catch_up (one indexed lookup, no lock).
  bool behind() const;
  std::int64_t watermark() const;
  std::int64_t size() const;  // indexed tasks (kept in learning_state, no scan)
  // Task events stored after the watermark (a count: for `cm doctor`).
  std::int64_t pending() const;

  // The `limit` best matches of any of `words`, most relevant first. Title and task type weigh
  // more than the rest (BM25 column weights 3, 1, 1, 2, 1).
  std::vector<HistoryHit> search(const std::vector<std::string>& words, int limit) const;
  // The same for an FTS5 query, among tasks with events.id >= `from_id`.
  std::vector<HistoryHit> search(const std::string& match, int limit, std::int64_t from_id) const;

 private:
  sqlite3* db_;
};

}  // namespace agentmetrics::learning
