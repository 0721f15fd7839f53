// Native histograms: sparse exponential buckets (Prometheus's schema), kept by the collector
// from the raw observations it drains, beside or instead of a family's classic buckets. The
// producer writes the same 16-byte record as for any histogram; the bucket search happens here.
//
// Prometheus's convention: at schema s, bucket i holds the values in (2^((i-1)/2^s), 2^(i/2^s)],
// each bucket 2^(2^-s) times as wide as the one before; values whose magnitude is at most the
// zero threshold go to the zero bucket, negative values to buckets of their own.
//
// Memory ordering. One writer per histogram (the drain thread of its shard) keeps the counts in
// a layout of atomics, incremented with a relaxed load and store like the classic buckets. When
// an observation falls outside the layout (or the layout must be made coarser to stay within
// the bucket limit), the writer builds a new layout, copies the counts, publishes it with a
// release store and retires the old one to the EpochReclaimer; a reader loads the layout with
// acquire under a ReadGuard, so what it reads is built and is not freed under it.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "collector/aggregate/epoch_reclaimer.h"

namespace agentmetrics::collector {

inline constexpr int kMinExponentialSchema = -4;
inline constexpr int kMaxExponentialSchema = 8;

struct NativeHistogramSettings {
  int schema = 3;                    // the finest resolution kept: 2^(2^-3), 9% wide buckets
  std::size_t max_buckets = 160;     // per sign, from the smallest to the largest bucket; beyond, the schema is lowered
  double zero_threshold = 0x1p-128;  // Prometheus's default; above 0, so Prometheus 2.x takes the histogram as native
  bool classic = true;               // keep the family's declared classic buckets too
  bool operator==(const NativeHistogramSettings&) const = default;
};

// The index of the bucket that holds `magnitude` (> 0) at `schema`, as Prometheus computes it.
std::int32_t exponential_bucket_index(double magnitude, int schema);
// The upper bound of bucket `index` at `schema`.
double exponential_bucket_upper_bound(std::int32_t index, int schema);

// Exponential buckets that come from elsewhere, to be added into a series' buckets: the seam
// for an OTLP exponential histogram data point (its scale is the schema; its bucket index k
// is Prometheus's k + 1, since OTLP's buckets are lower-inclusive). Counts are deltas: what
// was observed since the previous point.
struct ExponentialPoint {
  int schema = 0;
  double zero_threshold = 0;
  std::uint64_t zero_count = 0;
  std::int32_t positive_offset = 0;  // Prometheus index of positive_counts[0]
  std::span<const std::uint64_t> positive_counts;
  std::int32_t negative_offset = 0;
  std::span<const std::uint64_t> negative_counts;
  double sum = 0;
  std::uint64_t count = 0;  // zero_count + every bucket
};

// Exponential buckets as a scrape sees them, merged over the shards: dense runs of counts from
// a first index (zeros inside them are buckets that hold nothing). Reused between series.
struct ExponentialBuckets {
  int schema = kMaxExponentialSchema;
  double zero_threshold = 0;
  std::uint64_t zero_count = 0;
  std::int32_t positive_first = 0;
  std::vector<std::uint64_t> positive;
  std::int32_t negative_first = 0;
  std::vector<std::uint64_t> negative;

  void clear(int finest_schema, double threshold);
  // Adds `counts` (at `schema`, the first at index `first`) to one side, lowering this
  // snapshot's schema or theirs to the coarser of the two.
  template <typename Count>
  void add(int from_schema, bool positive_side, std::int32_t first, std::span<Count> counts);
  void lower_schema(int to_schema);
  std::uint64_t count() const;

 private:
  std::uint64_t& at(bool positive_side, std::int32_t index);
};

class ExponentialHistogram {
 public:
  // `settings` and `reclaimer` outlive the histogram (they belong to its family's registry).
  ExponentialHistogram(const NativeHistogramSettings& settings, EpochReclaimer& reclaimer);
  ~ExponentialHistogram();
  ExponentialHistogram(const ExponentialHistogram&) = delete;
  ExponentialHistogram& operator=(const ExponentialHistogram&) = delete;

  // The writer's side: one thread only.
  void observe(double value);
  void add(const ExponentialPoint& point);
  // The reader's side, under a ReadGuard: adds this histogram's counts into `out`.
  void read_into(ExponentialBuckets& out) const;

 private:
  struct Layout;
  // Makes room for buckets lo..hi (at the layout's schema) on one side, lowering the schema
  // to keep within max_buckets; returns the layout now in use.
  Layout* grow(int side, std::int32_t lo, std::int32_t hi);
  // Lowers the schema to `schema` (coarser), keeping the extent.
  Layout* coarsen(int schema);
  Layout* replace(Layout* old, int schema, const std::int32_t (&first)[2], const std::uint32_t (&size)[2]);

  const NativeHistogramSettings& settings_;
  EpochReclaimer& reclaimer_;
  std::atomic<Layout*> layout_;
  std::atomic<std::uint64_t> zero_count_{0};
};

}  // namespace agentmetrics::collector
