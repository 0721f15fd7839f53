// Outcome events that arrive over HTTP (OTLP, forge webhooks, the session watcher) rather than
// through a producer's ring, handed to the store thread with a bounded wait for their commit.
//
// A sender is told its events are stored only once they are committed; one told to try again
// sends the same events again, with the same keys, and the store keeps one copy. The keys are
// what the events are about, not when they arrived: intake_producer_id() (common/intake_key.h) of the source and its
// natural key (the fact a webhook's event records, so that a redelivery and a backfill of it
// match; a session's id), and a sequence number that the source gives each event of that key in
// a fixed order.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>
#include <vector>

#include "collector/common/intake_key.h"
#include "collector/store/outcome_sink.h"
#include "ipc/outcome_event.h"

namespace agentmetrics::intake {

enum class IntakeResult {
  kStored,     // committed
  kPending,    // queued, not committed within the wait: the store is slow or failing
  kQueueFull,  // refused: the store thread is too far behind (the sender should back off)
  kNoStore,    // the store is disabled
};

class DurableIntake {
 public:
  // `sink`: the store thread, or null when the store is disabled. `max_queued`: the events
  // queued for the store above which a new request is refused with kQueueFull.
  DurableIntake(store::OutcomeSink* sink, std::size_t max_queued);

  // Submits `events` (each with its producer_id and sequence set) and waits until they are
  // committed or `wait` has passed. Never throws for a slow store. `replace`: each is a fuller
  // account of what it is about, which replaces the one stored before unless that one is later
  // (SqliteEventStore::replace; a session's task as it grows); otherwise the first copy is kept.
  IntakeResult store(std::vector<ipc::OutcomeEvent> events, std::chrono::milliseconds wait, bool replace = false);
  // Whether the store thread is so far behind that a receiver should ask its senders to wait.
  bool backlogged() const { return sink_ && sink_->queued() >= max_queued_; }

 private:
  store::OutcomeSink* sink_;
  std::size_t max_queued_;
};

}  // namespace agentmetrics::intake
