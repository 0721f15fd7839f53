#include "collector/store/postgres_import_marks.h"

#include <pqxx/result>

#include "collector/store/postgres_event_store.h"
#include "collector/store/store_error.h"

namespace agentmetrics::store {
namespace {

// Held by a batch's write and by whoever creates the tables, for its transaction: every
// importer of the team takes turns ("amimport" in ASCII).
constexpr const char* kImportLock = "SELECT pg_advisory_xact_lock(7020383312899175028)";

// "offset" is a reserved word in PostgreSQL, quoted wherever it is named.
constexpr const char* kPostgresMarksSchema = R"sql(
  CREATE TABLE import_files(
    file BIGINT PRIMARY KEY,
    agent TEXT NOT NULL,
    session BIGINT NOT NULL,
    device BIGINT NOT NULL,
    inode BIGINT NOT NULL,
    size BIGINT NOT NULL,
    mtime BIGINT NOT NULL,
    "offset" BIGINT NOT NULL,
    line BIGINT NOT NULL,
    stream TEXT NOT NULL,
    state TEXT NOT NULL);
  CREATE INDEX import_files_session ON import_files(session);
  CREATE TABLE import_sessions(
    source BIGINT NOT NULL,
    session BIGINT NOT NULL,
    version BIGINT NOT NULL,
    state TEXT NOT NULL,
    PRIMARY KEY(source, session));
)sql";

constexpr const char* kPostgresMarkColumns = R"sql(SELECT file, agent, session, device, inode, size, mtime, "offset", line, stream)sql";

// PostgreSQL's BIGINT is signed: the digests' bits are kept, as in SQLite.
std::string number(std::uint64_t v) { return std::to_string(static_cast<std::int64_t>(v)); }
std::uint64_t as_uint(const pqxx::field& f) { return static_cast<std::uint64_t>(f.as<std::int64_t>()); }

FileMark read_mark(const pqxx::row& row, bool with_state) {
  FileMark m;
  m.file = as_uint(row[0]);
  m.agent = row[1].as<std::string>();
  m.session = as_uint(row[2]);
  m.device = as_uint(row[3]);
  m.inode = as_uint(row[4]);
  m.size = as_uint(row[5]);
  m.mtime_ns = row[6].as<std::int64_t>();
  m.offset = as_uint(row[7]);
  m.line = as_uint(row[8]);
  m.stream = row[9].as<std::string>();
  if (with_state) m.state = row[10].as<std::string>();
  return m;
}

}  // namespace

PostgresImportMarks::PostgresImportMarks(PostgresConnection& connection, bool writable) : connection_(connection) {
  try {
    pqxx::work tx(connection_.get());
    if (writable) {
      tx.exec(kImportLock);
      tx.exec("CREATE TABLE IF NOT EXISTS import_schema(version INTEGER NOT NULL)");
    } else if (tx.exec1("SELECT to_regclass('import_schema') IS NULL")[0].as<bool>()) {
      present_ = false;
      return;
    }
    const int version = tx.exec1("SELECT coalesce(max(version), 0) FROM import_schema")[0].as<int>();
    if (version > kImportSchemaVersion) {
      throw StoreError(StoreError::Kind::kNewerSchema, "the store's session import tables have version " + std::to_string(version) +
                                                           ", newer than this program's " + std::to_string(kImportSchemaVersion) +
                                                           "; upgrade agentmetrics");
    }
    if (version == 0 && writable) {
      tx.exec(kPostgresMarksSchema);
      tx.exec("INSERT INTO import_schema(version) VALUES (" + std::to_string(kImportSchemaVersion) + ")");
    }
    tx.commit();
  } catch (const std::exception&) {
    connection_.rethrow_as_store_error();
  }
}

PostgresImportMarks::~PostgresImportMarks() { abandon(); }

pqxx::result PostgresImportMarks::query(const std::string& sql) {
  try {
    if (write_) return write_->exec(sql);
    pqxx::read_transaction tx(connection_.get());
    return tx.exec(sql);
  } catch (const std::exception&) {
    abandon();
    connection_.rethrow_as_store_error();
  }
}

std::unordered_map<std::uint64_t, FileMark> PostgresImportMarks::file_marks() {
  std::unordered_map<std::uint64_t, FileMark> marks;
  if (!present_) return marks;
  for (const auto& row : query(std::string(kPostgresMarkColumns) + " FROM import_files")) {
    FileMark m = read_mark(row, false);
    marks.emplace(m.file, std::move(m));
  }
  return marks;
}

