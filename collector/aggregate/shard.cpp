#include "collector/aggregate/shard.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace agentmetrics::collector {
namespace {

// The single writer's update: no read-modify-write is needed (see shard.h).
template <typename T>
void add(std::atomic<T>& field, T delta) {
  field.store(field.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}

}  // namespace

Shard::Shard() = default;
Shard::~Shard() = default;

SeriesAggregate* Shard::series(const RegisteredFamily& family, const std::vector<std::string>& label_values) {
  const std::uint64_t hash = series_hash(family.decl.name, label_values);
  for (auto [it, end] = index_.equal_range(hash); it != end; ++it) {
    if (it->second->family == &family && it->second->label_values == label_values) return it->second;
  }
  const std::size_t n = published_.load(std::memory_order_relaxed);
  if (n >= kMaxSeries) return nullptr;
  auto& chunk = chunks_[n / kChunkSeries];
  if (!chunk) chunk = std::make_unique<SeriesAggregate[]>(kChunkSeries);
  SeriesAggregate& s = chunk[n % kChunkSeries];
  s.family = &family;
  s.label_values = label_values;
  if (family.decl.type == ipc::MetricType::kHistogram) {
    s.bucket_count = family.decl.buckets.size() + 1;
    s.buckets = std::make_unique<std::atomic<std::uint64_t>[]>(s.bucket_count);
  }
  // Release: a reader that sees n + 1 sees the series built above.
  published_.store(n + 1, std::memory_order_release);
  index_.emplace(hash, &s);
  return &s;
}

void Shard::begin_batch() { batch_time_ = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()); }

ApplyResult Shard::apply(SeriesAggregate& s, const ipc::Record& r) {
  const ipc::MetricType type = s.family->decl.type;
  switch (static_cast<ipc::Op>(r.op)) {
    case ipc::Op::kCounterAdd:
      if (type != ipc::MetricType::kCounter) return ApplyResult::kWrongOp;
      if (!std::isfinite(r.value) || r.value < 0) return ApplyResult::kBadValue;
      add(s.value, r.value);
      return ApplyResult::kApplied;
    case ipc::Op::kGaugeSet:
      if (type != ipc::MetricType::kGauge) return ApplyResult::kWrongOp;
      s.value.store(r.value, std::memory_order_relaxed);
      s.updated_at.store(batch_time_, std::memory_order_relaxed);
      return ApplyResult::kApplied;
    case ipc::Op::kGaugeAdd:
      if (type != ipc::MetricType::kGauge) return ApplyResult::kWrongOp;
      if (!std::isfinite(r.value)) return ApplyResult::kBadValue;
      add(s.value, r.value);
      s.updated_at.store(batch_time_, std::memory_order_relaxed);
      return ApplyResult::kApplied;
    case ipc::Op::kHistogramObserve: {
      if (type != ipc::MetricType::kHistogram) return ApplyResult::kWrongOp;
      if (!std::isfinite(r.value)) return ApplyResult::kBadValue;
      const auto& bounds = s.family->decl.buckets;
      // Prometheus buckets are upper-inclusive: the first bound >= value.
      const auto bucket = static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), r.value) - bounds.begin());
      add(s.buckets[bucket], std::uint64_t{1});
      add(s.sum, r.value);
      return ApplyResult::kApplied;
    }
    case ipc::Op::kFrameBegin: break;
  }
  return ApplyResult::kWrongOp;
}

}  // namespace agentmetrics::collector
