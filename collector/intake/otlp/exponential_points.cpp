#include "collector/intake/otlp/exponential_points.h"

#include <cmath>
#include <stdexcept>

namespace agentmetrics::intake {
namespace {

namespace metrics = opentelemetry::proto::metrics::v1;

ExponentialSide side_of(const metrics::ExponentialHistogramDataPoint::Buckets& b) {
  return {b.offset(), {b.bucket_counts().begin(), b.bucket_counts().end()}};
}

// Bucket i at scale s is bucket i >> d at scale s - d (OTLP's indexing: floor division).
void lower(ExponentialSide& side, int by) {
  if (by <= 0 || side.counts.empty()) return;
  const std::int32_t first = side.offset >> by;
  const std::int32_t last = (side.offset + static_cast<std::int32_t>(side.counts.size()) - 1) >> by;
  std::vector<std::uint64_t> merged(static_cast<std::size_t>(last - first + 1), 0);
  for (std::size_t k = 0; k < side.counts.size(); ++k) {
    merged[static_cast<std::size_t>(((side.offset + static_cast<std::int32_t>(k)) >> by) - first)] += side.counts[k];
  }
  side = {first, std::move(merged)};
}

void lower(ExponentialIncrement& h, int to_scale) {
  lower(h.positive, h.scale - to_scale);
  lower(h.negative, h.scale - to_scale);
  h.scale = std::min(h.scale, to_scale);
}

std::uint64_t at(const ExponentialSide& side, std::int32_t index) {
  const std::int64_t k = static_cast<std::int64_t>(index) - side.offset;
  return k < 0 || k >= static_cast<std::int64_t>(side.counts.size()) ? 0 : side.counts[static_cast<std::size_t>(k)];
}

// now - before, bucket by bucket; false when a bucket went down (a restart).
bool subtract(ExponentialSide& now, const ExponentialSide& before) {
  for (std::size_t k = 0; k < before.counts.size(); ++k) {
    if (before.counts[k] > at(now, before.offset + static_cast<std::int32_t>(k))) return false;
  }
  for (std::size_t k = 0; k < now.counts.size(); ++k) now.counts[k] -= at(before, now.offset + static_cast<std::int32_t>(k));
  return true;
}

ExponentialIncrement read(const metrics::ExponentialHistogramDataPoint& p) {
  ExponentialIncrement h;
  h.scale = p.scale();
  if (h.scale < collector::kMinExponentialSchema) {
    throw std::invalid_argument("an exponential histogram of scale " + std::to_string(h.scale) + ", coarser than " +
                                std::to_string(collector::kMinExponentialSchema));
  }
  if (p.scale() > 20) throw std::invalid_argument("an exponential histogram of scale " + std::to_string(p.scale()) + ", beyond 20");
  if (!std::isfinite(p.zero_threshold()) || p.zero_threshold() < 0) throw std::invalid_argument("a zero threshold that is not a number");
  const double sum = p.has_sum() ? p.sum() : 0;
  if (!std::isfinite(sum)) throw std::invalid_argument("an exponential histogram whose sum is not finite");
  h.zero_threshold = p.zero_threshold();
  h.zero_count = p.zero_count();
  h.positive = side_of(p.positive());
  h.negative = side_of(p.negative());
  h.sum = sum;
  h.count = p.count();
  std::uint64_t buckets = h.zero_count;
  for (const auto* side : {&h.positive, &h.negative}) {
    for (const std::uint64_t n : side->counts) {
      if (n > UINT64_MAX - buckets) throw std::invalid_argument("an exponential histogram whose buckets overflow");
      buckets += n;
    }
  }
  if (buckets != h.count) throw std::invalid_argument("an exponential histogram whose buckets do not add up to its count");
  // The offsets and extents must stay indices at Prometheus's schema once lowered.
  for (const auto* side : {&h.positive, &h.negative}) {
    if (side->counts.size() > (1u << 20) || std::abs(static_cast<std::int64_t>(side->offset)) > (1 << 30)) {
      throw std::invalid_argument("an exponential histogram with buckets beyond any double");
    }
  }
  lower(h, collector::kMaxExponentialSchema);
  return h;
}

}  // namespace

collector::ExponentialPoint ExponentialIncrement::point() const {
  collector::ExponentialPoint p;
  p.schema = scale;
  p.zero_threshold = zero_threshold;
  p.zero_count = zero_count;
  p.positive_offset = positive.offset + 1;  // Prometheus's index is OTLP's + 1
  p.positive_counts = positive.counts;
  p.negative_offset = negative.offset + 1;
  p.negative_counts = negative.counts;
  p.sum = sum;
  p.count = count;
  return p;
}

ExponentialPoints::ExponentialPoints(std::size_t max_streams)
    : max_streams_(max_streams == 0 ? 1 : max_streams), seen_deltas_(max_streams_) {}

std::optional<ExponentialIncrement> ExponentialPoints::increment(std::uint64_t stream, Temporality temporality,
                                                                 const metrics::ExponentialHistogramDataPoint& p) {
  ExponentialIncrement now = read(p);
  if (temporality == Temporality::kDelta) {
    const std::uint64_t key = stream ^ (p.start_time_unix_nano() * 0x9E3779B97F4A7C15ULL) ^
                              ((p.time_unix_nano() + 0x632BE59BD9B4E019ULL) * 0xC2B2AE3D27D4EB4FULL);
    if (!seen_deltas_.first_time(key) || now.count == 0) return std::nullopt;
    return now;
  }
  std::lock_guard lock(mutex_);
  auto it = last_.find(stream);
  if (it == last_.end()) {
    if (last_.size() >= max_streams_) {
      last_.erase(last_.begin());
      ++forgotten_;
    }
    last_.emplace(stream, Last{p.start_time_unix_nano(), p.time_unix_nano(), now});
    if (now.count == 0) return std::nullopt;
    return now;
  }
  Last& last = it->second;
  if (p.start_time_unix_nano() == last.start_ns && p.time_unix_nano() <= last.time_ns) return std::nullopt;  // seen before
  ExponentialIncrement before = last.totals;
  ExponentialIncrement delta = now;
  const int scale = std::min(before.scale, delta.scale);
  lower(before, scale);
  lower(delta, scale);
  const bool same_run = p.start_time_unix_nano() == last.start_ns && delta.count >= before.count && delta.zero_count >= before.zero_count &&
                        subtract(delta.positive, before.positive) && subtract(delta.negative, before.negative);
  last = Last{p.start_time_unix_nano(), p.time_unix_nano(), now};
  if (!same_run) return now.count == 0 ? std::nullopt : std::optional<ExponentialIncrement>(now);  // a restart counts whole
  delta.zero_count -= before.zero_count;
  delta.count -= before.count;
  delta.sum -= before.sum;
  if (delta.count == 0) return std::nullopt;
  return delta;
}

std::size_t ExponentialPoints::forgotten() const {
  std::lock_guard lock(mutex_);
  return forgotten_ + seen_deltas_.forgotten();
}

}  // namespace agentmetrics::intake