std::optional<FileMark> PostgresImportMarks::file_mark(std::uint64_t file) {
  if (!present_) return std::nullopt;
  const pqxx::result rows = query(std::string(kPostgresMarkColumns) + ", state FROM import_files WHERE file = " + number(file));
  if (rows.empty()) return std::nullopt;
  return read_mark(rows[0], true);
}

std::vector<FileMark> PostgresImportMarks::session_files(std::uint64_t session) {
  std::vector<FileMark> marks;
  if (!present_) return marks;
  for (const auto& row : query(std::string(kPostgresMarkColumns) + ", state FROM import_files WHERE session = " + number(session) +
                               " ORDER BY stream <> 'main', file")) {
    marks.push_back(read_mark(row, true));
  }
  return marks;
}

std::optional<SessionMark> PostgresImportMarks::session_mark(std::uint64_t source, std::uint64_t session) {
  if (!present_) return std::nullopt;
  const pqxx::result rows =
      query("SELECT version, state FROM import_sessions WHERE source = " + number(source) + " AND session = " + number(session));
  if (rows.empty()) return std::nullopt;
  return SessionMark{source, session, rows[0][0].as<std::int64_t>(), rows[0][1].as<std::string>()};
}

std::unordered_map<std::uint64_t, std::int64_t> PostgresImportMarks::session_versions(std::uint64_t source) {
  std::unordered_map<std::uint64_t, std::int64_t> versions;
  if (!present_) return versions;
  for (const auto& row : query("SELECT session, version FROM import_sessions WHERE source = " + number(source))) {
    versions.emplace(as_uint(row[0]), row[1].as<std::int64_t>());
  }
  return versions;
}

void PostgresImportMarks::begin() {
  abandon();
  try {
    write_ = std::make_unique<pqxx::work>(connection_.get());
    write_->exec(kImportLock);
  } catch (const std::exception&) {
    abandon();
    connection_.rethrow_as_store_error();
  }
}

std::size_t PostgresImportMarks::commit(std::span<const ipc::OutcomeEvent> events, double received_time,
                                        std::vector<EventStore::Replaced>* outcomes, std::string_view outranked_origin,
                                        std::span<const FileMark> files, std::span<const SessionMark> sessions) {
  if (!write_) begin();
  try {
    if (outcomes) outcomes->clear();
    const std::size_t stored = PostgresEventStore::replace_in_transaction(*write_, events, received_time, outcomes, outranked_origin);
    for (const FileMark& m : files) {
      write_->exec(
          R"sql(INSERT INTO import_files(file, agent, session, device, inode, size, mtime, "offset", line, stream, state) VALUES ()sql" +
          number(m.file) + ", " + write_->quote(m.agent) + ", " + number(m.session) + ", " + number(m.device) + ", " + number(m.inode) +
          ", " + number(m.size) + ", " + std::to_string(m.mtime_ns) + ", " + number(m.offset) + ", " + number(m.line) + ", " +
          write_->quote(m.stream) + ", " + write_->quote(m.state) +
          R"sql() ON CONFLICT (file) DO UPDATE SET agent = excluded.agent, session = excluded.session,
                     device = excluded.device, inode = excluded.inode, size = excluded.size, mtime = excluded.mtime,
                     "offset" = excluded."offset", line = excluded.line, stream = excluded.stream, state = excluded.state)sql");
    }
    for (const SessionMark& m : sessions) {
      write_->exec("INSERT INTO import_sessions(source, session, version, state) VALUES (" + number(m.source) + ", " + number(m.session) +
                   ", " + std::to_string(m.version) + ", " + write_->quote(m.state) +
                   ") ON CONFLICT (source, session) DO UPDATE SET version = excluded.version, state = excluded.state");
    }
    write_->commit();
    write_.reset();
    return stored;
  } catch (const std::exception&) {
    abandon();
    connection_.rethrow_as_store_error();
  }
}

void PostgresImportMarks::abandon() noexcept {
  try {
    if (write_) write_->abort();
  } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): a transaction that cannot be aborted ends with its connection
  }
  write_.reset();
}

}  // namespace agentmetrics::store
