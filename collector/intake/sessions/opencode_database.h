// opencode's SQLite database (~/.local/share/opencode/opencode.db, $OPENCODE_DB), read without
// ever writing it or holding up a running opencode: opened read-only, each session family read
// in a short read transaction of its own (WAL: opencode writes on meanwhile), a locked database
// waited for briefly and otherwise left for the next import.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "collector/intake/sessions/opencode_sessions.h"

struct sqlite3;

namespace agentmetrics::intake {

// The database cannot be read now: locked, corrupt, not opencode's.
class OpencodeDatabaseError : public std::runtime_error {
 public:
  OpencodeDatabaseError(const std::string& what, bool retry) : std::runtime_error(what), retry_(retry) {}
  bool retry() const { return retry_; }  // locked or busy: try again later

 private:
  bool retry_;
};

class OpencodeDatabase {
 public:
  // Throws OpencodeDatabaseError.
  OpencodeDatabase(const std::string& path, std::chrono::milliseconds busy_wait);
  ~OpencodeDatabase();
  OpencodeDatabase(const OpencodeDatabase&) = delete;
  OpencodeDatabase& operator=(const OpencodeDatabase&) = delete;

  // Every session family, with its version. Throws OpencodeDatabaseError.
  std::vector<OpencodeFamily> families();
  // One session's records. Throws OpencodeDatabaseError.
  OpencodeSessionRecord session(const std::string& id);

 private:
  [[noreturn]] void fail(const std::string& what) const;

  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace agentmetrics::intake
