#include "collector/intake/session_count_ledger.h"

#include "collector/intake/session_task.h"

namespace agentmetrics::intake {

SessionCountLedger::SessionCountLedger(std::size_t capacity, std::chrono::seconds agent_claim)
    : capacity_(capacity ? capacity : 1), agent_claim_(agent_claim) {}

bool SessionCountLedger::claim(std::string_view agent, std::string_view session_id, Counter by, Clock::time_point now) {
  const std::uint64_t key = session_producer_id(std::string(agent), std::string(session_id));
  const std::lock_guard lock(mutex_);
  if (const auto it = sessions_.find(key); it != sessions_.end()) return it->second == by;
  if (const auto a = agents_.find(agent); a != agents_.end() && a->second.first != by && now < a->second.second + agent_claim_)
    return false;
  sessions_.emplace(key, by);
  order_.push_back(key);
  while (order_.size() > capacity_) {
    sessions_.erase(order_.front());
    order_.pop_front();
  }
  return true;
}

void SessionCountLedger::claim_agent(std::string_view agent, Counter by, Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  agents_[std::string(agent)] = {by, now};
}

}  // namespace agentmetrics::intake
