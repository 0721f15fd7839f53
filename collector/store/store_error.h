// The error every store operation throws. It keeps SQLite's extended result code, so that a
// caller decides what went wrong from the code, never from words in the message (a store path
// containing "locked" made a missing directory read as a busy store).
#pragma once

#include <stdexcept>
#include <string>

namespace agentmetrics::store {

class StoreError : public std::runtime_error {
 public:
  enum class Kind {
    kBusy,         // another connection held the lock past the busy timeout
    kCorrupt,      // not a database, or damaged
    kUnavailable,  // cannot be opened or written: missing, read-only, permissions, disk full
    kNewerSchema,  // written by a newer agentmetrics
    kOlderSchema,  // needs a migration this read-only open cannot make
    kOther,
  };

  // From SQLite: the kind follows the result code (0 when the error is not SQLite's).
  explicit StoreError(const std::string& message, int sqlite_code = 0);
  StoreError(Kind kind, const std::string& message);

  Kind kind() const { return kind_; }
  int sqlite_code() const { return sqlite_code_; }

 private:
  Kind kind_;
  int sqlite_code_;
};

}  // namespace agentmetrics::store
