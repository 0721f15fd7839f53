#include "collector/store/sqlite_event_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <mutex>

#include "collector/store/event_sql.h"
#include "collector/store/sqlite_import_marks.h"
#include "collector/store/sqlite_statement.h"
#include "collector/store/store_location.h"
#include "collector/store/sqlite_transaction.h"

namespace agentmetrics::store {
namespace {

// Each entry takes the schema from version i to i + 1.
constexpr const char* kMigrations[] = {
    R"sql(
      CREATE TABLE events(
        id INTEGER PRIMARY KEY,
        producer_id INTEGER NOT NULL,
        sequence INTEGER NOT NULL,
        kind TEXT NOT NULL,
        time REAL NOT NULL,
        received REAL NOT NULL,
        fields TEXT NOT NULL,
        UNIQUE(producer_id, sequence));
      CREATE INDEX events_kind_time ON events(kind, time);
    )sql",
    // Version 2: events replaced by a fuller account (SqliteEventStore::replace), for readers that
    // follow events by id (the learning side's history index).
    R"sql(
      CREATE TABLE replaced_events(by INTEGER PRIMARY KEY, id INTEGER NOT NULL);
    )sql",
};
static_assert(std::size(kMigrations) == SqliteEventStore::kSchemaVersion);

class SqliteRows final : public EventRows {
 public:
  SqliteRows(sqlite3* db, std::string_view sql, std::span<const double> parameters, std::span<const std::string> texts)
      : st_(db, sqlite_event_sql(sql)) {
    for (std::size_t i = 0; i < parameters.size(); ++i) st_.bind(static_cast<int>(i) + 1, parameters[i]);
    for (std::size_t i = 0; i < texts.size(); ++i) st_.bind(kSqliteTextParameter + static_cast<int>(i) + 1, texts[i]);
  }
  bool next() override { return st_.step(); }
  bool is_null(int column) const override { return st_.column_is_null(column); }
  double real(int column) const override { return st_.column_double(column); }
  std::int64_t integer(int column) const override { return st_.column_int64(column); }
  std::string text(int column) const override { return st_.column_text(column); }

 private:
  SqliteStatement st_;
};

class SqliteSnapshot final : public ReadSnapshot {
 public:
  explicit SqliteSnapshot(sqlite3* db) : tx_(db, Transaction::Mode::kRead) {}

 private:
  Transaction tx_;
};

}  // namespace

std::string fields_json(const ipc::OutcomeEvent& event) {
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& field : event.fields) {
    std::visit([&](const auto& v) { fields[field.first] = v; }, field.second);
  }
  return fields.dump();
}

std::unique_ptr<SqliteEventStore> SqliteEventStore::open(const std::string& path, Mode mode) {
  std::unique_ptr<SqliteEventStore> store(new SqliteEventStore());
  store->path_ = path;
  check_store_directory(path);
  const int flags = mode == Mode::kReadOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  {
    // secure_store_files may create the file and close its descriptor; no other thread of this
    // process may open the file between the two, or that close would drop its connection's locks.
    static std::mutex opening;
    const std::lock_guard lock(opening);
    if (mode == Mode::kReadWrite) secure_store_files(path);
    if (const int rc = sqlite3_open_v2(path.c_str(), &store->db_, flags | SQLITE_OPEN_NOMUTEX, nullptr); rc != SQLITE_OK) {
      throw StoreError("cannot open the store " + path + ": " + (store->db_ ? sqlite3_errmsg(store->db_) : "out of memory"),
                       store->db_ ? sqlite3_extended_errcode(store->db_) : rc);
    }
  }
  // A busy store (another process writing) is waited for, not failed at once.
  sqlite3_busy_timeout(store->db_, kBusyTimeoutMs);
  if (mode == Mode::kReadWrite) {
    // WAL: readers (the KPI engine, cm) never block the writer. synchronous=NORMAL: a commit
    // survives the process being killed; only a power loss can take the last commits.
    try {
      enable_wal(store->db_, kBusyTimeoutMs);
    } catch (const StoreError& e) {
      throw StoreError("store " + path + ": " + e.what(), e.sqlite_code());
    }
    store->exec_here("PRAGMA synchronous=NORMAL");
    store->migrate();
  } else if (const int version = store->schema_version(); version != kSchemaVersion) {
    throw StoreError(version < kSchemaVersion ? StoreError::Kind::kOlderSchema : StoreError::Kind::kNewerSchema,
                     "the store " + path + " has schema version " + std::to_string(version) + ", this program reads version " +
                         std::to_string(kSchemaVersion) + (version < kSchemaVersion ? " (start the collector once to migrate it)" : ""));
  }
  return store;
}

