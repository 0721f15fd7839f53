// Transactions and store errors on a real SQLite file: a write nested in the caller's
// transaction undoes only its own part, an uncommitted write is rolled back, and an error says
// what went wrong by its kind (from SQLite's result code), never by words in its message.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <stdexcept>

#include "collector/learning/learning_error.h"
#include "collector/store/sqlite_event_store.h"
#include "collector/store/sqlite_statement.h"
#include "collector/store/sqlite_transaction.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::store {
namespace {

using testing::TempDir;
using Mode = Transaction::Mode;

class SqliteTransaction : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = SqliteEventStore::open(dir_.path() + "/events.db", SqliteEventStore::Mode::kReadWrite);
    exec(db(), "CREATE TABLE notes(text TEXT)");
  }
  sqlite3* db() { return store_->handle(); }
  void note(const char* text) {
    SqliteStatement st(db(), "INSERT INTO notes(text) VALUES(?)");
    st.bind(1, std::string_view(text));
    st.run();
  }
  std::int64_t notes() {
    SqliteStatement st(db(), "SELECT count(*) FROM notes");
    st.step();
    return st.column_int64(0);
  }

  TempDir dir_;
  std::unique_ptr<SqliteEventStore> store_;
};

TEST_F(SqliteTransaction, AWriteLeftUncommittedIsRolledBack) {
  {
    Transaction tx(db(), Mode::kWrite);
    note("lost");
  }
  EXPECT_EQ(notes(), 0);
  {
    Transaction tx(db(), Mode::kWrite);
    note("kept");
    tx.commit();
  }
  EXPECT_EQ(notes(), 1);
  EXPECT_TRUE(sqlite3_get_autocommit(db()));
}

// The learning side's WriteTransaction threw "cannot start a transaction within a transaction"
// here; only the KPI engine's read snapshot tolerated an open transaction.
TEST_F(SqliteTransaction, AWriteInsideTheCallersTransactionUndoesOnlyItsOwnPart) {
  Transaction outer(db(), Mode::kWrite);
  note("outer");
  try {
    Transaction inner(db(), Mode::kWrite);
    note("inner");
    throw std::runtime_error("the inner work fails");
  } catch (const std::runtime_error&) {}
  {
    Transaction inner(db(), Mode::kWrite);
    note("second inner");
    inner.commit();
  }
  EXPECT_FALSE(sqlite3_get_autocommit(db())) << "the caller's transaction is still open";
  outer.commit();
  EXPECT_EQ(notes(), 2);
  SqliteStatement st(db(), "SELECT count(*) FROM notes WHERE text = 'inner'");
  st.step();
  EXPECT_EQ(st.column_int64(0), 0);
}

TEST_F(SqliteTransaction, AReadInsideAWriteJoinsItAndLeavesItOpen) {
  Transaction write(db(), Mode::kWrite);
  note("pending");
  {
    Transaction read(db(), Mode::kRead);
    EXPECT_EQ(notes(), 1);
  }
  EXPECT_FALSE(sqlite3_get_autocommit(db()));
  write.commit();
  EXPECT_EQ(notes(), 1);
}

TEST_F(SqliteTransaction, ALockHeldByAnotherConnectionIsABusyError) {
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(store_->path().c_str(), &other), SQLITE_OK);
  exec(other, "BEGIN IMMEDIATE");
  sqlite3_busy_timeout(db(), 0);
  try {
    Transaction tx(db(), Mode::kWrite);
    ADD_FAILURE() << "the lock was taken twice";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::kBusy) << e.what();
    EXPECT_EQ(e.sqlite_code() & 0xff, SQLITE_BUSY);
    EXPECT_EQ(learning::translate_error(e).code(), "STORE_BUSY");
  }
  exec(other, "ROLLBACK");
  sqlite3_close(other);
}

TEST(StoreError, AFileThatIsNotADatabaseIsCorrupt) {
  TempDir dir;
  const std::string path = dir.path() + "/events.db";
  std::ofstream(path) << std::string(4096, 'x');
  try {
    SqliteEventStore::open(path, SqliteEventStore::Mode::kReadWrite);
    FAIL() << "a text file opened as a store";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::kCorrupt) << e.what();
    EXPECT_EQ(e.sqlite_code(), SQLITE_NOTADB);
    EXPECT_EQ(learning::translate_error(e, path).code(), "STORE_CORRUPT");
  }
}

// A path with "locked" in it was read as a busy store, and one with "corrupt" as a damaged
// one, because the error was classified by the words of its message.
TEST(StoreError, AMissingStoreIsUnavailableWhateverItsPathSays) {
  TempDir dir;
  const std::string path = dir.path() + "/locked-corrupt/events.db";
  try {
    SqliteEventStore::open(path, SqliteEventStore::Mode::kReadOnly);
    FAIL() << "a store that does not exist opened";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::kUnavailable) << e.what();
    EXPECT_EQ(e.sqlite_code() & 0xff, SQLITE_CANTOPEN);
    const auto translated = learning::translate_error(e, path);
    EXPECT_EQ(translated.code(), "STORE_UNAVAILABLE");
    EXPECT_EQ(translated.exit_code(), 4);
  }
}

TEST(StoreError, ANewerSchemaSaysSo) {
  TempDir dir;
  const std::string path = dir.path() + "/events.db";
  {
    auto store = SqliteEventStore::open(path, SqliteEventStore::Mode::kReadWrite);
    exec(store->handle(), "PRAGMA user_version=99");
  }
  for (const auto mode : {SqliteEventStore::Mode::kReadWrite, SqliteEventStore::Mode::kReadOnly}) {
    try {
      SqliteEventStore::open(path, mode);
      ADD_FAILURE() << "a newer store opened";
    } catch (const StoreError& e) {
      EXPECT_EQ(e.kind(), StoreError::Kind::kNewerSchema) << e.what();
      EXPECT_EQ(learning::translate_error(e, path).code(), "STORE_SCHEMA_NEWER");
    }
  }
}

}  // namespace
}  // namespace agentmetrics::store
