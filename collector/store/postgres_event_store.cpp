#include "collector/store/postgres_event_store.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <pqxx/result>

#include "collector/store/event_sql.h"
#include "collector/store/postgres_import_marks.h"
#include "collector/store/store_error.h"

namespace agentmetrics::store {
namespace {

// Taken (for the transaction) by whoever migrates, so that sidecars starting together do not
// create the same tables at once: "agentmetrics" in ASCII.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7453006875587617907)";

// Each entry takes the schema from version i to i + 1.
constexpr const char* kMigrations[] = {
    R"sql(
      CREATE TABLE events(
        id BIGSERIAL PRIMARY KEY,
        producer_id BIGINT NOT NULL,
        sequence BIGINT NOT NULL,
        kind TEXT NOT NULL,
        time DOUBLE PRECISION NOT NULL,
        received DOUBLE PRECISION NOT NULL,
        fields JSONB NOT NULL,
        UNIQUE(producer_id, sequence));
      CREATE INDEX events_kind_time ON events(kind, time);
      CREATE INDEX events_received ON events(received);
      CREATE TABLE replaced_events(by BIGINT PRIMARY KEY, id BIGINT NOT NULL);
      -- The readers' notation (event_sql.h): a field as a number, booleans as 1/0 as SQLite's
      -- json_extract gives them; and SQLite's total(), a sum that is 0 over no rows.
      CREATE FUNCTION am_num(f JSONB, k TEXT) RETURNS DOUBLE PRECISION
        LANGUAGE sql IMMUTABLE PARALLEL SAFE
        AS $$ SELECT CASE jsonb_typeof(f -> k)
                       WHEN 'number' THEN (f ->> k)::double precision
                       WHEN 'boolean' THEN CASE WHEN (f -> k)::boolean THEN 1.0 ELSE 0.0 END END $$;
      CREATE AGGREGATE total(DOUBLE PRECISION) (SFUNC = float8pl, STYPE = DOUBLE PRECISION, INITCOND = '0');
    )sql",
};
static_assert(std::size(kMigrations) == PostgresEventStore::kSchemaVersion);

// A double as SQL text that reads back as the same double.
std::string number(double value) {
  if (!std::isfinite(value)) throw StoreError(StoreError::Kind::kOther, "an event's time is not a finite number");
  char text[32];
  return {text, std::to_chars(std::begin(text), std::end(text), value).ptr};
}

std::string key_condition(const ipc::OutcomeEvent& e) {
  return "producer_id = " + std::to_string(static_cast<std::int64_t>(e.producer_id)) +
         " AND sequence = " + std::to_string(static_cast<std::int64_t>(e.sequence));
}

// The VALUES tuple of an event (id given by the sequence), its time clamped as insert() says.
std::string row_values(pqxx::transaction_base& tx, const ipc::OutcomeEvent& e, double received_time) {
  // PostgreSQL's BIGINT is signed 64-bit, like SQLite's integers: the id's bits are kept.
  return "(" + std::to_string(static_cast<std::int64_t>(e.producer_id)) + ", " + std::to_string(static_cast<std::int64_t>(e.sequence)) +
         ", " + tx.quote(std::string(ipc::find_kind(e.kind)->name)) + ", " + number(std::min(e.time, received_time)) + ", " +
         number(received_time) + ", " + tx.quote(fields_json(e)) + "::jsonb)";
}

std::size_t insert_in(pqxx::transaction_base& tx, std::span<const ipc::OutcomeEvent> events, double received_time) {
  if (events.empty()) return 0;
  // In key order: two collectors inserting overlapping keys then wait for each other in the
  // same order, never in a deadlock.
  std::vector<const ipc::OutcomeEvent*> order;
  order.reserve(events.size());
  for (const auto& e : events) order.push_back(&e);
  const auto key = [](const ipc::OutcomeEvent* e) {
    return std::pair{static_cast<std::int64_t>(e->producer_id), static_cast<std::int64_t>(e->sequence)};
  };
  std::sort(order.begin(), order.end(), [&](const auto* a, const auto* b) { return key(a) < key(b); });
  std::string sql = "INSERT INTO events(producer_id, sequence, kind, time, received, fields) VALUES ";
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += row_values(tx, *order[i], received_time);
  }
  sql += " ON CONFLICT (producer_id, sequence) DO NOTHING";
  return static_cast<std::size_t>(tx.exec(sql).affected_rows());
}

