// The event store on a real SQLite file: idempotent inserts, retention, schema versions, and
// clear errors for files that are not a store.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "collector/store/sqlite_event_store.h"
#include "collector/store/sqlite_statement.h"
#include "collector/store/store_location.h"
#include "tests/support/processes_at_once.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::store {
namespace {

using testing::TempDir;

ipc::OutcomeEvent commit_event(std::uint64_t producer, std::uint64_t sequence, double time, double added) {
  ipc::OutcomeEvent e;
  e.kind = ipc::OutcomeKind::kCommit;
  e.producer_id = producer;
  e.sequence = sequence;
  e.time = time;
  e.fields = {{"lines_added", added}, {"lines_deleted", 1.0}, {"sha", std::string("abc")}};
  return e;
}

TEST(SqliteEventStore, AnEventStoredTwiceIsKeptOnce) {
  TempDir dir;
  auto store = SqliteEventStore::open(dir.path() + "/events.db", SqliteEventStore::Mode::kReadWrite);
  // The top bit set: ids are kept as 64-bit patterns, not refused as too large.
  const std::uint64_t producer = 0x8000000000000001ULL;
  std::vector<ipc::OutcomeEvent> batch = {commit_event(producer, 1, 1.7e9, 10), commit_event(producer, 2, 1.7e9, 20)};
  EXPECT_EQ(store->insert(batch, 1.7e9), 2u);
  batch.push_back(commit_event(producer, 3, 1.7e9, 30));
  EXPECT_EQ(store->insert(batch, 1.7e9), 1u);
  EXPECT_EQ(store->count(), 3u);
  // Another producer's sequence 1 is another event.
  EXPECT_EQ(store->insert(std::vector{commit_event(7, 1, 1.7e9, 5)}, 1.7e9), 1u);
  EXPECT_EQ(store->count(), 4u);

  SqliteStatement st(store->handle(),
                     "SELECT producer_id, kind, json_extract(fields, '$.lines_added'), fields FROM events WHERE sequence = 3");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(static_cast<std::uint64_t>(st.column_int64(0)), producer);
  EXPECT_EQ(st.column_text(1), "commit");
  EXPECT_EQ(st.column_double(2), 30.0);
  EXPECT_EQ(st.column_text(3), R"({"lines_added":30.0,"lines_deleted":1.0,"sha":"abc"})");
}

TEST(SqliteEventStore, AFullerAccountReplacesTheStoredOneUnderANewId) {
  TempDir dir;
  auto store = SqliteEventStore::open(dir.path() + "/events.db", SqliteEventStore::Mode::kReadWrite);
  std::vector<SqliteEventStore::Replaced> outcomes;
  EXPECT_EQ(store->replace(std::vector{commit_event(5, 1, 1000, 10), commit_event(5, 2, 1000, 1)}, 1000, &outcomes), 2u);
  EXPECT_EQ(outcomes, (std::vector{SqliteEventStore::Replaced::kStored, SqliteEventStore::Replaced::kStored}));
  // The same account again: kept, nothing changes.
  EXPECT_EQ(store->replace(std::vector{commit_event(5, 1, 1000, 10)}, 1001, &outcomes), 0u);
  EXPECT_EQ(outcomes, std::vector{SqliteEventStore::Replaced::kKept});
  // A fuller account (later, or as late with other fields) replaces it; an older one does not.
  EXPECT_EQ(store->replace(std::vector{commit_event(5, 1, 1000, 20), commit_event(5, 2, 900, 99)}, 1002, &outcomes), 1u);
  EXPECT_EQ(outcomes, (std::vector{SqliteEventStore::Replaced::kReplaced, SqliteEventStore::Replaced::kKept}));
  EXPECT_EQ(store->replace(std::vector{commit_event(5, 1, 1100, 30)}, 1003, &outcomes), 1u);
  EXPECT_EQ(store->count(), 2u);
  SqliteStatement st(store->handle(), "SELECT id, json_extract(fields, '$.lines_added'), received FROM events WHERE sequence = 1");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.column_int64(0), 4);  // ids 1 and 2 first, then 3, then 4
  EXPECT_EQ(st.column_double(1), 30.0);
  EXPECT_EQ(st.column_double(2), 1003.0);
  // Each replacement is recorded: 1 by 3, 3 by 4.
  SqliteStatement replaced(store->handle(), "SELECT by, id FROM replaced_events ORDER BY by");
  ASSERT_TRUE(replaced.step());
  EXPECT_EQ(replaced.column_int64(0), 3);
  EXPECT_EQ(replaced.column_int64(1), 1);
  ASSERT_TRUE(replaced.step());
  EXPECT_EQ(replaced.column_int64(0), 4);
  EXPECT_EQ(replaced.column_int64(1), 3);
  EXPECT_FALSE(replaced.step());
  // A plain insert still keeps the stored copy.
  EXPECT_EQ(store->insert(std::vector{commit_event(5, 1, 2000, 40)}, 2000), 0u);
  // Retention takes the replacements older than every event left; that of id 4, which is
  // left, stays for the readers that have not reached it.
  EXPECT_EQ(store->delete_received_before(1002), 1u);  // sequence 2 (received 1000) goes; sequence 1 (id 4, 1003) stays
  SqliteStatement left(store->handle(), "SELECT group_concat(by) FROM replaced_events");
  ASSERT_TRUE(left.step());
  EXPECT_EQ(left.column_text(0), "4");
}

