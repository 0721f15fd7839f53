// Where the shards are merged: turns the aggregates into Prometheus metric families. The
// shards are merged per series (counters and histograms add up, a gauge takes its most recent
// value), every known family is listed even without series, and the collector's own metrics
// follow. prometheus_text.h and openmetrics_text.h write the families out.
#pragma once

#include <prometheus/metric_family.h>

#include <functional>
#include <vector>

#include "collector/aggregate/family_registry.h"
#include "collector/aggregate/shard.h"
#include "collector/expose/self_metrics.h"

namespace agentmetrics::collector {

// Calls `sink` once per family, in name order, then for the collector's own families. Only one
// family's exposition model exists at a time, so a scrape of many series stays small.
using FamilySink = std::function<void(const prometheus::MetricFamily&)>;
void collect_families(const FamilyRegistry& registry, const std::vector<Shard*>& shards, SelfMetrics& self, const FamilySink& sink);
// All of them at once.
std::vector<prometheus::MetricFamily> collect_families(const FamilyRegistry& registry, const std::vector<Shard*>& shards,
                                                       SelfMetrics& self);

}  // namespace agentmetrics::collector
