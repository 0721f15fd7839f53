#include "collector/intake/otlp/session_tracker.h"

#include <algorithm>
#include <vector>

namespace agentmetrics::intake {

SessionTracker::SessionTracker(DurableIntake& intake, const PriceTable& prices, SessionTrackerOptions options)
    : intake_(intake), prices_(prices), options_(options) {}

void SessionTracker::update(std::string_view agent, std::string_view session_id, double event_time,
                            const std::function<void(SessionTask&, SessionEvidence&)>& change) {
  if (session_id.empty()) return;
  std::lock_guard lock(mutex_);
  key_.assign(agent).append(1, '\0').append(session_id);
  auto it = sessions_.find(key_);
  if (it == sessions_.end()) {
    if (sessions_.size() >= options_.max_sessions) {
      // Full: the quietest session is stored now rather than forgotten.
      auto quietest = std::min_element(sessions_.begin(), sessions_.end(),
                                       [](const auto& a, const auto& b) { return a.second.last_heard < b.second.last_heard; });
      if (quietest->second.changed_since_stored) store(quietest->second);
      sessions_.erase(quietest);
    }
    Followed f;
    f.task.agent = agent;
    f.task.session_id = session_id;
    f.task.origin = "otlp";
    f.task.started = f.task.ended = event_time;
    it = sessions_.emplace(key_, std::move(f)).first;
  }
  Followed& f = it->second;
  if (event_time > 0) {
    f.task.started = f.task.started > 0 ? std::min(f.task.started, event_time) : event_time;
    f.task.ended = std::max(f.task.ended, event_time);
  }
  change(f.task, f.evidence);
  f.last_heard = std::chrono::steady_clock::now();
  f.changed_since_stored = true;
}

SessionTask SessionTracker::task_of(const SessionTask& base, const SessionEvidence& e) const {
  SessionTask task = base;
  // Per-request events are the fullest account; the metrics stand in for a client that sends
  // none. Never both: the same tokens would count twice.
  const bool from_events = e.event_tokens.total() > 0;
  task.tokens = from_events ? e.event_tokens : e.metric_tokens;
  if (from_events ? e.event_cost_known : e.metric_cost_known) task.cost_usd = from_events ? e.event_cost : e.metric_cost;
  auto top =
      std::max_element(e.model_tokens.begin(), e.model_tokens.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
  if (top != e.model_tokens.end()) task.model = top->first;
  if (!task.cost_usd && !task.model.empty()) task.cost_usd = prices_.cost(task.model, task.tokens);
  // The outcome: a session whose last API request failed ended on that failure.
  if (e.last_api_status >= 400 || e.last_api_status < 0) {
    task.success = false;
    task.failure_type = e.last_api_status > 0 ? "api_error_" + std::to_string(e.last_api_status) : "api_error";
  }
  std::vector<std::pair<int, std::string>> by_use;
  for (const auto& [tool, calls] : e.tools) by_use.emplace_back(-calls, tool);
  std::sort(by_use.begin(), by_use.end());
  for (std::size_t i = 0; i < by_use.size() && i < 3; ++i) task.approach += (i ? "+" : "") + by_use[i].second;
  task.title = task.agent + " session" + (task.model.empty() ? "" : " with " + task.model);
  task.tool_failures = e.failing_tools.facts();
  return task;
}

bool SessionTracker::store(const Followed& session) {
  // A session that never reached the model (a resumed run's start-up signals under a new id)
  // is not a task.
  if (session.evidence.last_api_status == 0 && session.evidence.event_tokens.total() == 0 && session.evidence.metric_tokens.total() == 0)
    return true;
  const SessionTask task = task_of(session.task, session.evidence);
  const IntakeResult result = intake_.store({to_outcome_event(task, options_.privacy)}, std::chrono::milliseconds(0));
  if (result == IntakeResult::kQueueFull) return false;
  ++stored_;
  return true;
}

void SessionTracker::flush_idle() {
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    Followed& f = it->second;
    const bool quiet = now - f.last_heard >= options_.idle;
    if (quiet && f.changed_since_stored && store(f)) f.changed_since_stored = false;
    // Kept a while longer after it is stored: a session heard from again is stored again
    // whole, not as its remainder.
    if (quiet && !f.changed_since_stored && now - f.last_heard >= 24 * options_.idle) {
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

void SessionTracker::flush_all() {
  std::lock_guard lock(mutex_);
  for (auto& [key, f] : sessions_) {
    if (f.changed_since_stored && store(f)) f.changed_since_stored = false;
  }
}

std::size_t SessionTracker::followed() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

std::size_t SessionTracker::stored() const {
  std::lock_guard lock(mutex_);
  return stored_;
}

}  // namespace agentmetrics::intake