TEST(SqliteEventStore, AnOutrankedOriginIsReplacedWhateverItsTime) {
  TempDir dir;
  auto store = SqliteEventStore::open(dir.path() + "/events.db", SqliteEventStore::Mode::kReadWrite);
  // A session's task as the OTLP receiver stored it, its time the last export's.
  auto told = commit_event(7, 1, 1000, 10);
  told.fields["origin"] = std::string("otlp");
  ASSERT_EQ(store->insert(std::vector{told}, 1000), 1u);
  auto read = commit_event(7, 1, 990, 12);
  read.fields["origin"] = std::string("import");
  std::vector<SqliteEventStore::Replaced> outcomes;
  // Earlier: kept, unless the caller outranks the stored one's origin.
  EXPECT_EQ(store->replace(std::vector{read}, 1001, &outcomes, "codex"), 0u);
  EXPECT_EQ(outcomes, std::vector{SqliteEventStore::Replaced::kKept});
  EXPECT_EQ(store->replace(std::vector{read}, 1001, &outcomes, "otlp"), 1u);
  EXPECT_EQ(outcomes, std::vector{SqliteEventStore::Replaced::kReplaced});
  // Now stored as the import's, it is the time that decides again.
  auto older = commit_event(7, 1, 980, 13);
  older.fields["origin"] = std::string("import");
  EXPECT_EQ(store->replace(std::vector{older}, 1002, &outcomes, "otlp"), 0u);
  SqliteStatement st(store->handle(), "SELECT count(*), max(fields) FROM events");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.column_int64(0), 1);
  EXPECT_NE(st.column_text(1).find("\"lines_added\":12.0"), std::string::npos) << st.column_text(1);
}

// Retention goes by when the store received an event, not by the time the event claims: a
// producer's date far in the future does not keep it, a backfilled old one does not lose it.
TEST(SqliteEventStore, RetentionRemovesWhatWasReceivedBeforeTheCutoff) {
  TempDir dir;
  auto store = SqliteEventStore::open(dir.path() + "/events.db", SqliteEventStore::Mode::kReadWrite);
  store->insert(std::vector{commit_event(1, 1, 900, 1), commit_event(1, 2, 3.2e10, 1)}, 1000);  // 3.2e10: the year 2984
  store->insert(std::vector{commit_event(1, 3, 1500, 1)}, 2000);
  store->insert(std::vector{commit_event(1, 4, 10, 1)}, 3000);  // a backfill of something old
  EXPECT_EQ(store->delete_received_before(1000), 0u);
  EXPECT_EQ(store->delete_received_before(2000), 2u);
  EXPECT_EQ(store->count(), 2u);
  SqliteStatement st(store->handle(), "SELECT sequence FROM events ORDER BY id");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.column_int64(0), 3);
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.column_int64(0), 4);
  EXPECT_EQ(store->delete_received_before(1e10), 2u);
  EXPECT_EQ(store->count(), 0u);
  EXPECT_EQ(store->delete_received_before(1e10), 0u) << "an empty store";
}