std::size_t replace_in(pqxx::transaction_base& tx, std::span<const ipc::OutcomeEvent> events, double received_time,
                       std::vector<EventStore::Replaced>* outcomes, std::string_view outranked_origin) {
  using Replaced = EventStore::Replaced;
  std::size_t changed = 0;
  for (const auto& e : events) {
    const std::string kind(ipc::find_kind(e.kind)->name);
    const double time = std::min(e.time, received_time);
    const pqxx::result found = tx.exec("SELECT id, time, kind, fields = " + tx.quote(fields_json(e)) +
                                       "::jsonb, coalesce(fields->>'origin', '') FROM events WHERE " + key_condition(e) + " FOR UPDATE");
    std::int64_t old_id = 0;
    if (!found.empty()) {
      const auto row = found[0];
      const double stored_time = row[1].as<double>();
      const bool same = stored_time == time && row[2].as<std::string>() == kind && row[3].as<bool>();
      const bool outranked = !outranked_origin.empty() && row[4].as<std::string>() == outranked_origin;
      if (same || (stored_time > time && !outranked)) {
        if (outcomes) outcomes->push_back(Replaced::kKept);
        continue;
      }
      old_id = row[0].as<std::int64_t>();
      tx.exec("DELETE FROM events WHERE id = " + std::to_string(old_id));
    }
    // The new row's id comes from the sequence, above every id given so far.
    const auto id = tx.exec1("INSERT INTO events(producer_id, sequence, kind, time, received, fields) VALUES " +
                             row_values(tx, e, received_time) + " RETURNING id")[0]
                        .as<std::int64_t>();
    if (old_id != 0) tx.exec("INSERT INTO replaced_events(by, id) VALUES (" + std::to_string(id) + ", " + std::to_string(old_id) + ")");
    if (outcomes) outcomes->push_back(old_id != 0 ? Replaced::kReplaced : Replaced::kStored);
    ++changed;
  }
  return changed;
}

class PostgresRows final : public EventRows {
 public:
  explicit PostgresRows(const pqxx::result& result) : result_(result) {}  // a shared handle: copied, not moved
  bool next() override { return ++row_ < static_cast<long>(result_.size()); }
  bool is_null(int column) const override { return field(column).is_null(); }
  double real(int column) const override { return is_null(column) ? 0 : field(column).as<double>(); }
  std::int64_t integer(int column) const override {
    if (is_null(column)) return 0;
    const std::string_view text = field(column).c_str();
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size()) return value;
    return static_cast<std::int64_t>(field(column).as<double>());  // a real, truncated as SQLite does
  }
  std::string text(int column) const override { return is_null(column) ? std::string() : field(column).as<std::string>(); }

 private:
  pqxx::field field(int column) const { return result_[static_cast<pqxx::result::size_type>(row_)][column]; }

  pqxx::result result_;
  long row_ = -1;
};

}  // namespace

class PostgresEventStore::Snapshot final : public ReadSnapshot {
 public:
  explicit Snapshot(const PostgresEventStore& store)
      : store_(store), tx_(std::make_unique<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(store.connection_.get())) {
    store_.snapshot_ = tx_.get();
  }
  ~Snapshot() override {
    store_.snapshot_ = nullptr;
    try {
      tx_->commit();
    } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): a read-only transaction has nothing to lose
    }
  }
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

 private:
  const PostgresEventStore& store_;
  std::unique_ptr<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>> tx_;
};

template <typename Work>
auto PostgresEventStore::in_transaction(Work&& work) const {
  try {
    pqxx::work tx(connection_.get());
    auto result = work(tx);
    tx.commit();
    return result;
  } catch (const std::exception&) {
    connection_.rethrow_as_store_error();
  }
}

PostgresEventStore::PostgresEventStore(const std::string& url) : connection_(url) {}

PostgresEventStore::~PostgresEventStore() = default;

std::unique_ptr<PostgresEventStore> PostgresEventStore::open(const std::string& url) {
  std::unique_ptr<PostgresEventStore> store(new PostgresEventStore(url));
  store->migrate();
  return store;
}

int PostgresEventStore::schema_version() const {
  return in_transaction([](pqxx::work& tx) {
    if (tx.exec1("SELECT to_regclass('agentmetrics_schema') IS NULL")[0].as<bool>()) return 0;
    return tx.exec1("SELECT coalesce(max(version), 0) FROM agentmetrics_schema")[0].as<int>();
  });
}

