#include "collector/aggregate/series_reader.h"

#include "collector/aggregate/shard.h"

namespace agentmetrics::collector {

const MergedSeries& SeriesReader::merge(const SeriesEntry& series) {
  const RegisteredFamily& family = series.family();
  MergedSeries& m = merged_;
  m = MergedSeries{};
  m.labels = series.labels();
  const bool histogram = family.decl.type == ipc::MetricType::kHistogram;
  if (histogram) {
    buckets_.assign(family.classic_buckets() ? family.decl.buckets.size() + 1 : 1, 0);
    if (family.native) {
      native_.clear(family.native->schema, family.native->zero_threshold);
      m.native = &native_;
    }
  }
  std::uint64_t latest = 0;
  for (const SeriesAggregate* a = series.first_aggregate(); a; a = a->next) {
    switch (family.decl.type) {
      case ipc::MetricType::kCounter: m.value += a->value.load(std::memory_order_relaxed); break;
      case ipc::MetricType::kGauge: {
        const std::uint64_t at = a->updated_at.load(std::memory_order_relaxed);
        if (at >= latest) {
          latest = at;
          m.value = a->value.load(std::memory_order_relaxed);
        }
        break;
      }
      case ipc::MetricType::kHistogram:
        for (std::size_t b = 0; b < a->bucket_count && b < buckets_.size(); ++b)
          buckets_[b] += a->buckets[b].load(std::memory_order_relaxed);
        m.sum += a->sum.load(std::memory_order_relaxed);
        if (a->native) a->native->read_into(native_);
        break;
    }
  }
  if (histogram) {
    // _count is the +Inf bucket by construction, never a separately kept number.
    for (auto c : buckets_) m.count += c;
    m.buckets = buckets_;
  }
  return m;
}

}  // namespace agentmetrics::collector
