// Where each imported source was read up to, kept in the store beside the events it produced
// and written in the same transaction as them, so an import stopped at any moment (SIGKILL
// included) goes on from exactly where its last commit left it. Tables of their own, versioned
// on their own (import_schema), like the learning side's:
//   import_files(file, agent, session, device, inode, size, mtime, offset, line, stream, state)
//     a JSONL file: `file` is a digest of its path, `session` its session's task producer id,
//     (device, inode, size, mtime) what it was when read, `offset` and `line` where reading
//     stopped (after the last complete line), `state` the stream's account so far (JSON).
//   import_sessions(source, session, version, state)
//     an opencode session family: `source` a digest of the database or storage path,
//     `version` its latest change (ms), `state` its streams' accounts.
// No path, session id or prompt is stored here: keys are digests, and an account holds no more
// text than the import's text limit.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

struct sqlite3;

namespace agentmetrics::store {
class SqliteStatement;
}

namespace agentmetrics::intake {

inline constexpr int kImportSchemaVersion = 1;

struct FileMark {
  std::uint64_t file = 0;  // digest of the path
  std::string agent;
  std::uint64_t session = 0;
  std::uint64_t device = 0, inode = 0, size = 0;
  std::int64_t mtime_ns = 0;
  std::uint64_t offset = 0, line = 0;
  std::string stream;
  std::string state;  // JSON
};

struct SessionMark {
  std::uint64_t source = 0, session = 0;
  std::int64_t version = 0;
  std::string state;  // JSON array of the streams' accounts
};

class ImportState {
 public:
  // Creates (when `writable`) or checks the tables. Throws store::StoreError; a store of a
  // newer import schema is refused with a message that says so. Read-only on a store without
  // the tables: no marks at all.
  ImportState(sqlite3* db, bool writable);
  ~ImportState();

  // Every file's mark without its state: what a pass compares the files it finds with.
  std::unordered_map<std::uint64_t, FileMark> file_marks() const;
  // One file's mark, state included.
  std::optional<FileMark> file_mark(std::uint64_t file);
  // The marks of a session's files, states included.
  std::vector<FileMark> session_files(std::uint64_t session);
  std::optional<SessionMark> session_mark(std::uint64_t source, std::uint64_t session) const;
  // Every opencode family's version in `source`: (session, version).
  std::unordered_map<std::uint64_t, std::int64_t> session_versions(std::uint64_t source) const;

  // Written inside the caller's transaction.
  void put(const FileMark& mark);
  void put(const SessionMark& mark);

 private:
  sqlite3* db_;
  bool present_ = true;
  // Prepared once: a pass writes a mark per file.
  std::unique_ptr<store::SqliteStatement> put_file_, put_session_, session_files_, file_mark_;
};

}  // namespace agentmetrics::intake
