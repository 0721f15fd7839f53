// OTLP exponential histogram data points as increments of a series' exponential buckets
// (collector/aggregate/exponential_histogram.h): a delta point is its own increment, a
// cumulative one the difference with the stream's last point, bucket by bucket, at the coarser of
// the two scales (an SDK lowers its scale as its range grows). A point whose counts went down, or
// with a new start time, is a restart of the stream and counts whole. Scales finer than
// Prometheus's finest schema (8) are lowered to it; coarser than its coarsest (-4) are refused.
//
// OTLP's bucket i holds (base^i, base^(i+1)]; Prometheus's bucket i holds (base^(i-1), base^i]:
// the same buckets, Prometheus's index one higher.
#pragma once

#include <opentelemetry/proto/metrics/v1/metrics.pb.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "collector/aggregate/exponential_histogram.h"
#include "collector/intake/otlp/point_deltas.h"
#include "collector/intake/otlp/recent_keys.h"

namespace agentmetrics::intake {

// One side's buckets in OTLP's indexing: counts[k] is bucket offset + k.
struct ExponentialSide {
  std::int32_t offset = 0;
  std::vector<std::uint64_t> counts;
};

// An increment, owning its counts; point() views it for Shard::add_exponential.
struct ExponentialIncrement {
  int scale = 0;
  double zero_threshold = 0;
  std::uint64_t zero_count = 0;
  ExponentialSide positive, negative;
  double sum = 0;
  std::uint64_t count = 0;

  collector::ExponentialPoint point() const;
};

class ExponentialPoints {
 public:
  explicit ExponentialPoints(std::size_t max_streams);

  // The increment `p` stands for on `stream`; nothing when it adds nothing (no change, or a
  // point seen before). Throws std::invalid_argument for a point that cannot be read (a scale
  // out of range, counts that do not add up, a sum that is not finite).
  std::optional<ExponentialIncrement> increment(std::uint64_t stream, Temporality temporality,
                                                const opentelemetry::proto::metrics::v1::ExponentialHistogramDataPoint& p);
  std::size_t forgotten() const;

 private:
  struct Last {
    std::uint64_t start_ns = 0;
    std::uint64_t time_ns = 0;
    ExponentialIncrement totals;
  };
  const std::size_t max_streams_;
  RecentKeys seen_deltas_;  // delta points, for a retried export
  mutable std::mutex mutex_;
  std::map<std::uint64_t, Last> last_;  // cumulative streams; beyond max_streams_ one goes
  std::size_t forgotten_ = 0;
};

}  // namespace agentmetrics::intake
