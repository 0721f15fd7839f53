// The event store on a real PostgreSQL 15 (one server for this program, a database per test):
// the same keys and the same answers as the SQLite store, sidecars writing at once, and the
// readers' notation for both.
#include <gtest/gtest.h>

#include <atomic>
#include <pqxx/nontransaction>
#include <thread>

#include "collector/store/event_rows.h"
#include "collector/store/event_sql.h"
#include "collector/store/postgres_event_store.h"
#include "collector/store/sqlite_event_store.h"
#include "collector/store/store_error.h"
#include "collector/store/store_factory.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::store {
namespace {

using testing::shared_postgres_server;

ipc::OutcomeEvent commit_event(std::uint64_t producer, std::uint64_t sequence, double time, double added) {
  ipc::OutcomeEvent e;
  e.kind = ipc::OutcomeKind::kCommit;
  e.producer_id = producer;
  e.sequence = sequence;
  e.time = time;
  e.fields = {{"lines_added", added}, {"lines_deleted", 1.0}, {"sha", std::string("abc'\"\\ é")}};
  return e;
}

std::string test_database() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string("t_") + info->name();
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return shared_postgres_server().fresh_database(name.substr(0, 60));
}

TEST(PostgresEventStore, AnEventStoredTwiceIsKeptOnce) {
  auto store = PostgresEventStore::open(test_database());
  EXPECT_EQ(store->schema_version(), PostgresEventStore::kSchemaVersion);
  const std::uint64_t producer = 0x8000000000000001ULL;  // the top bit: kept as a 64-bit pattern
  std::vector<ipc::OutcomeEvent> batch = {commit_event(producer, 1, 1.7e9, 10), commit_event(producer, 2, 1.7e9, 20)};
  EXPECT_EQ(store->insert(batch, 1.7e9), 2u);
  batch.push_back(commit_event(producer, 3, 1.7e9, 30));
  batch.push_back(commit_event(producer, 3, 1.7e9, 30));  // twice in one batch too
  EXPECT_EQ(store->insert(batch, 1.7e9), 1u);
  EXPECT_EQ(store->count(), 3u);
  EXPECT_EQ(store->insert(std::vector{commit_event(7, 1, 1.7e9, 5)}, 1.7e9), 1u);
  EXPECT_EQ(store->count(), 4u);

  auto rows = store->read("SELECT producer_id, kind, {num:lines_added}, {text:sha}, time FROM events WHERE sequence = 3", {});
  ASSERT_TRUE(rows->next());
  EXPECT_EQ(static_cast<std::uint64_t>(rows->integer(0)), producer);
  EXPECT_EQ(rows->text(1), "commit");
  EXPECT_EQ(rows->real(2), 30.0);
  EXPECT_EQ(rows->text(3), "abc'\"\\ é");
  EXPECT_EQ(rows->real(4), 1.7e9);
  EXPECT_FALSE(rows->next());
}

TEST(PostgresEventStore, AnEventDatedAfterItsReceiptIsStoredAsReceivedAndTimesKeepEveryBit) {
  auto store = PostgresEventStore::open(test_database());
  const double received = 1764000000.123456789;
  store->insert(std::vector{commit_event(1, 1, received + 3600, 1), commit_event(1, 2, 1764000000.000001, 1)}, received);
  auto rows = store->read("SELECT time, received FROM events ORDER BY sequence", {});
  ASSERT_TRUE(rows->next());
  EXPECT_EQ(rows->real(0), received);
  EXPECT_EQ(rows->real(1), received);
  ASSERT_TRUE(rows->next());
  EXPECT_EQ(rows->real(0), 1764000000.000001);
}

