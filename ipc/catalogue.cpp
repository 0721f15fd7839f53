#include "ipc/catalogue.h"

#include <string>

namespace agentmetrics::ipc {

std::vector<FamilyDecl> catalogue_families(std::string_view prefix) {
  const std::string p(prefix);
  auto family = [&](const char* suffix, MetricType type, const char* help, std::vector<std::string> labels,
                    std::vector<double> buckets = {}) {
    FamilyDecl f;
    f.type = type;
    f.name = p + "_" + suffix;
    f.help = help;
    f.label_names = std::move(labels);
    f.buckets = std::move(buckets);
    return f;
  };
  using enum MetricType;
  return {
      family("task_duration_seconds", kHistogram, "Task completion duration in seconds", {"agent_type", "task_type", "stage", "success"},
             {60, 300, 900, 1800, 3600}),
      family("task_total", kCounter, "Total tasks executed", {"agent_type", "task_type", "success"}),
      family("code_coverage_percent", kGauge, "Code coverage percentage", {}),
      family("lint_errors_total", kCounter, "Total lint errors", {"severity"}),
      family("pipeline_duration_seconds", kHistogram, "Pipeline execution duration", {"stage", "success"}, {10, 30, 60, 120, 300}),
      family("pipeline_failures_total", kCounter, "Total pipeline failures", {"stage", "failure_type"}),
      family("ai_success_rate", kGauge, "AI task success rate", {"agent_type"}),
      family("human_interventions_total", kCounter, "Total human interventions", {"reason"}),
  };
}

}  // namespace agentmetrics::ipc
