// Where outcome events wait while the team store (PostgreSQL) cannot be reached: a SQLite store
// on the local disk, in the one-machine format (sqlite_event_store.h), plus which of its events
// are fuller accounts to be stored with replace(). The store thread appends a batch here and
// acknowledges it to the rings once the spool has committed it, so a ring slot is given back only
// when its event is on disk somewhere; it replays the spool into PostgreSQL, oldest first, and
// removes what PostgreSQL has committed. A replay cut short (a crash between the two commits)
// stores nothing twice: PostgreSQL keeps one row per (producer_id, sequence).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "collector/store/sqlite_event_store.h"

namespace agentmetrics::store {

class StoreSpool {
 public:
  // Opens (creating) the spool file; `limit` is how many events it may hold. Throws StoreError.
  StoreSpool(const std::string& path, std::size_t limit);

  // Commits the batch to the spool, or nothing and false when it would pass the limit.
  // Throws StoreError (disk full, read-only).
  bool append(std::span<const ipc::OutcomeEvent> inserted, std::span<const ipc::OutcomeEvent> replacing, double received_time);

  // The oldest spooled events, at most `max`, in the order they were spooled, with when they
  // were received (a replay keeps it) and whether each is a fuller account.
  struct Spooled {
    ipc::OutcomeEvent event;
    double received = 0;
    bool replacing = false;
  };
  std::vector<Spooled> oldest(std::size_t max, std::int64_t* last_id);
  // Removes the spooled events up to `last_id` (oldest() gave it), once they are stored.
  void remove_through(std::int64_t last_id);

  std::size_t size() const { return size_; }
  std::size_t limit() const { return limit_; }
  const std::string& path() const { return store_->path(); }

 private:
  std::unique_ptr<SqliteEventStore> store_;
  std::size_t limit_;
  std::size_t size_ = 0;
};

}  // namespace agentmetrics::store
