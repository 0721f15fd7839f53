#include "collector/learning/learning_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace agentmetrics::learning {
namespace {

prometheus::Gauge& gauge(prometheus::Registry& registry, const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

prometheus::Family<prometheus::Counter>& runs_family(prometheus::Registry& registry, const std::string& prefix) {
  return prometheus::BuildCounter()
      .Name(prefix + "_cass_memory_reflection_runs_total")
      .Help("Reflection runs of the learning system, by result (skipped: another process held the reflection lease)")
      .Register(registry);
}

}  // namespace

LearningMetrics::LearningMetrics(prometheus::Registry& registry, const std::string& prefix)
    : rules_(gauge(registry, prefix + "_cass_memory_rules", "Active rules in the cass_memory playbook")),
      anti_patterns_(gauge(registry, prefix + "_cass_memory_anti_patterns", "Active anti-patterns in the cass_memory playbook")),
      retired_(gauge(registry, prefix + "_cass_memory_retired_rules", "Retired rules and anti-patterns, kept in the playbook")),
      confidence_mean_(
          gauge(registry, prefix + "_cass_memory_rule_confidence_mean", "Mean confidence of the active rules, decayed to now")),
      runs_(runs_family(registry, prefix)),
      runs_ok_(runs_.Add({{"result", "ok"}})),
      runs_error_(runs_.Add({{"result", "error"}})),
      runs_skipped_(runs_.Add({{"result", "skipped"}})),
      duration_(gauge(registry, prefix + "_cass_memory_reflection_duration_seconds", "How long the last reflection took")),
      last_run_(
          gauge(registry, prefix + "_cass_memory_last_reflection_timestamp_seconds", "When the last reflection finished (Unix seconds)")) {}

void LearningMetrics::set_playbook(const PlaybookCounts& counts, double mean_confidence) {
  confidence_mean_.Set(mean_confidence);
  rules_.Set(static_cast<double>(counts.active_rules));
  anti_patterns_.Set(static_cast<double>(counts.active_anti_patterns));
  retired_.Set(static_cast<double>(counts.retired));
}

void LearningMetrics::record_run(bool ok, double duration_seconds, double finished_unix) {
  (ok ? runs_ok_ : runs_error_).Increment();
  duration_.Set(duration_seconds);
  last_run_.Set(finished_unix);
}

void LearningMetrics::record_skipped() { runs_skipped_.Increment(); }

}  // namespace agentmetrics::learning
