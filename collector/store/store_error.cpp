#include "collector/store/store_error.h"

#include <sqlite3.h>

namespace agentmetrics::store {
namespace {

StoreError::Kind kind_of(int sqlite_code) {
  switch (sqlite_code & 0xff) {  // the primary code: the low byte of an extended one
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return StoreError::Kind::kBusy;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return StoreError::Kind::kCorrupt;
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
    case SQLITE_FULL:
    case SQLITE_IOERR: return StoreError::Kind::kUnavailable;
    default: return StoreError::Kind::kOther;
  }
}

}  // namespace

StoreError::StoreError(const std::string& message, int sqlite_code)
    : std::runtime_error(message), kind_(kind_of(sqlite_code)), sqlite_code_(sqlite_code) {}

StoreError::StoreError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind), sqlite_code_(0) {}

}  // namespace agentmetrics::store
