#include "collector/learning/playbook_mirror.h"

#include <sqlite3.h>

#include <pqxx/pqxx>

#include "collector/learning/learning_schema.h"
#include "collector/learning/sqlite_util.h"
#include "collector/store/sqlite_event_store.h"
#include "collector/store/sqlite_statement.h"
#include "collector/store/sqlite_transaction.h"
#include "collector/store/store_error.h"
#include "collector/store/store_location.h"

namespace agentmetrics::learning {
namespace {

using store::SqliteStatement;
using store::Transaction;

constexpr std::string_view kRevisionKey = "team_revision";
constexpr std::string_view kStoreIdKey = "team_store_id";

// The columns of a rule (kBulletColumns), as both stores name them; the copy's nullable ones
// (retired_reason, retired_at, replaced_by) are 5, 6 and 7.
constexpr int kColumnCount = 25;
enum class Type { kInt, kReal, kText };
constexpr Type kTypes[kColumnCount] = {Type::kInt,  Type::kText, Type::kText, Type::kText, Type::kText, Type::kText, Type::kReal,
                                       Type::kText, Type::kText, Type::kText, Type::kText, Type::kReal, Type::kReal, Type::kInt,
                                       Type::kReal, Type::kReal, Type::kReal, Type::kReal, Type::kText, Type::kText, Type::kText,
                                       Type::kText, Type::kText, Type::kText, Type::kText};

std::string upsert_sql() {
  std::string values, updates;
  for (int i = 1; i <= kColumnCount; ++i) values += (i > 1 ? ", ?" : "?");
  const std::string columns = kBulletColumns;
  for (std::size_t at = columns.find(", ") + 2; at < columns.size();) {
    const auto end = std::min(columns.find(", ", at), columns.size());
    const std::string name = columns.substr(at, end - at);
    updates += (updates.empty() ? "" : ", ") + name + " = excluded." + name;
    at = end + 2;
  }
  return std::string("INSERT INTO bullets(") + kBulletColumns + ") VALUES(" + values + ") ON CONFLICT(seq) DO UPDATE SET " + updates;
}

struct TeamState {
  std::int64_t store_id = 0;
  std::int64_t last_revision = 0;  // the last one handed out, committed or not
};

TeamState team_state(pqxx::transaction_base& tx) {
  const auto r = tx.exec1(
      "SELECT coalesce((SELECT value FROM learning_state WHERE key = 'store_id'), 0), "
      "(SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM bullet_revisions)");
  return {r[0].as<std::int64_t>(), r[1].as<std::int64_t>()};
}

}  // namespace

PlaybookMirror::PlaybookMirror(const std::string& path) {
  const std::string file = path.empty() ? ":memory:" : path;
  if (!path.empty()) {
    store::ensure_store_directory(path);
    store::secure_store_files(path);
  }
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    const std::string reason = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw store::StoreError("cannot open the copy of the team's playbook " + file + ": " + reason);
  }
  sqlite3_busy_timeout(db_, store::SqliteEventStore::kBusyTimeoutMs);
  // A rule forgotten on the team store leaves no text in the copy's free pages.
  store::exec(db_, "PRAGMA secure_delete = ON");
  if (!path.empty()) {
    // A copy: what a crash loses is copied again, so commits need not wait for the disk.
    store::enable_wal(db_, store::SqliteEventStore::kBusyTimeoutMs);
    store::exec(db_, "PRAGMA synchronous=OFF");
  }
  try {
    ensure_learning_schema(db_);
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

PlaybookMirror::~PlaybookMirror() { sqlite3_close(db_); }

sqlite3* PlaybookMirror::follow(pqxx::connection& team) {
  last_copied_ = 0;
  {
    // The common case, a current copy: one read here and one there, no lock taken.
    const TeamState there = [&] {
      pqxx::read_transaction tx(team);
      return team_state(tx);
    }();
    Transaction read(db_, Transaction::Mode::kRead);
    if (state_int(db_, kStoreIdKey).value_or(-1) == there.store_id && state_int(db_, kRevisionKey).value_or(0) >= there.last_revision) {
      return db_;
    }
  }
  Transaction local(db_, Transaction::Mode::kWrite);
  // Another process of this machine may have followed meanwhile: from where the copy is now.
  std::int64_t seen = state_int(db_, kRevisionKey).value_or(0);
  pqxx::transaction<pqxx::isolation_level::repeatable_read, pqxx::readwrite_policy::read_only> snapshot(team);
  const TeamState there = team_state(snapshot);
  if (state_int(db_, kStoreIdKey).value_or(-1) != there.store_id) {
    // A copy of another store, or of this one before it was made anew: copied whole.
    store::exec(db_, "DELETE FROM bullets");
    set_state_int(db_, kStoreIdKey, there.store_id);
    seen = 0;
  }
  const std::int64_t from = seen;
  SqliteStatement remove(db_, "DELETE FROM bullets WHERE seq = ?");
  bool forgotten = false;
  for (const auto& r : snapshot.exec_params("SELECT seq, revision FROM bullet_deletions WHERE revision > $1", from)) {
    remove.reset();
    remove.bind(1, r[0].as<std::int64_t>());
    remove.run();
    forgotten = forgotten || sqlite3_changes(db_) > 0;
    seen = std::max(seen, r[1].as<std::int64_t>());
  }
  // A forgotten rule's words must not linger in the index's segments either (as cm forget on the
  // embedded store).
  if (forgotten) store::exec(db_, "INSERT INTO bullets_fts(bullets_fts) VALUES('optimize')");
  SqliteStatement upsert(db_, upsert_sql());
  for (const auto& r :
       snapshot.exec_params(std::string("SELECT ") + kBulletColumns + ", revision FROM bullets WHERE revision > $1", from)) {
    upsert.reset();
    for (int i = 0; i < kColumnCount; ++i) {
      if (r[i].is_null()) {
        upsert.bind_null(i + 1);
        continue;
      }
      switch (kTypes[i]) {
        case Type::kInt: upsert.bind(i + 1, r[i].as<std::int64_t>()); break;
        case Type::kReal: upsert.bind(i + 1, r[i].as<double>()); break;
        case Type::kText: upsert.bind(i + 1, std::string_view(r[i].c_str(), r[i].size())); break;
      }
    }
    upsert.run();
    ++last_copied_;
    seen = std::max(seen, r[kColumnCount].as<std::int64_t>());
  }
  snapshot.commit();
  set_state_int(db_, kRevisionKey, seen);
  local.commit();
  // Nor in the WAL; a reader that holds it leaves the pages to the next checkpoint.
  if (forgotten) sqlite3_exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
  return db_;
}

}  // namespace agentmetrics::learning
