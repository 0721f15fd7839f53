// What a read of the events returns (EventStore::read), the same whichever database answered:
// rows of numbers and texts, columns numbered from 0.
#pragma once

#include <cstdint>
#include <string>

namespace agentmetrics::store {

class EventRows {
 public:
  virtual ~EventRows() = default;
  // Moves to the next row (the first, at the first call); false after the last.
  virtual bool next() = 0;
  virtual bool is_null(int column) const = 0;
  virtual double real(int column) const = 0;  // 0 for NULL
  virtual std::int64_t integer(int column) const = 0;
  virtual std::string text(int column) const = 0;  // empty for NULL
};

// While it lives, reads see one snapshot of the store (EventStore::snapshot).
class ReadSnapshot {
 public:
  virtual ~ReadSnapshot() = default;
};

}  // namespace agentmetrics::store
