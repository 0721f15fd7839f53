#include "collector/learning/learning_schema.h"

#include <sqlite3.h>

#include <iterator>

#include "collector/store/sqlite_event_store.h"
#include "collector/learning/learning_error.h"
#include "collector/store/sqlite_statement.h"
#include "collector/store/sqlite_transaction.h"
#include "collector/learning/sqlite_util.h"

namespace agentmetrics::learning {
namespace {

using store::exec;
using store::SqliteStatement;
using store::Transaction;

// Each entry takes the learning schema from version i to i + 1.
constexpr const char* kMigrations[] = {
    R"sql(
      CREATE TABLE bullets(
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        content TEXT NOT NULL,
        kind TEXT NOT NULL CHECK(kind IN ('rule', 'anti-pattern')),
        state TEXT NOT NULL DEFAULT 'active' CHECK(state IN ('active', 'retired')),
        retired_reason TEXT,
        retired_at REAL,
        replaced_by TEXT,
        source TEXT NOT NULL CHECK(source IN ('learning', 'manual', 'import')),
        tags TEXT NOT NULL DEFAULT '',
        content_hash TEXT NOT NULL,
        confidence REAL NOT NULL,
        confidence_time REAL NOT NULL,
        evidence_count INTEGER NOT NULL DEFAULT 0,
        helpful REAL NOT NULL DEFAULT 0,
        harmful REAL NOT NULL DEFAULT 0,
        created REAL NOT NULL,
        last_validated REAL NOT NULL,
        scope_stage TEXT NOT NULL DEFAULT '',
        scope_failure_type TEXT NOT NULL DEFAULT '',
        scope_agent_type TEXT NOT NULL DEFAULT '',
        scope_task_type TEXT NOT NULL DEFAULT '');
      CREATE INDEX bullets_hash ON bullets(content_hash);
      CREATE INDEX bullets_state_kind ON bullets(state, kind);
      CREATE VIRTUAL TABLE bullets_fts USING fts5(content, tags, content='bullets', content_rowid='seq',
                                                  tokenize='porter unicode61');
      CREATE TRIGGER bullets_fts_insert AFTER INSERT ON bullets BEGIN
        INSERT INTO bullets_fts(rowid, content, tags) VALUES(new.seq, new.content, new.tags);
      END;
      CREATE TRIGGER bullets_fts_delete AFTER DELETE ON bullets BEGIN
        INSERT INTO bullets_fts(bullets_fts, rowid, content, tags) VALUES('delete', old.seq, old.content, old.tags);
      END;
      CREATE TRIGGER bullets_fts_update AFTER UPDATE OF content, tags ON bullets BEGIN
        INSERT INTO bullets_fts(bullets_fts, rowid, content, tags) VALUES('delete', old.seq, old.content, old.tags);
        INSERT INTO bullets_fts(rowid, content, tags) VALUES(new.seq, new.content, new.tags);
      END;
      CREATE TABLE bullet_patterns(
        bullet_id TEXT NOT NULL,
        pattern_id TEXT NOT NULL,
        counted_until REAL NOT NULL DEFAULT 0,
        PRIMARY KEY(bullet_id, pattern_id)) WITHOUT ROWID;
      CREATE TABLE feedback(
        id INTEGER PRIMARY KEY,
        bullet_id TEXT NOT NULL,
        time REAL NOT NULL,
        kind TEXT NOT NULL CHECK(kind IN ('helpful', 'harmful')),
        weight REAL NOT NULL,
        origin TEXT NOT NULL,
        session_id TEXT,
        event_id INTEGER,
        note TEXT NOT NULL DEFAULT '');
      CREATE INDEX feedback_bullet ON feedback(bullet_id, time);
      CREATE INDEX feedback_session ON feedback(session_id, bullet_id) WHERE session_id IS NOT NULL;
      CREATE TABLE patterns(
        pattern_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK(kind IN ('failure', 'success')),
        data TEXT NOT NULL,
        reflection_id INTEGER,
        updated REAL NOT NULL);
      CREATE TABLE reflection_runs(
        id INTEGER PRIMARY KEY,
        started REAL NOT NULL,
        finished REAL,
        duration_seconds REAL,
        trigger TEXT NOT NULL,
        status TEXT NOT NULL CHECK(status IN ('running', 'ok', 'error')),
        summary TEXT NOT NULL DEFAULT '{}',
        error TEXT);
      CREATE VIRTUAL TABLE history_fts USING fts5(title, approach, snippet, task_type, agent_type,
                                                  session_id UNINDEXED, success UNINDEXED,
                                                  duration UNINDEXED, time UNINDEXED,
                                                  tokenize='porter unicode61');
      CREATE TABLE learning_state(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
    )sql",
    // Who added each rule: "cli", "api:<credential>", "import", "reflection", "feedback"; rules of
    // version 1 say nothing.
    R"sql(
      ALTER TABLE bullets ADD COLUMN added_by TEXT NOT NULL DEFAULT '';
    )sql",
    // The rules a hook gave each session (session_rules.h): graded once when the session ends.
    R"sql(
      CREATE TABLE session_rules(
        session_id TEXT NOT NULL,
        bullet_id TEXT NOT NULL,
        given REAL NOT NULL,
        graded REAL,
        PRIMARY KEY(session_id, bullet_id)) WITHOUT ROWID;
      CREATE INDEX session_rules_given ON session_rules(given);
    )sql",
    // A rule of one project (the repository of the task); '' for every project.
    R"sql(
      ALTER TABLE bullets ADD COLUMN scope_project TEXT NOT NULL DEFAULT '';
    )sql",
    // cm undo: the inverse of each recent feedback or change (undo_journal.h).
    R"sql(
      CREATE TABLE undo_journal(
        seq INTEGER PRIMARY KEY,
        time REAL NOT NULL,
        command TEXT NOT NULL,
        summary TEXT NOT NULL,
        changeset BLOB NOT NULL);
    )sql",
    // The failure patterns of the agents' sessions (session_patterns.h) are stored beside the
    // others, as kind 'session'; SQLite changes a CHECK only by copying the table.
    R"sql(
      CREATE TABLE patterns_v6(
        pattern_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK(kind IN ('failure', 'success', 'session')),
        data TEXT NOT NULL,
        reflection_id INTEGER,
        updated REAL NOT NULL);
      INSERT INTO patterns_v6 SELECT pattern_id, kind, data, reflection_id, updated FROM patterns;
      DROP TABLE patterns;
      ALTER TABLE patterns_v6 RENAME TO patterns;
    )sql",
    // The words each rule learned from the tasks it helped (learned_words.h), searched with its
    // text: the full-text index gains a column, which FTS5 gives only to a new table. A hook's
    // session keeps the words of the prompt each rule was given for until it is graded.
    R"sql(
      ALTER TABLE bullets ADD COLUMN learned TEXT NOT NULL DEFAULT '';
      DROP TRIGGER bullets_fts_insert;
      DROP TRIGGER bullets_fts_delete;
      DROP TRIGGER bullets_fts_update;
      DROP TABLE bullets_fts;
      CREATE VIRTUAL TABLE bullets_fts USING fts5(content, tags, learned, content='bullets', content_rowid='seq',
                                                  tokenize='porter unicode61');
      CREATE TRIGGER bullets_fts_insert AFTER INSERT ON bullets BEGIN
        INSERT INTO bullets_fts(rowid, content, tags, learned) VALUES(new.seq, new.content, new.tags, new.learned);
      END;
      CREATE TRIGGER bullets_fts_delete AFTER DELETE ON bullets BEGIN
        INSERT INTO bullets_fts(bullets_fts, rowid, content, tags, learned) VALUES('delete', old.seq, old.content, old.tags, old.learned);
      END;
      CREATE TRIGGER bullets_fts_update AFTER UPDATE OF content, tags, learned ON bullets BEGIN
        INSERT INTO bullets_fts(bullets_fts, rowid, content, tags, learned) VALUES('delete', old.seq, old.content, old.tags, old.learned);
        INSERT INTO bullets_fts(rowid, content, tags, learned) VALUES(new.seq, new.content, new.tags, new.learned);
      END;
      INSERT INTO bullets_fts(bullets_fts) VALUES('rebuild');
      DELETE FROM learning_state WHERE key = 'bullets_fts_compacted';
      ALTER TABLE session_rules ADD COLUMN task TEXT NOT NULL DEFAULT '';
    )sql",
};
static_assert(std::size(kMigrations) == kLearningSchemaVersion);