TEST(SqliteEventStore, ATimeAfterReceiptIsStoredAsTheTimeOfReceipt) {
  TempDir dir;
  auto store = SqliteEventStore::open(dir.path() + "/events.db", SqliteEventStore::Mode::kReadWrite);
  const std::vector batch{commit_event(1, 1, 3.2e10, 1), commit_event(1, 2, 1999, 1), commit_event(1, 3, 2000.5, 1)};
  EXPECT_EQ(dated_after(batch, 2000), 2u);
  store->insert(batch, 2000);
  SqliteStatement st(store->handle(), "SELECT time FROM events ORDER BY sequence");
  for (const double expected : {2000.0, 1999.0, 2000.0}) {
    ASSERT_TRUE(st.step());
    EXPECT_EQ(st.column_double(0), expected);
  }
}

TEST(SqliteEventStore, ReopeningKeepsEventsAndTheSchemaVersion) {
  TempDir dir;
  const std::string path = dir.path() + "/events.db";
  SqliteEventStore::open(path, SqliteEventStore::Mode::kReadWrite)->insert(std::vector{commit_event(1, 1, 1.7e9, 1)}, 1.7e9);
  auto again = SqliteEventStore::open(path, SqliteEventStore::Mode::kReadWrite);
  EXPECT_EQ(again->count(), 1u);
  EXPECT_EQ(again->schema_version(), SqliteEventStore::kSchemaVersion);
  auto reader = SqliteEventStore::open(path, SqliteEventStore::Mode::kReadOnly);
  EXPECT_EQ(reader->count(), 1u);
  EXPECT_THROW(reader->insert(std::vector{commit_event(1, 2, 1.7e9, 1)}, 1.7e9), StoreError);
}

TEST(SqliteEventStore, TheWriterUsesWriteAheadLogging) {
  TempDir dir;
  auto store = SqliteEventStore::open(dir.path() + "/events.db", SqliteEventStore::Mode::kReadWrite);
  SqliteStatement st(store->handle(), "PRAGMA journal_mode");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.column_text(0), "wal");
}

// Processes that open one new store at the same instant (cm commands started together) all
// succeed: SQLite tries the lock that turns on write-ahead logging only once, and a process that
// read the version before another migrated used to create the tables a second time.
TEST(SqliteEventStore, ProcessesOpeningANewStoreTogetherAllSucceed) {
  for (int round = 0; round < 30; ++round) {
    TempDir dir;
    const std::string path = dir.path() + "/events.db";
    const auto failures = testing::run_in_processes_at_once(8, [&] { SqliteEventStore::open(path, SqliteEventStore::Mode::kReadWrite); });
    ASSERT_TRUE(failures.empty()) << "round " << round << ", " << failures.size() << " of 8 failed: " << failures.front();
    EXPECT_EQ(SqliteEventStore::open(path, SqliteEventStore::Mode::kReadOnly)->schema_version(), SqliteEventStore::kSchemaVersion);
  }
}

TEST(SqliteEventStore, ANewerSchemaIsRefusedWithAClearError) {
  TempDir dir;
  const std::string path = dir.path() + "/events.db";
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version=99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  try {
    SqliteEventStore::open(path, SqliteEventStore::Mode::kReadWrite);
    FAIL() << "a store of schema 99 was opened";
  } catch (const StoreError& e) {
    EXPECT_NE(
        std::string(e.what()).find("schema version 99, newer than this program's " + std::to_string(SqliteEventStore::kSchemaVersion)),
        std::string::npos)
        << e.what();
  }
}

