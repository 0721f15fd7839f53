#include "collector/expose/exposition.h"

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "collector/expose/text_format.h"

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
    case ipc::MetricType::kCounter:
      into.value += from.value;
      break;
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
    case ipc::MetricType::kCounter:
      metric.counter.value = m.value;
      break;
    case ipc::MetricType::kGauge:
      metric.gauge.value = m.value;
      break;
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

void append_sample_head(std::string& out, const std::string& name, const char* suffix, const prometheus::ClientMetric& metric,
                        const char* extra_label = nullptr, double extra_value = 0) {
  out += name;
  out += suffix;
  if (!metric.label.empty() || extra_label) {
    out += '{';
    const char* separator = "";
    for (const auto& l : metric.label) {
      out += separator;
      out += l.name;
      out += "=\"";
      append_label_value(out, l.value);
      out += '"';
      separator = ",";
    }
    if (extra_label) {
      out += separator;
      out += extra_label;
      out += "=\"";
      append_value(out, extra_value);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
}

void append_sample_tail(std::string& out, const prometheus::ClientMetric& metric) {
  if (metric.timestamp_ms != 0) {
    out += ' ';
    out += std::to_string(metric.timestamp_ms);
  }
  out += '\n';
}

void append_histogram(std::string& out, const std::string& name, const prometheus::ClientMetric& m) {
  append_sample_head(out, name, "_count", m);
  append_integer(out, m.histogram.sample_count);
  append_sample_tail(out, m);
  append_sample_head(out, name, "_sum", m);
  append_value(out, m.histogram.sample_sum);
  append_sample_tail(out, m);
  double last = -std::numeric_limits<double>::infinity();
  for (const auto& b : m.histogram.bucket) {
    append_sample_head(out, name, "_bucket", m, "le", b.upper_bound);
    append_integer(out, b.cumulative_count);
    append_sample_tail(out, m);
    last = b.upper_bound;
  }
  if (last != std::numeric_limits<double>::infinity()) {
    append_sample_head(out, name, "_bucket", m, "le", std::numeric_limits<double>::infinity());
    append_integer(out, m.histogram.sample_count);
    append_sample_tail(out, m);
  }
}

void append_summary(std::string& out, const std::string& name, const prometheus::ClientMetric& m) {
  append_sample_head(out, name, "_count", m);
  append_integer(out, m.summary.sample_count);
  append_sample_tail(out, m);
  append_sample_head(out, name, "_sum", m);
  append_value(out, m.summary.sample_sum);
  append_sample_tail(out, m);
  for (const auto& q : m.summary.quantile) {
    append_sample_head(out, name, "", m, "quantile", q.quantile);
    append_value(out, q.value);
    append_sample_tail(out, m);
  }
}

const char* type_name(prometheus::MetricType type) {
  switch (type) {
    case prometheus::MetricType::Counter: return "counter";
    case prometheus::MetricType::Gauge: return "gauge";
    case prometheus::MetricType::Summary: return "summary";
    case prometheus::MetricType::Histogram: return "histogram";
    default: return "untyped";
  }
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

void render_text(const prometheus::MetricFamily& f, std::string& out, const std::function<void()>& after_sample) {
  // At most one allocation for the family, from a generous estimate of its size (a caller that
  // sends pieces has a buffer of its own size already).
  if (!after_sample) {
    const std::size_t lines = f.type == prometheus::MetricType::Histogram && !f.metric.empty() ? f.metric[0].histogram.bucket.size() + 3 : 1;
    const std::size_t labels = f.metric.empty() ? 0 : f.metric[0].label.size();
    out.reserve(out.size() + 128 + f.metric.size() * lines * (f.name.size() + 40 + 32 * labels));
  }
  if (!f.help.empty()) {
    out += "# HELP ";
    out += f.name;
    out += ' ';
    append_help(out, f.help);
    out += '\n';
  }
  out += "# TYPE ";
  out += f.name;
  out += ' ';
  out += type_name(f.type);
  out += '\n';
  for (const auto& m : f.metric) {
    switch (f.type) {
      case prometheus::MetricType::Histogram: append_histogram(out, f.name, m); break;
      case prometheus::MetricType::Summary: append_summary(out, f.name, m); break;
      default: {
        append_sample_head(out, f.name, "", m);
        const double value = f.type == prometheus::MetricType::Counter ? m.counter.value
                             : f.type == prometheus::MetricType::Gauge ? m.gauge.value
                                                                       : m.untyped.value;
        append_value(out, value);
        append_sample_tail(out, m);
      }
    }
    if (after_sample) after_sample();
  }
}

void render_text(const std::vector<prometheus::MetricFamily>& families, std::string& out) {
  for (const auto& f : families) render_text(f, out);
}

}  // namespace agentmetrics::collector
