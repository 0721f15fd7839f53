// The increments that OTLP points of monotonic sums (and histograms' sums and counts) stand for,
// whatever their temporality, each counted once:
//   - a delta point is its own increment, unless the same point (stream, start, time) was seen
//     before: an exporter that retries a request it thinks failed sends it again;
//   - a cumulative point's increment is its difference with the stream's last value; a value
//     below the last, or a new start time, is a restart of the stream, whose value is then the
//     increment; the same value again adds nothing.
// Memory is bounded: at most `max_streams` cumulative streams and as many recent delta points
// are remembered, the oldest forgotten first (a forgotten cumulative stream counts its next
// value whole; both are counted in forgotten()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "collector/intake/otlp/recent_keys.h"

namespace agentmetrics::intake {

enum class Temporality { kDelta, kCumulative };

class PointDeltas {
 public:
  explicit PointDeltas(std::size_t max_streams);

  // A point of a monotonic sum: `stream` is a digest of resource, scope, metric and attributes.
  struct Point {
    std::uint64_t stream;
    Temporality temporality;
    std::uint64_t start_ns, time_ns;
    double value;
  };
  // The increment each of a request's points stands for, in their order: `increments[i]` for
  // `points[i]` (as many), nothing when it adds nothing (a point seen before, earlier in these
  // or not, or a negative delta). The delta points' keys are looked up together
  // (RecentKeys::first_times); `scratch` keeps its memory from one call to the next.
  struct Scratch {
    std::vector<std::uint64_t> keys;
    std::vector<std::size_t> at;  // the point each key is of
    std::unique_ptr<bool[]> first;
    std::size_t first_size = 0;
  };
  void increments(std::span<const Point> points, std::span<std::optional<double>> increments, Scratch& scratch);
  std::size_t forgotten() const;

 private:
  static std::uint64_t delta_key(std::uint64_t stream, std::uint64_t start_ns, std::uint64_t time_ns);
  // A cumulative point's increment, under mutex_.
  std::optional<double> cumulative_increment(std::uint64_t stream, std::uint64_t start_ns, double value);
  struct Cumulative {
    std::uint64_t start_ns;
    double last;
    std::list<std::uint64_t>::iterator age;
  };
  const std::size_t max_streams_;
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, Cumulative> cumulative_;
  std::list<std::uint64_t> cumulative_age_;  // least recently seen first
  RecentKeys seen_deltas_;
  std::size_t forgotten_ = 0;  // cumulative streams
};

}  // namespace agentmetrics::intake
