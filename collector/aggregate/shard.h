// One shard: the writer's side of the aggregates of one drain thread. Every series has one
// aggregate per shard that writes it; only that shard's thread writes it, with no lock and no
// atomic read-modify-write, and a scrape reads it at any moment from another thread without
// stopping the drain (series_reader.h merges a series' aggregates).
//
// Memory ordering. Every field a scrape reads is a std::atomic written by the one drain
// thread with relaxed load + relaxed store (a plain move on x86: no lock prefix, no fence).
// A reader loads each field relaxed: it sees a value the writer stored (atomics do not tear),
// and successive loads of one field never go back (coherence), so a counter never decreases
// between scrapes. A histogram's _count is the sum of its buckets as read, so it equals its
// +Inf bucket by construction; its _sum may lead or lag the buckets by the records of one
// batch. An aggregate is built, then pushed onto its series' list of aggregates with a release
// compare-and-swap; a reader's acquire load of the list makes its immutable parts visible.
// Exponential buckets follow the same rules (exponential_histogram.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "collector/aggregate/exponential_histogram.h"
#include "collector/aggregate/family_registry.h"
#include "ipc/record.h"

namespace agentmetrics::collector {

class Shard;

struct SeriesAggregate {
  const RegisteredFamily* family = nullptr;  // immutable
  const Shard* owner = nullptr;              // immutable
  const SeriesAggregate* next = nullptr;     // the series' next aggregate; immutable once published
  std::atomic<double> value{0};              // counter total or gauge value
  std::atomic<std::uint64_t> updated_at{0};  // gauges: steady-clock ns of the batch of the last write
  std::atomic<double> sum{0};                // histograms
  // Histograms: per-bucket counts, +Inf last (only +Inf when the family keeps no classic buckets).
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets;
  std::size_t bucket_count = 0;
  std::unique_ptr<ExponentialHistogram> native;  // histograms whose exponential buckets are kept
};

enum class ApplyResult { kApplied, kWrongOp, kBadValue };

class Shard {
 public:
  Shard() = default;
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // This shard's aggregate of a series, created and published on first use. Drain thread only;
  // the caller holds the series (SeriesHold) for as long as it writes the aggregate.
  SeriesAggregate* aggregate(SeriesEntry& series);

  // Stamps the time of the records that follow, which decides which shard's value of a gauge
  // is the latest when a scrape merges them. Drain thread only.
  void begin_batch();
  // Applies one record. Drain thread only.
  ApplyResult apply(SeriesAggregate& series, const ipc::Record& record);
  // Adds exponential buckets from elsewhere (the OTLP receiver's seam, exponential_histogram.h):
  // into the series' exponential buckets when the family keeps them, and into its classic
  // buckets by each exponential bucket's upper bound (exact to one exponential bucket).
  // Writer thread only.
  ApplyResult add_exponential(SeriesAggregate& series, const ExponentialPoint& point);

 private:
  std::uint64_t batch_time_ = 0;
};

}  // namespace agentmetrics::collector
