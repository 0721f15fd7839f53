#include "collector/intake/otlp/point_deltas.h"

#include <cmath>

namespace agentmetrics::intake {

PointDeltas::PointDeltas(std::size_t max_streams) : max_streams_(max_streams == 0 ? 1 : max_streams), seen_deltas_(max_streams_) {}

std::optional<double> PointDeltas::increment(std::uint64_t stream, Temporality temporality, std::uint64_t start_ns, std::uint64_t time_ns,
                                             double value) {
  if (!std::isfinite(value) || value < 0) return std::nullopt;
  if (temporality == Temporality::kDelta) {
    // The same stream, window and end: the same point, sent again.
    const std::uint64_t key = stream ^ (start_ns * 0x9E3779B97F4A7C15ULL) ^ ((time_ns + 0x632BE59BD9B4E019ULL) * 0xC2B2AE3D27D4EB4FULL);
    return seen_deltas_.first_time(key) ? std::optional<double>(value) : std::nullopt;
  }
  std::lock_guard lock(mutex_);
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
