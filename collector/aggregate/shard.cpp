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

SeriesAggregate* Shard::aggregate(SeriesEntry& series) {
  for (const SeriesAggregate* a = series.aggregates_.load(std::memory_order_acquire); a; a = a->next) {
    // Ours, so ours to write: only this thread makes aggregates owned by this shard.
    if (a->owner == this) return const_cast<SeriesAggregate*>(a);
  }
  auto made = std::make_unique<SeriesAggregate>();
  const RegisteredFamily& family = series.family();
  made->family = &family;
  made->owner = this;
  if (family.decl.type == ipc::MetricType::kHistogram) {
    made->bucket_count = family.classic_buckets() ? family.decl.buckets.size() + 1 : 1;
    made->buckets = std::make_unique<std::atomic<std::uint64_t>[]>(made->bucket_count);
    if (family.native) made->native = std::make_unique<ExponentialHistogram>(*family.native, family.registry_->reclaimer());
  }
  SeriesAggregate* a = made.release();
  // Release: a reader that finds the aggregate sees it built. Other shards may push theirs at
  // the same moment, hence the compare-and-swap.
  SeriesAggregate* head = series.aggregates_.load(std::memory_order_relaxed);
  do {
    a->next = head;
  } while (!series.aggregates_.compare_exchange_weak(head, a, std::memory_order_release, std::memory_order_relaxed));
  return a;
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
      // Prometheus buckets are upper-inclusive: the first bound >= value. Without classic
      // buckets there is only +Inf.
      std::size_t bucket = 0;
      if (s.bucket_count > 1) {
        const auto& bounds = s.family->decl.buckets;
        bucket = static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), r.value) - bounds.begin());
      }
      add(s.buckets[bucket], std::uint64_t{1});
      add(s.sum, r.value);
      if (s.native) s.native->observe(r.value);
      return ApplyResult::kApplied;
    }
    case ipc::Op::kFrameBegin: break;
  }
  return ApplyResult::kWrongOp;
}

ApplyResult Shard::add_exponential(SeriesAggregate& s, const ExponentialPoint& point) {
  if (s.family->decl.type != ipc::MetricType::kHistogram) return ApplyResult::kWrongOp;
  if (!std::isfinite(point.sum) || point.schema < kMinExponentialSchema || point.schema > kMaxExponentialSchema) {
    return ApplyResult::kBadValue;
  }
  if (s.native) s.native->add(point);
  // Classic buckets by each exponential bucket's upper bound; the zero bucket goes to the
  // first classic bucket that holds 0 and the threshold.
  const auto& bounds = s.family->decl.buckets;
  auto classic = [&](double upper, std::uint64_t n) {
    if (n == 0) return;
    std::size_t bucket = 0;
    if (s.bucket_count > 1) bucket = static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), upper) - bounds.begin());
    add(s.buckets[bucket], n);
  };
  classic(point.zero_threshold, point.zero_count);
  for (std::size_t k = 0; k < point.positive_counts.size(); ++k) {
    classic(exponential_bucket_upper_bound(point.positive_offset + static_cast<std::int32_t>(k), point.schema), point.positive_counts[k]);
  }
  for (std::size_t k = 0; k < point.negative_counts.size(); ++k) {
    // A negative bucket's upper end is the negative of its lower bound's magnitude.
    classic(-exponential_bucket_upper_bound(point.negative_offset + static_cast<std::int32_t>(k) - 1, point.schema),
            point.negative_counts[k]);
  }
  add(s.sum, point.sum);
  return ApplyResult::kApplied;
}

}  // namespace agentmetrics::collector
