// How a scrape reads the series: one at a time, every shard's aggregate of it merged (counters
// and histograms add up, a gauge takes the value written last), with no lock and no copy of
// anything but the numbers; the label text is the one built when the series was admitted.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "collector/aggregate/exponential_histogram.h"
#include "collector/aggregate/family_registry.h"

namespace agentmetrics::collector {

// One series as the shards together hold it at the moment of reading. Valid during the visit.
struct MergedSeries {
  std::string_view labels;  // label_text.h; empty without labels
  double value = 0;         // counter total, or the gauge's latest value
  double sum = 0;           // histograms
  std::uint64_t count = 0;  // histograms: the sum of `buckets`, so always the +Inf bucket
  // Histograms: per bucket (not cumulative), the declared bounds then +Inf; only +Inf when the
  // family keeps no classic buckets.
  std::span<const std::uint64_t> buckets;
  const ExponentialBuckets* native = nullptr;  // when the family keeps exponential buckets
};

class SeriesReader {
 public:
  explicit SeriesReader(const FamilyRegistry& registry) : reclaimer_(registry.reclaimer()) {}

  // Calls visit(const MergedSeries&) for each series of `family`, in the order they were
  // admitted. Any thread, while the drain goes on.
  template <typename Visit>
  void for_each(const RegisteredFamily& family, Visit&& visit) {
    const EpochReclaimer::ReadGuard guard(reclaimer_);
    for (const SeriesEntry* s = family.first_series(); s; s = s->next()) visit(merge(*s));
  }

 private:
  const MergedSeries& merge(const SeriesEntry& series);

  EpochReclaimer& reclaimer_;
  // Reused from series to series: a scrape allocates nothing per series.
  MergedSeries merged_;
  std::vector<std::uint64_t> buckets_;
  ExponentialBuckets native_;
};

}  // namespace agentmetrics::collector
