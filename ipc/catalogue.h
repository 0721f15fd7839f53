// The metric catalogue of the specification: exact names, labels and buckets. The client
// library declares from it (the Task scope) and the collector predeclares it so the families
// are visible before the first event. The prefix ("opencode") is configurable.
#pragma once

#include <string_view>
#include <vector>

#include "ipc/string_table.h"

namespace agentmetrics::ipc {

inline constexpr std::string_view kDefaultMetricPrefix = "opencode";
inline constexpr const char* kMetricPrefixEnv = "AGENTMETRICS_METRIC_PREFIX";

enum class CatalogueFamily : std::size_t {
  kTaskDuration = 0,
  kTaskTotal,
  kCodeCoverage,
  kLintErrors,
  kPipelineDuration,
  kPipelineFailures,
  kAiSuccessRate,
  kHumanInterventions,
};

// The families, in the order of CatalogueFamily, named with `prefix` + "_" + the rest.
std::vector<FamilyDecl> catalogue_families(std::string_view prefix);

}  // namespace agentmetrics::ipc
