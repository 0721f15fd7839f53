#include "collector/intake/durable_intake.h"

#include <memory>
#include <thread>

namespace agentmetrics::intake {

DurableIntake::DurableIntake(store::OutcomeSink* sink, std::size_t max_queued) : sink_(sink), max_queued_(max_queued) {}

IntakeResult DurableIntake::store(std::vector<ipc::OutcomeEvent> events, std::chrono::milliseconds wait, bool replace) {
  if (!sink_) return IntakeResult::kNoStore;
  if (events.empty()) return IntakeResult::kStored;
  if (sink_->queued() + events.size() > max_queued_) return IntakeResult::kQueueFull;
  // The request's own acknowledgements, as a ring has: tickets 1..n in submission order, and
  // the store thread publishes the last committed one (release; read below with acquire).
  const auto acks = std::make_shared<store::RingAcks>();
  const std::uint64_t last = events.size();
  std::uint64_t ticket = 0;
  for (auto& event : events) sink_->submit(store::PendingOutcome{std::move(event), acks, ++ticket, replace});
  // The store commits a batch within about 20 ms of its first event; poll, backing off, rather
  // than park a condition variable in every RingAcks.
  const auto deadline = std::chrono::steady_clock::now() + wait;
  auto pause = std::chrono::microseconds(200);
  while (acks->committed.load(std::memory_order_acquire) < last) {
    if (std::chrono::steady_clock::now() >= deadline) return IntakeResult::kPending;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(10000));
  }
  return IntakeResult::kStored;
}

}  // namespace agentmetrics::intake