TEST(SqliteEventStore, AFileThatIsNotADatabaseIsRefusedWithAClearError) {
  TempDir dir;
  const std::string path = dir.path() + "/events.db";
  std::ofstream(path) << std::string(8192, 'x');
  try {
    SqliteEventStore::open(path, SqliteEventStore::Mode::kReadWrite);
    FAIL() << "garbage was opened as a store";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("not a database"), std::string::npos) << e.what();
  }
}

TEST(SqliteEventStore, AMissingStoreCannotBeOpenedForReading) {
  TempDir dir;
  EXPECT_THROW(SqliteEventStore::open(dir.path() + "/none.db", SqliteEventStore::Mode::kReadOnly), StoreError);
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

// The store holds the rules agents obey: its files are owner-only whatever the umask, and a
// directory another user may write is refused (a rule planted there was served before).
TEST(StoreLocation, TheStoreIsOwnerOnlyAndAnOpenDirectoryIsRefused) {
  TempDir dir;
  const mode_t old = ::umask(022);
  {
    auto store = SqliteEventStore::open(dir.path() + "/events.db", SqliteEventStore::Mode::kReadWrite);
    store->insert(std::vector{commit_event(1, 1, 100, 1)}, 100);
    EXPECT_EQ(mode_of(dir.path() + "/events.db"), 0600u);
    EXPECT_EQ(mode_of(dir.path() + "/events.db-wal"), 0600u);
    EXPECT_EQ(mode_of(dir.path() + "/events.db-shm"), 0600u);
  }
  // A store left readable by an older version is made owner-only when opened for writing.
  ::chmod((dir.path() + "/events.db").c_str(), 0644);
  SqliteEventStore::open(dir.path() + "/events.db", SqliteEventStore::Mode::kReadWrite);
  EXPECT_EQ(mode_of(dir.path() + "/events.db"), 0600u);
  ::umask(old);

  const std::string shared = dir.path() + "/shared";
  ASSERT_EQ(::mkdir(shared.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(shared.c_str(), 01777), 0);  // like /tmp
  for (const auto mode : {SqliteEventStore::Mode::kReadWrite, SqliteEventStore::Mode::kReadOnly}) {
    try {
      SqliteEventStore::open(shared + "/events.db", mode);
      ADD_FAILURE() << "opened a store in a directory anyone may write";
    } catch (const StoreError& e) {
      EXPECT_EQ(e.kind(), StoreError::Kind::kUnavailable);
      EXPECT_NE(std::string(e.what()).find("may be written by other users"), std::string::npos) << e.what();
    }
  }
  struct stat st {};
  EXPECT_NE(::stat((shared + "/events.db").c_str(), &st), 0) << "nothing was created there";
}

// Without HOME the default store is in the user's home from the password database, never in a
// shared directory such as /tmp.
TEST(StoreLocation, WithoutHomeTheStoreIsNotInASharedDirectory) {
  const char* home = std::getenv("HOME");
  const std::string saved = home ? home : "";
  const char* state = std::getenv("XDG_STATE_HOME");
  const std::string saved_state = state ? state : "";
  ::unsetenv("HOME");
  ::unsetenv("XDG_STATE_HOME");
  std::string path;
  try {
    path = store_path_for("");
  } catch (const StoreError& e) {
    path = std::string("error: ") + e.what();
  }
  if (!saved.empty()) ::setenv("HOME", saved.c_str(), 1);
  if (!saved_state.empty()) ::setenv("XDG_STATE_HOME", saved_state.c_str(), 1);
  EXPECT_EQ(path.rfind("/tmp", 0), std::string::npos) << path;
  EXPECT_FALSE(path.empty());
}

}  // namespace
}  // namespace agentmetrics::store
