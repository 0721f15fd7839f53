// The metric families the agents' own telemetry becomes (docs/otlp.md): sessions, tokens by
// type and model, cost in USD, active time, lines of code, commits, pull requests, edit and tool
// decisions, API requests and their durations, tool calls and theirs. Each has `agent` as its
// first label, then its own, then the attributes the configuration allows as labels
// (otlp.labelAttributes), in that order.
//
// Their series are the registry's, like the producers', held to the same bounds and served by
// the same scrape; this class writes them from a shard of its own. The OTLP receivers write it
// from several threads, one at a time under a lock: the shard's single-writer rule holds, and
// the lock's release and acquire order one writer's relaxed stores before the next one's loads
// (shard.h has the readers' side).
//
// An agent has no segment whose end says it is gone: a series is held while data points come,
// and release_idle() lets go of those no point wrote since its last call, so a series expires
// collector.seriesStaleness after its last point (its last values served until then).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
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

// Counter additions gathered while one request is taken in, for AgentFamilies::add to apply
// together: one lock and one shard batch a request instead of one a point. The label values are
// views, which must last until then.
class FamilyAdditions {
 public:
  void add(AgentFamily family, std::span<const std::string_view> labels, double value);
  void clear();

 private:
  friend class AgentFamilies;
  struct Addition {
    AgentFamily family;
    std::size_t first, count;  // in labels_
    double value;
  };
  std::vector<Addition> additions_;
  std::vector<std::string_view> labels_;
};

class AgentFamilies {
 public:
  // Registers the families under `prefix`. Throws std::runtime_error when the registry refuses
  // one (a name already taken with another shape).
  AgentFamilies(collector::FamilyRegistry& registry, const std::string& prefix, std::vector<std::string> extra_labels);

  // The allowlisted attributes' names, as the families' last labels.
  const std::vector<std::string>& extra_labels() const { return extra_labels_; }
  // `labels`: the family's own label values after `agent`, then one value per extra label.
  void add(AgentFamily family, const std::vector<std::string>& labels, double value);
  // The same from views: a series already held is found without a copy of its labels.
  void add(AgentFamily family, std::span<const std::string_view> labels, double value);
  // Each of `additions`, in their order, under one lock.
  void add(const FamilyAdditions& additions);
  void observe(AgentFamily family, const std::vector<std::string>& labels, double value);
  void set(AgentFamily family, double value);
  // Any histogram family the collector knows (a producer's, the catalogue's, these), by its
  // name, for OTLP exponential histograms; null when there is none of that name.
  const collector::RegisteredFamily* histogram_family(const std::string& name) const;
  // Adds exponential buckets to the series of `family` with these label values (one per label
  // name of the family), into its exponential buckets and its classic ones (shard.h).
  collector::ApplyResult add_exponential(const collector::RegisteredFamily& family, const std::vector<std::string>& labels,
                                         const collector::ExponentialPoint& point);

  // Lets go of the series no point wrote since the last call (the daemon calls it once a
  // tick); series without labels (the budget) are kept.
  void release_idle();
  // Series the registry's bounds folded into a family's overflow series, by bound.
  std::uint64_t refused(collector::SeriesRefusal bound) const;

 private:
  struct Held {
    collector::SeriesHold hold;
    collector::SeriesAggregate* aggregate = nullptr;
    bool written = false;  // since the last release_idle()
  };
  void apply(AgentFamily family, std::span<const std::string_view> labels, std::uint16_t op, double value);
  Held& held(const collector::RegisteredFamily& family, std::span<const std::string_view> labels);

  collector::FamilyRegistry& registry_;
  std::vector<std::string> extra_labels_;
  std::array<const collector::RegisteredFamily*, kAgentFamilyCount> families_{};
  std::mutex mutex_;
  collector::Shard shard_;
  // By family and label values; a refused series is kept under its overflow series' key, so
  // this holds no more series than the registry admits.
  std::unordered_map<std::string, Held> held_;
  std::string key_;                                      // the key being looked up, its memory kept between calls
  std::array<std::atomic<std::uint64_t>, 4> refused_{};  // by SeriesRefusal
};

}  // namespace agentmetrics::intake