TEST(PostgresEventStore, AFullerAccountReplacesTheStoredOneUnderANewId) {
  auto store = PostgresEventStore::open(test_database());
  std::vector<EventStore::Replaced> outcomes;
  using R = EventStore::Replaced;
  EXPECT_EQ(store->replace(std::vector{commit_event(5, 1, 1000, 10), commit_event(5, 2, 1000, 1)}, 1000, &outcomes), 2u);
  EXPECT_EQ(outcomes, (std::vector{R::kStored, R::kStored}));
  EXPECT_EQ(store->replace(std::vector{commit_event(5, 1, 1000, 10)}, 1001, &outcomes), 0u);
  EXPECT_EQ(outcomes, std::vector{R::kKept});
  EXPECT_EQ(store->replace(std::vector{commit_event(5, 1, 900, 99)}, 1002, &outcomes), 0u) << "an older account is kept out";
  EXPECT_EQ(store->replace(std::vector{commit_event(5, 1, 1100, 15)}, 1003, &outcomes), 1u);
  EXPECT_EQ(outcomes, std::vector{R::kReplaced});
  auto rows = store->read("SELECT e.id, {num:lines_added}, r.id FROM events e JOIN replaced_events r ON r.by = e.id", {});
  ASSERT_TRUE(rows->next());
  EXPECT_EQ(rows->real(1), 15);
  EXPECT_GT(rows->integer(0), 2) << "the replacement's id is above every id given before";
  EXPECT_EQ(rows->integer(2), 1);
  EXPECT_EQ(store->count(), 2u);
  // An outranked origin is replaced whatever its time.
  auto otlp = commit_event(6, 1, 2000, 1);
  otlp.fields["origin"] = std::string("otlp");
  store->replace(std::vector{otlp}, 2000);
  EXPECT_EQ(store->replace(std::vector{commit_event(6, 1, 1500, 2)}, 2001, &outcomes, "otlp"), 1u);
  EXPECT_EQ(outcomes, std::vector{R::kReplaced});
}

TEST(PostgresEventStore, RetentionRemovesWhatWasReceivedBefore) {
  auto store = PostgresEventStore::open(test_database());
  store->insert(std::vector{commit_event(1, 1, 100, 1), commit_event(1, 2, 100, 1)}, 100);
  store->insert(std::vector{commit_event(1, 3, 5000, 1)}, 200);
  EXPECT_EQ(store->delete_received_before(150), 2u);
  EXPECT_EQ(store->count(), 1u);
}

