// The listeners' own counts as self-metrics: every response by status code, and the connections
// closed at once for want of room, by listener ("main" for /metrics and the API, "otlp_http").
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <utility>
#include <vector>

#include "collector/http/http_counters.h"

namespace agentmetrics::collector {

using NamedHttpCounters = std::vector<std::pair<std::string, const HttpCounters*>>;

std::vector<prometheus::MetricFamily> http_self_metrics(const NamedHttpCounters& listeners);

}  // namespace agentmetrics::collector
