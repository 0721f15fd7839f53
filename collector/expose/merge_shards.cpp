#include "collector/expose/merge_shards.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace agentmetrics::collector {
namespace {

// One series as the shards together hold it: counters and histograms add up, a gauge keeps
// the value written last.
struct Merged {
  const std::vector<std::string>* label_values;  // owned by a shard's series, which lives as long as the shard
  double value;
  std::uint64_t updated_at;
  double sum;
  std::size_t buckets_at;  // offset of its per-bucket counts in the family's bucket pool
};

struct FamilySeries {
  std::vector<Merged> series;
  std::vector<std::uint64_t> bucket_pool;
};

void merge_into(Merged& into, const Merged& from, const RegisteredFamily& family, std::vector<std::uint64_t>& pool) {
  switch (family.decl.type) {
    case ipc::MetricType::kCounter: into.value += from.value; break;
    case ipc::MetricType::kGauge:
      if (from.updated_at >= into.updated_at) {
        into.value = from.value;
        into.updated_at = from.updated_at;
      }
      break;
    case ipc::MetricType::kHistogram:
      for (std::size_t b = 0; b <= family.decl.buckets.size(); ++b) pool[into.buckets_at + b] += pool[from.buckets_at + b];
      into.sum += from.sum;
      break;
  }
}

prometheus::ClientMetric to_client_metric(const ipc::FamilyDecl& family, const Merged& m, const std::vector<std::uint64_t>& pool) {
  prometheus::ClientMetric metric;
  metric.label.reserve(family.label_names.size());
  for (std::size_t i = 0; i < family.label_names.size(); ++i) metric.label.push_back({family.label_names[i], (*m.label_values)[i]});
  switch (family.type) {
    case ipc::MetricType::kCounter: metric.counter.value = m.value; break;
    case ipc::MetricType::kGauge: metric.gauge.value = m.value; break;
    case ipc::MetricType::kHistogram: {
      std::uint64_t cumulative = 0;
      metric.histogram.bucket.reserve(family.buckets.size() + 1);
      for (std::size_t b = 0; b <= family.buckets.size(); ++b) {
        cumulative += pool[m.buckets_at + b];
        const double bound = b < family.buckets.size() ? family.buckets[b] : std::numeric_limits<double>::infinity();
        metric.histogram.bucket.push_back({cumulative, bound});
      }
      // _count is the +Inf bucket by construction, never a separately kept number.
      metric.histogram.sample_count = cumulative;
      metric.histogram.sample_sum = m.sum;
      break;
    }
  }
  return metric;
}

prometheus::MetricType to_prometheus_type(ipc::MetricType type) {
  switch (type) {
    case ipc::MetricType::kCounter: return prometheus::MetricType::Counter;
    case ipc::MetricType::kGauge: return prometheus::MetricType::Gauge;
    case ipc::MetricType::kHistogram: return prometheus::MetricType::Histogram;
  }
  return prometheus::MetricType::Untyped;
}

// Everything the shards hold, by family, each family's series sorted by label values and
// merged across shards.
std::unordered_map<const RegisteredFamily*, FamilySeries> gather(const std::vector<Shard*>& shards) {
  std::unordered_map<const RegisteredFamily*, FamilySeries> by_family;
  for (Shard* shard : shards) {
    shard->for_each([&](const SeriesView& s) {
      FamilySeries& f = by_family[s.family];
      f.series.push_back(Merged{&s.label_values, s.value, s.updated_at, s.sum, f.bucket_pool.size()});
      f.bucket_pool.insert(f.bucket_pool.end(), s.buckets.begin(), s.buckets.end());
    });
  }
  for (auto& [family, f] : by_family) {
    auto& series = f.series;
    std::sort(series.begin(), series.end(), [](const Merged& a, const Merged& b) { return *a.label_values < *b.label_values; });
    if (shards.size() < 2) continue;
    std::size_t out = 0;
    for (std::size_t i = 0; i < series.size(); ++i) {
      if (out > 0 && *series[out - 1].label_values == *series[i].label_values) {
        merge_into(series[out - 1], series[i], *family, f.bucket_pool);
      } else {
        series[out++] = series[i];
      }
    }
    series.resize(out);
  }
  return by_family;
}

}  // namespace

void collect_families(const FamilyRegistry& registry, const std::vector<Shard*>& shards, SelfMetrics& self, const FamilySink& sink) {
  auto by_family = gather(shards);
  for (const RegisteredFamily* family : registry.families()) {
    prometheus::MetricFamily f;
    f.name = family->decl.name;
    f.help = family->decl.help;
    f.type = to_prometheus_type(family->decl.type);
    if (auto it = by_family.find(family); it != by_family.end()) {
      f.metric.reserve(it->second.series.size());
      for (const Merged& m : it->second.series) f.metric.push_back(to_client_metric(family->decl, m, it->second.bucket_pool));
      by_family.erase(it);
    }
    sink(f);
  }
  for (const auto& f : self.registry().Collect()) sink(f);
}

std::vector<prometheus::MetricFamily> collect_families(const FamilyRegistry& registry, const std::vector<Shard*>& shards,
                                                       SelfMetrics& self) {
  std::vector<prometheus::MetricFamily> out;
  collect_families(registry, shards, self, [&](const prometheus::MetricFamily& f) { out.push_back(f); });
  return out;
}

}  // namespace agentmetrics::collector
