#include "collector/intake/otlp/point_deltas.h"

#include <cmath>

namespace agentmetrics::intake {

PointDeltas::PointDeltas(std::size_t max_streams) : max_streams_(max_streams == 0 ? 1 : max_streams), seen_deltas_(max_streams_) {}

std::uint64_t PointDeltas::delta_key(std::uint64_t stream, std::uint64_t start_ns, std::uint64_t time_ns) {
  // The same stream, window and end: the same point, sent again.
  return stream ^ (start_ns * 0x9E3779B97F4A7C15ULL) ^ ((time_ns + 0x632BE59BD9B4E019ULL) * 0xC2B2AE3D27D4EB4FULL);
}

void PointDeltas::increments(std::span<const Point> points, std::span<std::optional<double>> increments, Scratch& scratch) {
  scratch.keys.clear();
  scratch.at.clear();
  bool cumulative = false;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    increments[i] = std::nullopt;
    if (!std::isfinite(p.value) || p.value < 0) continue;
    if (p.temporality == Temporality::kCumulative) {
      cumulative = true;
      continue;
    }
    scratch.keys.push_back(delta_key(p.stream, p.start_ns, p.time_ns));
    scratch.at.push_back(i);
  }
  if (scratch.first_size < scratch.keys.size()) {
    scratch.first = std::make_unique<bool[]>(scratch.keys.size());
    scratch.first_size = scratch.keys.size();
  }
  const std::span<bool> first(scratch.first.get(), scratch.keys.size());
  seen_deltas_.first_times(scratch.keys, first);
  for (std::size_t k = 0; k < scratch.keys.size(); ++k) {
    if (first[k]) increments[scratch.at[k]] = points[scratch.at[k]].value;
  }
  if (!cumulative) return;
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Point& p = points[i];
    if (p.temporality == Temporality::kCumulative && std::isfinite(p.value) && p.value >= 0) {
      increments[i] = cumulative_increment(p.stream, p.start_ns, p.value);
    }
  }
}

std::optional<double> PointDeltas::cumulative_increment(std::uint64_t stream, std::uint64_t start_ns, double value) {
  auto it = cumulative_.find(stream);
  if (it == cumulative_.end()) {
    if (cumulative_.size() >= max_streams_) {
      cumulative_.erase(cumulative_age_.front());
      cumulative_age_.pop_front();
      ++forgotten_;
    }
    cumulative_age_.push_back(stream);
    cumulative_.emplace(stream, Cumulative{start_ns, value, std::prev(cumulative_age_.end())});
    return value;
  }
  Cumulative& c = it->second;
  cumulative_age_.splice(cumulative_age_.end(), cumulative_age_, c.age);
  double delta = value - c.last;
  if (start_ns != c.start_ns || delta < 0) delta = value;  // the stream restarted
  c.start_ns = start_ns;
  c.last = value;
  if (delta <= 0) return std::nullopt;
  return delta;
}

std::size_t PointDeltas::forgotten() const {
  std::lock_guard lock(mutex_);
  return forgotten_ + seen_deltas_.forgotten();
}

}  // namespace agentmetrics::intake
