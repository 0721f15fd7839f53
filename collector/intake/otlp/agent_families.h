// The metric families the agents' own telemetry becomes (docs/otlp.md): sessions, tokens by
// type and model, cost in USD, active time, lines of code, commits, pull requests, edit and tool
// decisions, API requests and their durations, tool calls and theirs. Each has `agent` as its
// first label, then its own, then the attributes the configuration allows as labels
// (otlp.labelAttributes), in that order.
//
// They live in a shard of their own beside the drain threads', merged into /metrics like
// theirs. The OTLP receivers write it from several threads, one at a time under a lock: the
// shard's single-writer rule holds, and the lock's release and acquire order one writer's
// relaxed stores before the next one's loads (shard.h has the readers' side).
#pragma once

#include <array>
#include <mutex>
#include <string>
#include <vector>

#include "collector/aggregate/family_registry.h"
#include "collector/aggregate/shard.h"

namespace agentmetrics::intake {

enum class AgentFamily {
  kSessions,       // counter {agent}
  kTokens,         // counter {agent, model, type}: type input (uncached), output, cache_read, cache_creation
  kCost,           // counter {agent, model}: USD
  kActiveTime,     // counter {agent, type}: seconds
  kLinesOfCode,    // counter {agent, type}: added, removed
  kCommits,        // counter {agent}
  kPullRequests,   // counter {agent}
  kEditDecisions,  // counter {agent, tool, decision, language}: decision accept, reject
  kToolDecisions,  // counter {agent, tool, decision}
  kApiRequests,    // counter {agent, model, status}: the HTTP status, "error" when none
  kApiDuration,    // histogram {agent, model}: seconds
  kToolCalls,      // counter {agent, tool, success}
  kToolDuration,   // histogram {agent, tool}: seconds
  kCostBudget,     // gauge {}: the configured daily budget in USD, for the alert rule
};
inline constexpr std::size_t kAgentFamilyCount = static_cast<std::size_t>(AgentFamily::kCostBudget) + 1;

class AgentFamilies {
 public:
  // Registers the families under `prefix`. Throws std::runtime_error when the registry refuses
  // one (a name already taken with another shape).
  AgentFamilies(collector::FamilyRegistry& registry, const std::string& prefix, std::vector<std::string> extra_labels);

  // The allowlisted attributes' names, as the families' last labels.
  const std::vector<std::string>& extra_labels() const { return extra_labels_; }
  // `labels`: the family's own label values after `agent`, then one value per extra label.
  void add(AgentFamily family, const std::vector<std::string>& labels, double value);
  void observe(AgentFamily family, const std::vector<std::string>& labels, double value);
  void set(AgentFamily family, double value);

  collector::Shard& shard() { return shard_; }

 private:
  void apply(AgentFamily family, const std::vector<std::string>& labels, std::uint16_t op, double value);

  collector::FamilyRegistry& registry_;
  std::vector<std::string> extra_labels_;
  std::array<const collector::RegisteredFamily*, kAgentFamilyCount> families_{};
  std::mutex mutex_;
  collector::Shard shard_;
};

}  // namespace agentmetrics::intake