TEST(PostgresEventStore, SidecarsStartingTogetherMigrateOnceAndWritingTogetherStoreEachEventOnce) {
  const std::string url = test_database();
  constexpr int kWriters = 4;
  constexpr int kEvents = 2000;
  std::atomic<std::size_t> added{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto store = PostgresEventStore::open(url);
      // Every writer stores every event, in batches that start at different places: as if
      // each of four collectors had read the same segment.
      for (int start = w * 100; start < kEvents + w * 100; start += 250) {
        std::vector<ipc::OutcomeEvent> batch;
        for (int i = start; i < start + 250; ++i) batch.push_back(commit_event(9, static_cast<std::uint64_t>(i % kEvents) + 1, 1.7e9, i));
        added += store->insert(batch, 1.7e9);
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(added.load(), static_cast<std::size_t>(kEvents));
  auto store = PostgresEventStore::open(url);
  EXPECT_EQ(store->count(), static_cast<std::size_t>(kEvents));
  auto rows = store->read("SELECT count(DISTINCT sequence), min(sequence), max(sequence) FROM events", {});
  ASSERT_TRUE(rows->next());
  EXPECT_EQ(rows->integer(0), kEvents);
  EXPECT_EQ(rows->integer(1), 1);
  EXPECT_EQ(rows->integer(2), kEvents);
}

TEST(PostgresEventStore, ANewerSchemaIsRefused) {
  const std::string url = test_database();
  PostgresEventStore::open(url);
  {
    pqxx::connection c(url);
    pqxx::nontransaction(c).exec("UPDATE agentmetrics_schema SET version = 99");
  }
  try {
    PostgresEventStore::open(url);
    ADD_FAILURE() << "opened a newer schema";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::kNewerSchema);
    EXPECT_EQ(std::string(e.what()).find(shared_postgres_server().password()), std::string::npos) << e.what();
  }
}

TEST(PostgresEventStore, AnUnreachableServerIsUnavailableAndNamedWithoutItsPassword) {
  const std::string url = "postgresql://am:hidden-pw@127.0.0.1:1/agentmetrics";
  try {
    open_event_store({url, ""}, StoreAccess::kReadWrite);
    ADD_FAILURE() << "connected to port 1";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::kUnavailable);
    EXPECT_EQ(std::string(e.what()).find("hidden-pw"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("postgresql://am:***@127.0.0.1:1/agentmetrics"), std::string::npos) << e.what();
  }
}

// The readers' notation reads the same on both stores: numbers, flags as 1/0, text, absent
// fields as NULL, total() over nothing as 0, a time's UTC day.
TEST(EventSql, TheSameReadGivesTheSameRowsOnBothStores) {
  testing::TempDir dir;
  std::vector<std::unique_ptr<EventStore>> stores;
  stores.push_back(open_event_store({"", dir.path() + "/events.db"}, StoreAccess::kReadWrite));
  stores.push_back(open_event_store({test_database(), ""}, StoreAccess::kReadWrite));
  ipc::OutcomeEvent task;
  task.kind = ipc::OutcomeKind::kTask;
  task.producer_id = 1;
  task.sequence = 1;
  task.time = 1000.5;
  task.fields = {{"agent_type", std::string("opencode")}, {"success", true}, {"duration_seconds", 12.25}};
  auto failed = task;
  failed.sequence = 2;
  failed.fields["success"] = false;
  const std::string sql =
      "SELECT count(*), total({num:success}), total({num:duration_seconds}), count({num:cost_usd}), total({num:cost_usd}), "
      "min({text:agent_type}), total(CASE WHEN {num:success} <> 0 THEN 1 ELSE 0 END) "
      "FROM events WHERE kind = 'task' AND time >= ?1 AND time < ?2";
  for (const auto& store : stores) {
    store->insert(std::vector{task, failed}, 2000);
    const std::vector<double> range = {1000, 1001};
    auto rows = store->read(sql, range);
    ASSERT_TRUE(rows->next()) << store->name();
    EXPECT_EQ(rows->integer(0), 2) << store->name();
    EXPECT_EQ(rows->real(1), 1) << store->name();
    EXPECT_EQ(rows->real(2), 24.5) << store->name();
    EXPECT_EQ(rows->integer(3), 0) << store->name();
    EXPECT_EQ(rows->real(4), 0) << store->name();
    EXPECT_FALSE(rows->is_null(4)) << store->name();
    EXPECT_EQ(rows->text(5), "opencode") << store->name();
    EXPECT_EQ(rows->real(6), 1) << store->name();
    const std::vector<double> empty_range = {0, 1};
    auto none = store->read(sql, empty_range);
    ASSERT_TRUE(none->next());
    EXPECT_EQ(none->integer(0), 0);
    EXPECT_TRUE(none->is_null(5));
    // A day is the UTC date, whatever the server's time zone.
    auto late = task;
    late.sequence = 3;
    late.time = 86399.75;
    auto next_day = task;
    next_day.sequence = 4;
    next_day.time = 86400;
    store->insert(std::vector{late, next_day}, 100000);
    const std::vector<double> days_range = {86000, 87000};
    auto days = store->read("SELECT {day:time} FROM events WHERE kind = 'task' AND time >= ?1 AND time < ?2 ORDER BY time", days_range);
    ASSERT_TRUE(days->next()) << store->name();
    EXPECT_EQ(days->text(0), "1970-01-01") << store->name();
    ASSERT_TRUE(days->next()) << store->name();
    EXPECT_EQ(days->text(0), "1970-01-02") << store->name();
  }
  EXPECT_THROW(postgres_event_sql("SELECT {num:a b}", {}), std::invalid_argument);
  EXPECT_THROW(postgres_event_sql("SELECT ?3", std::vector<double>{1}), std::invalid_argument);
}

}  // namespace
}  // namespace agentmetrics::store
