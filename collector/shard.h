// One shard of the aggregates: the series fed by the segments of one drain thread. Only that
// thread writes it; a scrape reads it under the shard's mutex, which the drain thread takes
// once per batch of records, not per record.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "family_registry.h"
#include "record.h"

namespace agentmetrics::collector {

struct SeriesAggregate {
  const RegisteredFamily* family = nullptr;
  std::vector<std::string> label_values;
  double value = 0;                    // counter total or gauge value
  std::uint64_t updated_at = 0;        // gauges: steady-clock ns of the batch of the last write
  std::vector<std::uint64_t> buckets;  // histograms: per-bucket counts, +Inf last, not cumulative
  double sum = 0;
  std::uint64_t count = 0;
};

enum class ApplyResult { kApplied, kWrongOp, kBadValue };

class Shard {
 public:
  // The aggregate for a series, created on first use. Drain thread only, shard unlocked.
  SeriesAggregate* series(const RegisteredFamily& family, const std::vector<std::string>& label_values);

  // Locks the shard for a batch of apply() calls and stamps the batch's time, which decides
  // which shard's value of a gauge is the latest when a scrape merges them.
  std::unique_lock<std::mutex> begin_batch();
  // Applies one record; the caller holds begin_batch()'s lock.
  ApplyResult apply(SeriesAggregate& series, const ipc::Record& record);

  // Calls visit(const SeriesAggregate&) for every series, under the shard's lock.
  template <typename Visit>
  void for_each(Visit&& visit) {
    std::lock_guard guard(mutex_);
    for (const auto& [key, series] : series_) visit(*series);
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<SeriesAggregate>> series_;
  std::uint64_t batch_time_ = 0;
};

}  // namespace agentmetrics::collector
