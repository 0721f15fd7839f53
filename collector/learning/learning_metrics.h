// The learning side's metrics, registered in the collector's registry:
//   <prefix>_cass_memory_rules                       active rules in the playbook
//   <prefix>_cass_memory_anti_patterns               active anti-patterns
//   <prefix>_cass_memory_retired_rules               retired rules and anti-patterns (kept)
//   <prefix>_cass_memory_rule_confidence_mean        mean decayed confidence of the active rules
//   <prefix>_cass_memory_reflection_runs_total{result="ok"|"error"}
//   <prefix>_cass_memory_reflection_duration_seconds how long the last reflection took
//   <prefix>_cass_memory_last_reflection_timestamp_seconds  when the last one finished
// Thread safety: updated from the reflection thread; prometheus-cpp's gauges and counters
// are atomic, so scrapes read them concurrently.
#pragma once

#include <string>

#include "collector/learning/playbook.h"

namespace prometheus {
class Counter;
class Gauge;
class Registry;
template <typename T>
class Family;
}  // namespace prometheus

namespace agentmetrics::learning {

class LearningMetrics {
 public:
  explicit LearningMetrics(prometheus::Registry& registry, const std::string& prefix = "opencode");

  // `mean_confidence` of the active rules, decayed to now (0 without rules).
  void set_playbook(const PlaybookCounts& counts, double mean_confidence);
  void record_run(bool ok, double duration_seconds, double finished_unix);
  // A round left to the process of the team that held the reflection lease.
  void record_skipped();

 private:
  prometheus::Gauge& rules_;
  prometheus::Gauge& anti_patterns_;
  prometheus::Gauge& retired_;
  prometheus::Gauge& confidence_mean_;
  prometheus::Family<prometheus::Counter>& runs_;
  prometheus::Counter& runs_ok_;
  prometheus::Counter& runs_error_;
  prometheus::Counter& runs_skipped_;
  prometheus::Gauge& duration_;
  prometheus::Gauge& last_run_;
};

}  // namespace agentmetrics::learning