SqliteEventStore::~SqliteEventStore() { sqlite3_close_v2(db_); }

void SqliteEventStore::exec_here(const char* sql) const {
  try {
    exec(db_, sql);
  } catch (const StoreError& e) {
    throw StoreError("store " + path_ + ": " + e.what(), e.sqlite_code());
  }
}

int SqliteEventStore::schema_version() const {
  SqliteStatement st(db_, "PRAGMA user_version");
  if (!st.step()) throw StoreError("store " + path_ + ": cannot read the schema version");
  return st.column_int(0);
}

void SqliteEventStore::migrate() {
  const auto checked_version = [&] {
    const int version = schema_version();
    if (version > kSchemaVersion) {
      throw StoreError(StoreError::Kind::kNewerSchema, "the store " + path_ + " has schema version " + std::to_string(version) +
                                                           ", newer than this program's " + std::to_string(kSchemaVersion) +
                                                           "; upgrade agentmetrics");
    }
    return version;
  };
  // The common case, a current schema, takes no write lock.
  if (checked_version() == kSchemaVersion) return;
  Transaction tx(db_, Transaction::Mode::kWrite);
  // Read again under the lock: another process opening the new store may have migrated it.
  const int version = checked_version();
  for (int v = version; v < kSchemaVersion; ++v) exec_here(kMigrations[v]);
  exec_here(("PRAGMA user_version=" + std::to_string(kSchemaVersion)).c_str());
  tx.commit();
}

std::size_t SqliteEventStore::insert(std::span<const ipc::OutcomeEvent> events, double received_time) {
  if (events.empty()) return 0;
  Transaction tx(db_, Transaction::Mode::kWrite);
  std::size_t added = 0;
  SqliteStatement st(db_,
                     "INSERT OR IGNORE INTO events(producer_id, sequence, kind, time, received, fields) "
                     "VALUES(?, ?, ?, ?, ?, ?)");
  for (const auto& e : events) {
    st.reset();
    // SQLite integers are signed 64-bit: the id's bits are kept as they are.
    st.bind(1, static_cast<std::int64_t>(e.producer_id));
    st.bind(2, static_cast<std::int64_t>(e.sequence));
    st.bind(3, std::string(ipc::find_kind(e.kind)->name));
    st.bind(4, std::min(e.time, received_time));
    st.bind(5, received_time);
    st.bind(6, fields_json(e));
    st.run();
    added += static_cast<std::size_t>(sqlite3_changes(db_));
  }
  tx.commit();
  return added;
}

