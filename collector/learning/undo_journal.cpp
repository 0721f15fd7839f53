#include "collector/learning/undo_journal.h"

// The session extension's declarations are behind these (Debian's SQLite is built with both).
#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <sqlite3.h>

#include "collector/learning/learning_error.h"
#include "collector/store/sqlite_statement.h"
#include "collector/store/sqlite_transaction.h"

namespace agentmetrics::learning {
namespace {

using store::SqliteStatement;

// What a change can touch; bullets_fts follows bullets through its triggers, on undo too.
constexpr const char* kTables[] = {"bullets", "feedback", "bullet_patterns", "session_rules"};

LearningError internal(const std::string& what, int rc) {
  return LearningError(ErrorCategory::kInternal, "UNDO_FAILED", what + ": " + sqlite3_errstr(rc));
}

struct Conflicts {
  int count = 0;
};

int on_conflict(void* context, int /*reason*/, sqlite3_changeset_iter* /*iter*/) {
  ++static_cast<Conflicts*>(context)->count;
  return SQLITE_CHANGESET_ABORT;
}

}  // namespace

UndoRecorder::UndoRecorder(sqlite3* db) : db_(db) {
  if (const int rc = sqlite3session_create(db_, "main", &session_); rc != SQLITE_OK) throw internal("cannot record the change", rc);
  for (const char* table : kTables) {
    if (const int rc = sqlite3session_attach(session_, table); rc != SQLITE_OK) {
      sqlite3session_delete(session_);
      throw internal("cannot record the change", rc);
    }
  }
}

UndoRecorder::~UndoRecorder() { sqlite3session_delete(session_); }

void UndoRecorder::save(std::string_view command, std::string_view summary, double now) {
  int size = 0;
  void* changes = nullptr;
  if (const int rc = sqlite3session_changeset(session_, &size, &changes); rc != SQLITE_OK) throw internal("cannot record the change", rc);
  int inverse_size = 0;
  void* inverse = nullptr;
  const int rc = size > 0 ? sqlite3changeset_invert(size, changes, &inverse_size, &inverse) : SQLITE_OK;
  sqlite3_free(changes);
  if (rc != SQLITE_OK) throw internal("cannot record the change", rc);
  if (inverse_size == 0) return;  // nothing changed: nothing to undo
  SqliteStatement insert(db_, "INSERT INTO undo_journal(time, command, summary, changeset) VALUES(?, ?, ?, CAST(? AS BLOB))");
  insert.bind(1, now);
  insert.bind(2, command);
  insert.bind(3, summary);
  insert.bind(4, std::string_view(static_cast<const char*>(inverse), static_cast<std::size_t>(inverse_size)));
  sqlite3_free(inverse);
  insert.step();
  SqliteStatement trim(db_, "DELETE FROM undo_journal WHERE seq <= (SELECT max(seq) FROM undo_journal) - ?");
  trim.bind(1, kUndoDepth);
  trim.step();
}

UndoneChange undo_last(sqlite3* db) {
  store::Transaction tx(db, store::Transaction::Mode::kWrite);
  SqliteStatement newest(db, "SELECT seq, time, command, summary, changeset FROM undo_journal ORDER BY seq DESC LIMIT 1");
  if (!newest.step())
    throw input_error("NOTHING_TO_UNDO", "there is no feedback or change to undo", {"see the rules with: cm playbook list --all"});
  UndoneChange change{newest.column_int64(0), newest.column_double(1), newest.column_text(2), newest.column_text(3)};
  std::string changeset = newest.column_text(4);
  Conflicts conflicts;
  const int rc = sqlite3changeset_apply(db, static_cast<int>(changeset.size()), changeset.data(), nullptr, on_conflict, &conflicts);
  if (conflicts.count > 0 || rc == SQLITE_ABORT) {
    throw input_error("UNDO_CONFLICT",
                      "the last change (" + change.command + ": " + change.summary +
                          ") cannot be undone: its rules changed since (a reflection, a hook or the API); nothing was undone",
                      {"see what happened to the rule with: cm why <id>", "grade it again instead: cm mark <id> --helpful | --harmful"});
  }
  if (rc != SQLITE_OK) throw internal("cannot undo the change", rc);
  SqliteStatement drop(db, "DELETE FROM undo_journal WHERE seq = ?");
  drop.bind(1, change.seq);
  drop.step();
  tx.commit();
  return change;
}

void clear_undo_journal(sqlite3* db) { store::exec(db, "DELETE FROM undo_journal"); }

}  // namespace agentmetrics::learning
