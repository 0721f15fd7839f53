#include "collector/store/sqlite_import_marks.h"

#include "collector/store/sqlite_event_store.h"
#include "collector/store/sqlite_statement.h"
#include "collector/store/store_error.h"

namespace agentmetrics::store {
namespace {

constexpr const char* kSqliteMarksSchema = R"sql(
  CREATE TABLE import_files(
    file INTEGER PRIMARY KEY,
    agent TEXT NOT NULL,
    session INTEGER NOT NULL,
    device INTEGER NOT NULL,
    inode INTEGER NOT NULL,
    size INTEGER NOT NULL,
    mtime INTEGER NOT NULL,
    offset INTEGER NOT NULL,
    line INTEGER NOT NULL,
    stream TEXT NOT NULL,
    state TEXT NOT NULL);
  CREATE INDEX import_files_session ON import_files(session);
  CREATE TABLE import_sessions(
    source INTEGER NOT NULL,
    session INTEGER NOT NULL,
    version INTEGER NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY(source, session)) WITHOUT ROWID;
)sql";

auto as_int(std::uint64_t v) { return static_cast<std::int64_t>(v); }
auto as_uint(std::int64_t v) { return static_cast<std::uint64_t>(v); }

constexpr const char* kSqliteMarkColumns = "SELECT file, agent, session, device, inode, size, mtime, offset, line, stream";

// A row of kSqliteMarkColumns (and the state after them when `with_state`).
FileMark read_mark(const SqliteStatement& st, bool with_state) {
  FileMark m;
  m.file = as_uint(st.column_int64(0));
  m.agent = st.column_text(1);
  m.session = as_uint(st.column_int64(2));
  m.device = as_uint(st.column_int64(3));
  m.inode = as_uint(st.column_int64(4));
  m.size = as_uint(st.column_int64(5));
  m.mtime_ns = st.column_int64(6);
  m.offset = as_uint(st.column_int64(7));
  m.line = as_uint(st.column_int64(8));
  m.stream = st.column_text(9);
  if (with_state) m.state = st.column_text(10);
  return m;
}

}  // namespace

SqliteImportMarks::SqliteImportMarks(SqliteEventStore& store, bool writable) : store_(store), db_(store.handle()) {
  if (!writable) {
    SqliteStatement st(db_, "SELECT count(*) FROM sqlite_master WHERE name = 'import_schema'");
    present_ = st.step() && st.column_int(0) > 0;
    if (!present_) return;
  }
  Transaction tx(db_, writable ? Transaction::Mode::kWrite : Transaction::Mode::kRead);
  if (writable) exec(db_, "CREATE TABLE IF NOT EXISTS import_schema(version INTEGER NOT NULL)");
  int version = 0;
  {
    SqliteStatement st(db_, "SELECT max(version) FROM import_schema");
    if (st.step() && !st.column_is_null(0)) version = st.column_int(0);
  }
  if (version > kImportSchemaVersion) {
    throw StoreError(StoreError::Kind::kNewerSchema, "the store's session import tables have version " + std::to_string(version) +
                                                         ", newer than this program's " + std::to_string(kImportSchemaVersion) +
                                                         "; upgrade agentmetrics");
  }
  if (version == 0 && writable) {
    exec(db_, kSqliteMarksSchema);
    exec(db_, ("INSERT INTO import_schema(version) VALUES(" + std::to_string(kImportSchemaVersion) + ")").c_str());
  }
  tx.commit();
}

SqliteImportMarks::~SqliteImportMarks() = default;

std::unordered_map<std::uint64_t, FileMark> SqliteImportMarks::file_marks() {
  std::unordered_map<std::uint64_t, FileMark> marks;
  if (!present_) return marks;
  SqliteStatement st(db_, std::string(kSqliteMarkColumns) + " FROM import_files");
  while (st.step()) {
    FileMark m = read_mark(st, false);
    marks.emplace(m.file, std::move(m));
  }
  return marks;
}

