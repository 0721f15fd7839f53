// The agent sessions the OTLP receivers are hearing about, each accumulated from its signals
// (API requests and errors, tool calls and decisions, tokens and cost) until it has been quiet
// for the idle time, then stored as one task (session_task.h). OTLP has no "session ended"
// signal: quiet is the end. A session heard from again later is stored again with its whole
// account (the store keeps one task per session).
//
// Bounded: at most `max_sessions` are followed at once; beyond, the quietest is stored early.
// At shutdown every session is stored.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "collector/intake/durable_intake.h"
#include "collector/intake/model_prices.h"
#include "collector/intake/session_task.h"
#include "collector/intake/session_tool_failures.h"

namespace agentmetrics::intake {

struct SessionTrackerOptions {
  std::chrono::seconds idle{600};
  std::size_t max_sessions = 10000;
  SessionPrivacy privacy;
};

// What a session's signals said beyond the task's own fields.
struct SessionEvidence {
  TokenCounts event_tokens;   // from per-request events (the fullest account)
  TokenCounts metric_tokens;  // from the metrics, for a client that sends no events
  double event_cost = 0, metric_cost = 0;
  bool event_cost_known = false, metric_cost_known = false;
  int last_api_status = 0;                     // of the last API request or error heard of: 200, or the error's
  std::map<std::string, int> tools;            // calls by tool, for the approach
  std::map<std::string, double> model_tokens;  // by model, for the model that did most
  ToolFailureTally failing_tools;              // the facts failure patterns are learned from
};

class SessionTracker {
 public:
  SessionTracker(DurableIntake& intake, const PriceTable& prices, SessionTrackerOptions options);

  // Applies `change` to the session (`agent`, `session_id`), made when first heard of;
  // `event_time` (unix seconds) widens its span. Any thread.
  void update(std::string_view agent, std::string_view session_id, double event_time,
              const std::function<void(SessionTask&, SessionEvidence&)>& change);
  // Stores the sessions quiet for the idle time. Never blocks on the store.
  void flush_idle();
  // Stores every session (at shutdown).
  void flush_all();
  std::size_t followed() const;
  std::size_t stored() const;

  // The task a session's account makes (exposed for tests).
  SessionTask task_of(const SessionTask& base, const SessionEvidence& evidence) const;

 private:
  struct Followed {
    SessionTask task;
    SessionEvidence evidence;
    std::chrono::steady_clock::time_point last_heard;
    bool changed_since_stored = true;
  };
  // Hands the session to the store; false when the store refused it for now (queue full).
  bool store(const Followed& session);

  DurableIntake& intake_;
  const PriceTable& prices_;
  const SessionTrackerOptions options_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Followed> sessions_;  // by agent + '\0' + session id
  std::string key_;                                     // the key being looked up, its memory kept between calls
  std::size_t stored_ = 0;
};

}  // namespace agentmetrics::intake
