#include "exposition.h"

#include <prometheus/text_serializer.h>

#include <limits>
#include <map>
#include <sstream>

namespace agentmetrics::collector {
namespace {

struct Merged {
  double value = 0;
  std::uint64_t updated_at = 0;
  std::vector<std::uint64_t> buckets;
  double sum = 0;
  std::uint64_t count = 0;
};

void merge(Merged& into, const SeriesAggregate& s) {
  switch (s.family->decl.type) {
    case ipc::MetricType::kCounter:
      into.value += s.value;
      break;
    case ipc::MetricType::kGauge:
      if (s.updated_at >= into.updated_at) {
        into.value = s.value;
        into.updated_at = s.updated_at;
      }
      break;
    case ipc::MetricType::kHistogram:
      if (into.buckets.empty()) into.buckets.assign(s.buckets.size(), 0);
      for (std::size_t i = 0; i < s.buckets.size(); ++i) into.buckets[i] += s.buckets[i];
      into.sum += s.sum;
      into.count += s.count;
      break;
  }
}

prometheus::ClientMetric to_client_metric(const ipc::FamilyDecl& family, const std::vector<std::string>& values, const Merged& m) {
  prometheus::ClientMetric metric;
  for (std::size_t i = 0; i < family.label_names.size(); ++i) metric.label.push_back({family.label_names[i], values[i]});
  switch (family.type) {
    case ipc::MetricType::kCounter:
      metric.counter.value = m.value;
      break;
    case ipc::MetricType::kGauge:
      metric.gauge.value = m.value;
      break;
    case ipc::MetricType::kHistogram: {
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < m.buckets.size(); ++i) {
        cumulative += m.buckets[i];
        const double bound = i < family.buckets.size() ? family.buckets[i] : std::numeric_limits<double>::infinity();
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

}  // namespace

std::vector<prometheus::MetricFamily> collect_families(const FamilyRegistry& registry, const std::vector<Shard*>& shards,
                                                       SelfMetrics& self) {
  std::map<const RegisteredFamily*, std::map<std::vector<std::string>, Merged>> merged;
  for (Shard* shard : shards) {
    shard->for_each([&](const SeriesAggregate& s) { merge(merged[s.family][s.label_values], s); });
  }
  std::vector<prometheus::MetricFamily> out;
  for (const RegisteredFamily* family : registry.families()) {
    prometheus::MetricFamily f;
    f.name = family->decl.name;
    f.help = family->decl.help;
    f.type = to_prometheus_type(family->decl.type);
    if (auto it = merged.find(family); it != merged.end()) {
      for (const auto& [values, m] : it->second) f.metric.push_back(to_client_metric(family->decl, values, m));
    }
    out.push_back(std::move(f));
  }
  for (auto& f : self.registry().Collect()) out.push_back(std::move(f));
  return out;
}

std::string render_text(const std::vector<prometheus::MetricFamily>& families) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace agentmetrics::collector
