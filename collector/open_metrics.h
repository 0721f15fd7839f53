// The OpenMetrics 1.0 text format, which prometheus-cpp 1.0 does not write. Counters are
// announced without their _total suffix and sampled with it, and the body ends in "# EOF".
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace agentmetrics::collector {

inline constexpr const char* kOpenMetricsContentType = "application/openmetrics-text; version=1.0.0; charset=utf-8";

std::string render_openmetrics(const std::vector<prometheus::MetricFamily>& families);

}  // namespace agentmetrics::collector