std::size_t SqliteEventStore::replace(std::span<const ipc::OutcomeEvent> events, double received_time, std::vector<Replaced>* outcomes,
                                      std::string_view outranked_origin) {
  if (outcomes) outcomes->clear();
  if (events.empty()) return 0;
  Transaction tx(db_, Transaction::Mode::kWrite);
  std::size_t changed = 0;
  SqliteStatement find(db_, "SELECT id, time, kind, fields FROM events WHERE producer_id = ? AND sequence = ?");
  SqliteStatement remove(db_, "DELETE FROM events WHERE id = ?");
  // The replacement's id is above every id given so far, the old one's included: SQLite would
  // otherwise give the old id again when it was the highest, and a reader past it would miss it.
  SqliteStatement insert(db_,
                         "INSERT INTO events(id, producer_id, sequence, kind, time, received, fields) "
                         "VALUES(max(coalesce((SELECT max(id) FROM events), 0), ?) + 1, ?, ?, ?, ?, ?, ?)");
  SqliteStatement record(db_, "INSERT INTO replaced_events(by, id) VALUES(?, ?)");
  for (const auto& e : events) {
    const std::string kind(ipc::find_kind(e.kind)->name);
    const std::string fields = fields_json(e);
    const double time = std::min(e.time, received_time);  // clamped as insert() does
    find.reset();
    find.bind(1, static_cast<std::int64_t>(e.producer_id));
    find.bind(2, static_cast<std::int64_t>(e.sequence));
    std::int64_t old_id = 0;
    if (find.step()) {
      // The stored account stays when it is the same, or later than this one and not outranked.
      const std::string stored_fields = find.column_text(3);
      const bool same = find.column_double(1) == time && find.column_text(2) == kind && stored_fields == fields;
      const auto outranked = [&] {
        if (outranked_origin.empty()) return false;
        const auto parsed = nlohmann::json::parse(stored_fields, nullptr, false);
        const auto origin = parsed.is_object() ? parsed.find("origin") : parsed.end();
        return origin != parsed.end() && origin->is_string() && origin->get<std::string>() == outranked_origin;
      };
      if (same || (find.column_double(1) > time && !outranked())) {
        if (outcomes) outcomes->push_back(Replaced::kKept);
        continue;
      }
      old_id = find.column_int64(0);
      remove.reset();
      remove.bind(1, old_id);
      remove.run();
    }
    insert.reset();
    insert.bind(1, old_id);
    insert.bind(2, static_cast<std::int64_t>(e.producer_id));
    insert.bind(3, static_cast<std::int64_t>(e.sequence));
    insert.bind(4, kind);
    insert.bind(5, time);
    insert.bind(6, received_time);
    insert.bind(7, fields);
    insert.run();
    if (old_id != 0) {
      record.reset();
      record.bind(1, static_cast<std::int64_t>(sqlite3_last_insert_rowid(db_)));
      record.bind(2, old_id);
      record.run();
    }
    if (outcomes) outcomes->push_back(old_id != 0 ? Replaced::kReplaced : Replaced::kStored);
    ++changed;
  }
  tx.commit();
  return changed;
}

std::unique_ptr<EventRows> SqliteEventStore::read(std::string_view sql, std::span<const double> parameters,
                                                  std::span<const std::string> texts) const {
  return std::make_unique<SqliteRows>(db_, sql, parameters, texts);
}

std::unique_ptr<ReadSnapshot> SqliteEventStore::snapshot() const { return std::make_unique<SqliteSnapshot>(db_); }

std::unique_ptr<ImportMarks> SqliteEventStore::import_marks(bool writable) { return std::make_unique<SqliteImportMarks>(*this, writable); }

std::size_t SqliteEventStore::store_batch(std::span<const ipc::OutcomeEvent> inserted, std::span<const ipc::OutcomeEvent> replacing,
                                          double received_time) {
  Transaction tx(db_, Transaction::Mode::kWrite);
  const std::size_t added = insert(inserted, received_time) + replace(replacing, received_time);
  tx.commit();
  return added;
}

std::size_t SqliteEventStore::delete_received_before(double unix_seconds) {
  Transaction tx(db_, Transaction::Mode::kWrite);
  // Ids grow in the order events are received, so the events received before the cutoff are
  // the ids below the first one received after it: found by walking the rowid from its start
  // (as many rows as are removed, no index needed), then removed as one range.
  SqliteStatement st(db_,
                     "DELETE FROM events WHERE id < coalesce((SELECT id FROM events WHERE received >= ?1 ORDER BY id LIMIT 1), "
                     "(SELECT max(id) + 1 FROM events))");
  st.bind(1, unix_seconds);
  st.run();
  const auto removed = static_cast<std::size_t>(sqlite3_changes(db_));
  // A replacement older than every event left is of no use to a reader following ids.
  exec_here("DELETE FROM replaced_events WHERE by < (SELECT coalesce(min(id), 0) FROM events)");
  tx.commit();
  return removed;
}

std::size_t dated_after(std::span<const ipc::OutcomeEvent> events, double received_time) {
  return static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [&](const auto& e) { return e.time > received_time; }));
}

std::size_t SqliteEventStore::count() const {
  SqliteStatement st(db_, "SELECT count(*) FROM events");
  st.step();
  return static_cast<std::size_t>(st.column_int64(0));
}

}  // namespace agentmetrics::store
