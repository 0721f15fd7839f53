#include "collector/intake/sessions/opencode_database.h"

#include <sqlite3.h>

#include <map>

#include "collector/intake/sessions/json_fields.h"
#include "collector/store/sqlite_statement.h"
#include "collector/store/sqlite_transaction.h"
#include "collector/store/store_error.h"

namespace agentmetrics::intake {

namespace {

OpencodeDatabaseError read_error(const std::string& path, const store::StoreError& e) {
  const int primary = e.sqlite_code() & 0xFF;
  return OpencodeDatabaseError(path + ": " + e.what(), primary == SQLITE_BUSY || primary == SQLITE_LOCKED);
}

}  // namespace

OpencodeDatabase::OpencodeDatabase(const std::string& path, std::chrono::milliseconds busy_wait) : path_(path) {
  // mode=ro: never written, never created. Reading a WAL database still maps its shared
  // memory index (opencode's own directory, which the user owns), and sees what is committed.
  const std::string uri = "file:" + path + "?mode=ro";
  if (sqlite3_open_v2(uri.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK)
    fail("cannot open");
  sqlite3_busy_timeout(db_, static_cast<int>(busy_wait.count()));
}

OpencodeDatabase::~OpencodeDatabase() { sqlite3_close_v2(db_); }

void OpencodeDatabase::fail(const std::string& what) const {
  const int code = db_ ? sqlite3_extended_errcode(db_) : SQLITE_NOMEM;
  const int primary = code & 0xFF;
  throw OpencodeDatabaseError(path_ + ": " + what + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory"),
                              primary == SQLITE_BUSY || primary == SQLITE_LOCKED);
}

std::vector<OpencodeFamily> OpencodeDatabase::families() {
  std::map<std::string, OpencodeSessionVersion> sessions;
  try {
    store::Transaction tx(db_, store::Transaction::Mode::kRead);
    store::SqliteStatement st(db_, "SELECT id, coalesce(parent_id, ''), time_updated FROM session");
    while (st.step()) sessions[st.column_text(0)] = {st.column_text(1), st.column_int64(2)};
  } catch (const store::StoreError& e) {
    throw read_error(path_, e);
  }
  return opencode_families(sessions);
}

OpencodeSessionRecord OpencodeDatabase::session(const std::string& id) {
  OpencodeSessionRecord s;
  try {
    // One snapshot for the session, its messages and its parts, and short: opencode's
    // checkpoints wait for no reader that lasts.
    store::Transaction tx(db_, store::Transaction::Mode::kRead);
    {
      store::SqliteStatement st(db_,
                                "SELECT coalesce(parent_id, ''), directory, title, time_created, time_updated FROM session WHERE id = ?");
      st.bind(1, id);
      if (!st.step()) return s;
      s.id = id;
      s.parent_id = st.column_text(0);
      s.directory = st.column_text(1);
      s.title = st.column_text(2);
      s.created = static_cast<double>(st.column_int64(3)) / 1000;
      s.updated = static_cast<double>(st.column_int64(4)) / 1000;
    }
    std::map<std::string, std::size_t> index;
    {
      store::SqliteStatement st(db_, "SELECT id, data FROM message WHERE session_id = ? ORDER BY time_created, id");
      st.bind(1, id);
      while (st.step()) {
        index[st.column_text(0)] = s.messages.size();
        s.messages.push_back({parse_object_bounded(st.column_text(1)), {}});
      }
    }
    store::SqliteStatement st(db_, "SELECT message_id, data FROM part WHERE session_id = ? ORDER BY message_id, id");
    st.bind(1, id);
    while (st.step()) {
      const auto it = index.find(st.column_text(0));
      if (it != index.end()) s.messages[it->second].parts.push_back(parse_object_bounded(st.column_text(1)));
    }
  } catch (const store::StoreError& e) {
    throw read_error(path_, e);
  }
  return s;
}

}  // namespace agentmetrics::intake
