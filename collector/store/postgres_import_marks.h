// The session import's marks in a team store on PostgreSQL (import_marks.h): the same tables
// as SQLite's, versioned on their own in import_schema and created under an advisory lock. A
// batch's write is one transaction on the store's connection that first takes the team's import
// lock (pg_advisory_xact_lock), so two sidecars reading the same shared home directory take
// turns, and the second finds the first one's marks and leaves what it read alone.
#pragma once

#include <memory>
#include <pqxx/transaction>

#include "collector/store/import_marks.h"
#include "collector/store/postgres_connection.h"

namespace agentmetrics::store {

class PostgresImportMarks final : public ImportMarks {
 public:
  // Creates (when `writable`) or checks the tables. Throws StoreError.
  PostgresImportMarks(PostgresConnection& connection, bool writable);
  ~PostgresImportMarks() override;

  std::unordered_map<std::uint64_t, FileMark> file_marks() override;
  std::optional<FileMark> file_mark(std::uint64_t file) override;
  std::vector<FileMark> session_files(std::uint64_t session) override;
  std::optional<SessionMark> session_mark(std::uint64_t source, std::uint64_t session) override;
  std::unordered_map<std::uint64_t, std::int64_t> session_versions(std::uint64_t source) override;
  void begin() override;
  std::size_t commit(std::span<const ipc::OutcomeEvent> events, double received_time, std::vector<EventStore::Replaced>* outcomes,
                     std::string_view outranked_origin, std::span<const FileMark> files, std::span<const SessionMark> sessions) override;
  void abandon() noexcept override;

 private:
  // The rows of `sql`, read in the batch's transaction when one is open, else in their own.
  pqxx::result query(const std::string& sql);

  PostgresConnection& connection_;
  bool present_ = true;
  std::unique_ptr<pqxx::work> write_;
};

}  // namespace agentmetrics::store
