// Work that one process among those sharing a store must do, not each of them: the team's KPIs
// and their alerts (kpi/kpi_service.h); the learning side's reflection may take its own. A lease
// is held by one holder at a time and taken over when its holder dies, without a timeout of its
// own to tune:
//   on a team store (PostgreSQL), a session-level advisory lock (pg_try_advisory_lock) on a
//   connection of the lease's own; the server releases it when that connection ends (the
//   process died, or the server noticed the network gone: libpq's TCP keepalives, set below,
//   bound how long that takes), and the next hold() of another sidecar takes it;
//   on one machine (SQLite), flock() on a file beside the store, released by the kernel when
//   the holder dies.
// A holder that cannot reach the server any more learns it at its next hold(), and stops.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "collector/store/store_factory.h"

namespace agentmetrics::store {

class StoreLease {
 public:
  virtual ~StoreLease() = default;
  StoreLease() = default;
  StoreLease(const StoreLease&) = delete;
  StoreLease& operator=(const StoreLease&) = delete;

  // Takes the lease when it is free, or checks that it is still held. Never throws: false when
  // another holds it or the store cannot be reached (error() says why).
  virtual bool hold() = 0;
  // Gives it up (destroying the lease does too).
  virtual void release() = 0;
  // Why the last hold() could not ask (naming a URL without its password); empty otherwise.
  virtual const std::string& error() const = 0;
};

// The lease called `name` ("kpi", ...) among the processes sharing the store at `address`.
// Connects (or opens its file) at the first hold(), not here.
std::unique_ptr<StoreLease> open_store_lease(const StoreAddress& address, std::string_view name);

// The advisory lock key of a lease's name: 64 bits of its FNV-1a digest, the same in every
// sidecar.
std::int64_t lease_key(std::string_view name);

}  // namespace agentmetrics::store