void PostgresEventStore::migrate() {
  const int from = in_transaction([&](pqxx::work& tx) {
    tx.exec(kMigrationLock);
    tx.exec("CREATE TABLE IF NOT EXISTS agentmetrics_schema(version INTEGER NOT NULL)");
    const int version = tx.exec1("SELECT coalesce(max(version), 0) FROM agentmetrics_schema")[0].as<int>();
    if (version >= kSchemaVersion) return version;
    for (int v = version; v < kSchemaVersion; ++v) tx.exec(kMigrations[v]);
    tx.exec("DELETE FROM agentmetrics_schema");
    tx.exec("INSERT INTO agentmetrics_schema(version) VALUES (" + std::to_string(kSchemaVersion) + ")");
    return version;
  });
  if (from > kSchemaVersion) {
    throw StoreError(StoreError::Kind::kNewerSchema, "the store " + name() + " has schema version " + std::to_string(from) +
                                                         ", newer than this program's " + std::to_string(kSchemaVersion) +
                                                         "; upgrade agentmetrics");
  }
}

std::size_t PostgresEventStore::insert(std::span<const ipc::OutcomeEvent> events, double received_time) {
  if (events.empty()) return 0;
  return in_transaction([&](pqxx::work& tx) { return insert_in(tx, events, received_time); });
}

std::size_t PostgresEventStore::replace(std::span<const ipc::OutcomeEvent> events, double received_time, std::vector<Replaced>* outcomes,
                                        std::string_view outranked_origin) {
  if (outcomes) outcomes->clear();
  if (events.empty()) return 0;
  return in_transaction([&](pqxx::work& tx) {
    if (outcomes) outcomes->clear();  // a retried transaction starts over
    return replace_in(tx, events, received_time, outcomes, outranked_origin);
  });
}

std::size_t PostgresEventStore::store_batch(std::span<const ipc::OutcomeEvent> inserted, std::span<const ipc::OutcomeEvent> replacing,
                                            double received_time) {
  if (inserted.empty() && replacing.empty()) return 0;
  return in_transaction(
      [&](pqxx::work& tx) { return insert_in(tx, inserted, received_time) + replace_in(tx, replacing, received_time, nullptr, {}); });
}

std::size_t PostgresEventStore::replace_in_transaction(pqxx::transaction_base& tx, std::span<const ipc::OutcomeEvent> events,
                                                       double received_time, std::vector<Replaced>* outcomes,
                                                       std::string_view outranked_origin) {
  return replace_in(tx, events, received_time, outcomes, outranked_origin);
}

std::unique_ptr<ImportMarks> PostgresEventStore::import_marks(bool writable) {
  return std::make_unique<PostgresImportMarks>(connection_, writable);
}

std::size_t PostgresEventStore::delete_received_before(double unix_seconds) {
  return in_transaction([&](pqxx::work& tx) {
    const auto removed = static_cast<std::size_t>(tx.exec("DELETE FROM events WHERE received < " + number(unix_seconds)).affected_rows());
    // A replacement older than every event left is of no use to a reader following ids.
    tx.exec("DELETE FROM replaced_events WHERE by < (SELECT coalesce(min(id), 0) FROM events)");
    return removed;
  });
}

std::size_t PostgresEventStore::count() const {
  return in_transaction([](pqxx::work& tx) { return tx.exec1("SELECT count(*) FROM events")[0].as<std::size_t>(); });
}

std::unique_ptr<EventRows> PostgresEventStore::read(std::string_view sql, std::span<const double> parameters,
                                                    std::span<const std::string> texts) const {
  const std::string text = postgres_event_sql(sql, parameters, texts);
  if (snapshot_) {
    try {
      return std::make_unique<PostgresRows>(snapshot_->exec(text));
    } catch (const pqxx::broken_connection& e) {
      throw StoreError(StoreError::Kind::kUnavailable, connection_.describe(std::string("connection lost: ") + e.what()));
    } catch (const std::exception& e) {
      throw StoreError(StoreError::Kind::kOther, connection_.describe(e.what()));
    }
  }
  return in_transaction([&](pqxx::work& tx) -> std::unique_ptr<EventRows> { return std::make_unique<PostgresRows>(tx.exec(text)); });
}

std::unique_ptr<ReadSnapshot> PostgresEventStore::snapshot() const {
  try {
    return std::make_unique<Snapshot>(*this);
  } catch (const StoreError&) {
    throw;
  } catch (const std::exception& e) {
    throw StoreError(StoreError::Kind::kUnavailable, connection_.describe(e.what()));
  }
}

}  // namespace agentmetrics::store
