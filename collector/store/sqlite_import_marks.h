// The session import's marks in a SQLite store (import_marks.h): its tables in the store's
// file, a batch's write one BEGIN IMMEDIATE transaction with the events it stores, so another
// import into the same file (the watcher and `agentmetrics import`) waits for it.
#pragma once

#include <memory>
#include <optional>

#include "collector/store/import_marks.h"
#include "collector/store/sqlite_transaction.h"

namespace agentmetrics::store {

class SqliteEventStore;
class SqliteStatement;

class SqliteImportMarks final : public ImportMarks {
 public:
  // Creates (when `writable`) or checks the tables. Throws StoreError.
  SqliteImportMarks(SqliteEventStore& store, bool writable);
  ~SqliteImportMarks() override;

  std::unordered_map<std::uint64_t, FileMark> file_marks() override;
  std::optional<FileMark> file_mark(std::uint64_t file) override;
  std::vector<FileMark> session_files(std::uint64_t session) override;
  std::optional<SessionMark> session_mark(std::uint64_t source, std::uint64_t session) override;
  std::unordered_map<std::uint64_t, std::int64_t> session_versions(std::uint64_t source) override;
  void begin() override;
  std::size_t commit(std::span<const ipc::OutcomeEvent> events, double received_time, std::vector<EventStore::Replaced>* outcomes,
                     std::string_view outranked_origin, std::span<const FileMark> files, std::span<const SessionMark> sessions) override;
  void abandon() noexcept override { write_.reset(); }

 private:
  void put(const FileMark& mark);
  void put(const SessionMark& mark);

  SqliteEventStore& store_;
  sqlite3* db_;
  bool present_ = true;
  std::optional<Transaction> write_;
  // Prepared once: a pass writes a mark per file.
  std::unique_ptr<SqliteStatement> put_file_, put_session_, session_files_, file_mark_;
};

}  // namespace agentmetrics::store
