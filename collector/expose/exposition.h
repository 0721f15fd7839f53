// Turns the aggregates into Prometheus metric families: the shards are merged per series
// (counters and histograms add up, a gauge takes its most recent value), every known family is
// listed even without series, and the collector's own metrics follow.
#pragma once

#include <prometheus/metric_family.h>

#include <functional>
#include <string>
#include <vector>

#include "collector/aggregate/family_registry.h"
#include "collector/expose/self_metrics.h"
#include "collector/aggregate/shard.h"

namespace agentmetrics::collector {

// Calls `sink` once per family, in name order, then for the collector's own families. Only one
// family's exposition model exists at a time, so a scrape of many series stays small.
using FamilySink = std::function<void(const prometheus::MetricFamily&)>;
void collect_families(const FamilyRegistry& registry, const std::vector<Shard*>& shards, SelfMetrics& self, const FamilySink& sink);
// All of them at once.
std::vector<prometheus::MetricFamily> collect_families(const FamilyRegistry& registry, const std::vector<Shard*>& shards,
                                                       SelfMetrics& self);

// The Prometheus text format 0.0.4, byte for byte what prometheus-cpp's TextSerializer writes,
// except that HELP texts are escaped as the format requires (TextSerializer writes them raw).
// Appends to `out`, whose capacity a caller may keep from one scrape to the next. `after_sample`,
// when given, is called after each series, so that a caller can send `out` in pieces.
void render_text(const prometheus::MetricFamily& family, std::string& out, const std::function<void()>& after_sample = nullptr);
void render_text(const std::vector<prometheus::MetricFamily>& families, std::string& out);
inline std::string render_text(const std::vector<prometheus::MetricFamily>& families) {
  std::string out;
  render_text(families, out);
  return out;
}
inline constexpr const char* kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace agentmetrics::collector
