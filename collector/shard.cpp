#include "shard.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace agentmetrics::collector {
namespace {

// Length-prefixed so that no label value can make two series collide.
std::string series_key(const std::string& family, const std::vector<std::string>& values) {
  std::string key = family;
  for (const auto& v : values) {
    key += '\x1f';
    key += std::to_string(v.size());
    key += ':';
    key += v;
  }
  return key;
}

}  // namespace

SeriesAggregate* Shard::series(const RegisteredFamily& family, const std::vector<std::string>& label_values) {
  std::string key = series_key(family.decl.name, label_values);
  std::lock_guard guard(mutex_);
  auto it = series_.find(key);
  if (it == series_.end()) {
    auto s = std::make_unique<SeriesAggregate>();
    s->family = &family;
    s->label_values = label_values;
    if (family.decl.type == ipc::MetricType::kHistogram) s->buckets.assign(family.decl.buckets.size() + 1, 0);
    it = series_.emplace(std::move(key), std::move(s)).first;
  }
  return it->second.get();
}

std::unique_lock<std::mutex> Shard::begin_batch() {
  std::unique_lock guard(mutex_);
  batch_time_ = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
  return guard;
}

ApplyResult Shard::apply(SeriesAggregate& s, const ipc::Record& r) {
  const ipc::MetricType type = s.family->decl.type;
  switch (static_cast<ipc::Op>(r.op)) {
    case ipc::Op::kCounterAdd:
      if (type != ipc::MetricType::kCounter) return ApplyResult::kWrongOp;
      if (!std::isfinite(r.value) || r.value < 0) return ApplyResult::kBadValue;
      s.value += r.value;
      return ApplyResult::kApplied;
    case ipc::Op::kGaugeSet:
      if (type != ipc::MetricType::kGauge) return ApplyResult::kWrongOp;
      s.value = r.value;
      s.updated_at = batch_time_;
      return ApplyResult::kApplied;
    case ipc::Op::kGaugeAdd:
      if (type != ipc::MetricType::kGauge) return ApplyResult::kWrongOp;
      if (!std::isfinite(r.value)) return ApplyResult::kBadValue;
      s.value += r.value;
      s.updated_at = batch_time_;
      return ApplyResult::kApplied;
    case ipc::Op::kHistogramObserve: {
      if (type != ipc::MetricType::kHistogram) return ApplyResult::kWrongOp;
      if (!std::isfinite(r.value)) return ApplyResult::kBadValue;
      const auto& bounds = s.family->decl.buckets;
      // Prometheus buckets are upper-inclusive: the first bound >= value.
      const auto bucket = static_cast<std::size_t>(std::lower_bound(bounds.begin(), bounds.end(), r.value) - bounds.begin());
      ++s.buckets[bucket];
      s.sum += r.value;
      ++s.count;
      return ApplyResult::kApplied;
    }
    case ipc::Op::kFrameBegin:
      break;
  }
  return ApplyResult::kWrongOp;
}

}  // namespace agentmetrics::collector