std::optional<FileMark> SqliteImportMarks::file_mark(std::uint64_t file) {
  if (!present_) return std::nullopt;
  if (!file_mark_)
    file_mark_ = std::make_unique<SqliteStatement>(db_, std::string(kSqliteMarkColumns) + ", state FROM import_files WHERE file = ?");
  SqliteStatement& st = *file_mark_;
  st.reset();
  st.bind(1, as_int(file));
  if (!st.step()) return std::nullopt;
  FileMark m = read_mark(st, true);
  st.reset();  // no statement left open across the caller's commit
  return m;
}

std::vector<FileMark> SqliteImportMarks::session_files(std::uint64_t session) {
  std::vector<FileMark> marks;
  if (!present_) return marks;
  if (!session_files_) {
    session_files_ = std::make_unique<SqliteStatement>(
        db_, std::string(kSqliteMarkColumns) + ", state FROM import_files WHERE session = ? ORDER BY stream <> 'main', file");
  }
  SqliteStatement& st = *session_files_;
  st.reset();
  st.bind(1, as_int(session));
  while (st.step()) marks.push_back(read_mark(st, true));
  return marks;
}

std::optional<SessionMark> SqliteImportMarks::session_mark(std::uint64_t source, std::uint64_t session) {
  if (!present_) return std::nullopt;
  SqliteStatement st(db_, "SELECT version, state FROM import_sessions WHERE source = ? AND session = ?");
  st.bind(1, as_int(source));
  st.bind(2, as_int(session));
  if (!st.step()) return std::nullopt;
  return SessionMark{source, session, st.column_int64(0), st.column_text(1)};
}

std::unordered_map<std::uint64_t, std::int64_t> SqliteImportMarks::session_versions(std::uint64_t source) {
  std::unordered_map<std::uint64_t, std::int64_t> versions;
  if (!present_) return versions;
  SqliteStatement st(db_, "SELECT session, version FROM import_sessions WHERE source = ?");
  st.bind(1, as_int(source));
  while (st.step()) versions.emplace(as_uint(st.column_int64(0)), st.column_int64(1));
  return versions;
}

void SqliteImportMarks::put(const FileMark& m) {
  if (!put_file_) {
    put_file_ = std::make_unique<SqliteStatement>(
        db_,
        "INSERT OR REPLACE INTO import_files(file, agent, session, device, inode, size, mtime, offset, line, stream, state) "
        "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  }
  SqliteStatement& st = *put_file_;
  st.reset();
  st.bind(1, as_int(m.file));
  st.bind(2, m.agent);
  st.bind(3, as_int(m.session));
  st.bind(4, as_int(m.device));
  st.bind(5, as_int(m.inode));
  st.bind(6, as_int(m.size));
  st.bind(7, m.mtime_ns);
  st.bind(8, as_int(m.offset));
  st.bind(9, as_int(m.line));
  st.bind(10, m.stream);
  st.bind(11, m.state);
  st.run();
}

void SqliteImportMarks::put(const SessionMark& m) {
  if (!put_session_) {
    put_session_ = std::make_unique<SqliteStatement>(
        db_, "INSERT OR REPLACE INTO import_sessions(source, session, version, state) VALUES(?, ?, ?, ?)");
  }
  SqliteStatement& st = *put_session_;
  st.reset();
  st.bind(1, as_int(m.source));
  st.bind(2, as_int(m.session));
  st.bind(3, m.version);
  st.bind(4, m.state);
  st.run();
}

void SqliteImportMarks::begin() { write_.emplace(db_, Transaction::Mode::kWrite); }

std::size_t SqliteImportMarks::commit(std::span<const ipc::OutcomeEvent> events, double received_time,
                                      std::vector<EventStore::Replaced>* outcomes, std::string_view outranked_origin,
                                      std::span<const FileMark> files, std::span<const SessionMark> sessions) {
  if (!write_) begin();
  try {
    // A savepoint inside the batch's transaction: the events and the marks commit together.
    const std::size_t stored = store_.replace(events, received_time, outcomes, outranked_origin);
    for (const auto& m : files) put(m);
    for (const auto& m : sessions) put(m);
    write_->commit();
    write_.reset();
    return stored;
  } catch (...) {
    write_.reset();
    throw;
  }
}

}  // namespace agentmetrics::store
