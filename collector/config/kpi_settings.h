// The KPI part of the configuration in the form the KPI engine takes it, checked: the daemon
// and `agentmetrics kpi` read targets and windows the same way.
#pragma once

#include <chrono>
#include <vector>

#include "collector/config/config.h"
#include "collector/kpi/kpi_catalogue.h"

namespace agentmetrics::collector {

// kpi.targets over the specification's defaults (a missing target or alert keeps its default).
// Throws ConfigError naming the key for an unknown KPI or a target on the wrong side of its
// threshold.
kpi::KpiOverrides kpi_overrides(const Config& config);
// kpi.windows, parsed. Throws ConfigError for a malformed window.
std::vector<std::chrono::seconds> kpi_windows(const Config& config);

}  // namespace agentmetrics::collector
