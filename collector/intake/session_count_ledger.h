// Who counts an agent session's tokens, cost and tool calls into the agent families
// (otlp/agent_families.h): the OTLP receiver, as the agent exports them, or the session watcher,
// from the files the agent wrote; never both, or the counters would double. The first to claim
// a session keeps it. Codex's OTLP metrics name no session: the receiver claims the whole agent
// for a while instead, and the watcher counts none of that agent's sessions meanwhile.
//
// Shared by the two (each from its own threads): a mutex, and at most `capacity` sessions
// remembered (the oldest claims are forgotten first; a forgotten session is claimed anew).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace agentmetrics::intake {

class SessionCountLedger {
 public:
  enum class Counter { kOtlp, kImport };
  using Clock = std::chrono::steady_clock;

  explicit SessionCountLedger(std::size_t capacity = 100000, std::chrono::seconds agent_claim = std::chrono::hours(1));

  // Claims the session for `by`: true when `by` may count it (nobody had claimed it, or `by`
  // had), false when the other counter has.
  bool claim(std::string_view agent, std::string_view session_id, Counter by, Clock::time_point now = Clock::now());
  // `by` counted telemetry of `agent` that names no session, at `now`: sessions of the agent
  // that nobody claimed yet are its until `agent_claim` after the last such call.
  void claim_agent(std::string_view agent, Counter by, Clock::time_point now = Clock::now());

 private:
  std::size_t capacity_;
  std::chrono::seconds agent_claim_;
  std::mutex mutex_;
  std::unordered_map<std::uint64_t, Counter> sessions_;
  std::deque<std::uint64_t> order_;  // claims, oldest first
  std::map<std::string, std::pair<Counter, Clock::time_point>, std::less<>> agents_;
};

}  // namespace agentmetrics::intake
