// Where the drain threads hand decoded outcome events, and how they learn that an event is
// durable. A ring's read index is published past a frame only once the store has committed
// its event, so a collector killed before the commit reads the frame again after a restart
// (and the store, keyed by (producer_id, sequence), keeps one copy).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "ipc/outcome_event.h"

namespace agentmetrics::store {

// The acknowledgements of one ring: the ticket of the last frame whose event is committed.
// Frames of a ring get tickets 1, 2, 3... in ring order and are committed in that order.
struct RingAcks {
  // Written by the store thread after its COMMIT returns (release), read by the ring's drain
  // thread (acquire). The value is the only thing passed; the ordering adds nothing needed,
  // it only keeps the reasoning simple.
  std::atomic<std::uint64_t> committed{0};
};

struct PendingOutcome {
  ipc::OutcomeEvent event;
  std::shared_ptr<RingAcks> acks;  // kept alive by the queue even if the segment goes
  std::uint64_t ticket = 0;
  bool replace = false;  // a fuller account of what an event stored before says (SqliteEventStore::replace)
};

class OutcomeSink {
 public:
  virtual ~OutcomeSink() = default;
  // Never blocks. Events one thread submits for one ring are committed in that order.
  virtual void submit(PendingOutcome outcome) = 0;
  // About how many events wait to be committed (a hint for refusing more, not a count to trust).
  virtual std::size_t queued() const = 0;
};

}  // namespace agentmetrics::store