bool table_exists(sqlite3* db, const char* name) {
  SqliteStatement st(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  st.bind(1, std::string_view(name));
  return st.step();
}

int read_version(sqlite3* db) {
  if (!table_exists(db, "learning_schema")) return 0;
  SqliteStatement st(db, "SELECT max(version) FROM learning_schema");
  return st.step() && !st.column_is_null(0) ? st.column_int(0) : 0;
}

void refuse_newer(int version) {
  if (version > kLearningSchemaVersion) {
    throw LearningError(ErrorCategory::kFilesystem, "STORE_SCHEMA_NEWER",
                        "the store's learning tables have schema version " + std::to_string(version) + ", newer than this program's " +
                            std::to_string(kLearningSchemaVersion),
                        {"upgrade agentmetrics (cm and agentmetricsd) to the version that wrote this store"});
  }
}

}  // namespace

std::string in_rule_text(std::string_view fts_query) { return "{content tags} : (" + std::string(fts_query) + ")"; }

int learning_schema_version(sqlite3* db) { return read_version(db); }

void ensure_learning_schema(sqlite3* db, int target) {
  // The common case, a current schema, costs one read and takes no write lock.
  int version = read_version(db);
  refuse_newer(version);
  if (version >= target) return;
  Transaction tx(db, Transaction::Mode::kWrite);
  exec(db, "CREATE TABLE IF NOT EXISTS learning_schema(version INTEGER NOT NULL)");
  version = read_version(db);  // another process may have migrated meanwhile
  refuse_newer(version);
  for (int v = version; v < target; ++v) exec(db, kMigrations[v]);
  if (version < target) {
    exec(db, "DELETE FROM learning_schema");
    exec(db, ("INSERT INTO learning_schema(version) VALUES(" + std::to_string(target) + ")").c_str());
  }
  tx.commit();
}

bool fts5_available() {
  sqlite3* db = nullptr;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) {
    sqlite3_close(db);
    return false;
  }
  const bool ok = sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(a)", nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_close(db);
  return ok;
}

}  // namespace agentmetrics::learning
