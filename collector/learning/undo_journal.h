// `cm undo`: every feedback or change made through the learning service (mark, outcome, playbook
// add, remove, import) is recorded in its own transaction as the inverse of what it changed in
// the learning tables (SQLite's session extension records the changed rows; the changeset is
// inverted and kept in undo_journal). Undo applies the newest inverse and drops it, so a second
// undo goes one change further back. If a row it would restore has changed since by something
// not journaled (a reflection decayed or reinforced the rule, a hook graded it), nothing is
// undone and the error says so: undo never overwrites a change it did not record. The journal
// keeps the last kUndoDepth changes; `cm forget` empties it, since it holds the rows' text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_session;

namespace agentmetrics::learning {

inline constexpr std::int64_t kUndoDepth = 100;

class UndoRecorder {
 public:
  // Starts recording changes to the learning tables; inside the caller's write transaction.
  explicit UndoRecorder(sqlite3* db);
  ~UndoRecorder();
  UndoRecorder(const UndoRecorder&) = delete;
  UndoRecorder& operator=(const UndoRecorder&) = delete;

  // Journals the inverse of what changed since the constructor, if anything did.
  void save(std::string_view command, std::string_view summary, double now);

 private:
  sqlite3* db_;
  sqlite3_session* session_ = nullptr;
};

struct UndoneChange {
  std::int64_t seq = 0;
  double time = 0;  // when the change was made
  std::string command, summary;
};

// Applies the newest journaled change's inverse and drops it from the journal, in one
// transaction. Throws LearningError: NOTHING_TO_UNDO (input) when the journal is empty,
// UNDO_CONFLICT (input) when a row changed since (nothing is undone then).
UndoneChange undo_last(sqlite3* db);
void clear_undo_journal(sqlite3* db);

}  // namespace agentmetrics::learning
