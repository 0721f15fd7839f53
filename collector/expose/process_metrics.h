// The standard process_* metrics of the collector itself (collectDefaultMetrics), read from
// /proc/self at scrape time.
#pragma once

#include <prometheus/metric_family.h>

#include <vector>

namespace agentmetrics::collector {

std::vector<prometheus::MetricFamily> collect_process_metrics();

}  // namespace agentmetrics::collector
