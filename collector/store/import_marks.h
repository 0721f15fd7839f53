// Where the session import (intake/sessions/session_import.h) read each source up to, kept in
// the store beside the events it produced and written in the same transaction as them, so an
// import stopped at any moment (SIGKILL included) goes on from exactly where its last commit
// left it; on a team store every sidecar sees the marks of the others, so sessions in a shared
// home directory are read and stored by one of them, not by each. Each event store gives its
// own implementation (EventStore::import_marks): sqlite_import_marks.h, postgres_import_marks.h.
// Tables of their own, versioned on their own (import_schema), like the learning side's:
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
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "collector/store/event_store.h"

namespace agentmetrics::store {

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

class ImportMarks {
 public:
  virtual ~ImportMarks() = default;
  ImportMarks() = default;
  ImportMarks(const ImportMarks&) = delete;
  ImportMarks& operator=(const ImportMarks&) = delete;

  // Every file's mark without its state: what a pass compares the files it finds with.
  virtual std::unordered_map<std::uint64_t, FileMark> file_marks() = 0;
  // One file's mark, state included.
  virtual std::optional<FileMark> file_mark(std::uint64_t file) = 0;
  // The marks of a session's files, states included, the main stream's first.
  virtual std::vector<FileMark> session_files(std::uint64_t session) = 0;
  virtual std::optional<SessionMark> session_mark(std::uint64_t source, std::uint64_t session) = 0;
  // Every opencode family's version in `source`: (session, version).
  virtual std::unordered_map<std::uint64_t, std::int64_t> session_versions(std::uint64_t source) = 0;

  // Opens the write of a batch: until commit() or abandon(), any other import into the same
  // store (another process, another sidecar of a team) waits, and the reads above see what the
  // ones before committed. Throws StoreError.
  virtual void begin() = 0;
  // Stores `events` as EventStore::replace does and the marks, then commits: all or nothing.
  // Throws StoreError, and the write is then abandoned.
  virtual std::size_t commit(std::span<const ipc::OutcomeEvent> events, double received_time, std::vector<EventStore::Replaced>* outcomes,
                             std::string_view outranked_origin, std::span<const FileMark> files, std::span<const SessionMark> sessions) = 0;
  // Ends a write begun and not committed, storing nothing. Never throws.
  virtual void abandon() noexcept = 0;
};

}  // namespace agentmetrics::store
