// OTLP exponential histogram points as increments: a delta point counts once however often it is
// sent; a cumulative one counts its difference with the stream's last point, bucket by bucket,
// also when the SDK lowered its scale in between; a restart counts whole; a point that cannot be
// read is refused with a reason. Scales finer than Prometheus's finest are lowered to it.
#include "collector/intake/otlp/exponential_points.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <vector>

namespace agentmetrics::intake {
namespace {

namespace metrics = opentelemetry::proto::metrics::v1;

metrics::ExponentialHistogramDataPoint point(int scale, std::int32_t offset, const std::vector<std::uint64_t>& counts, double sum,
                                             std::uint64_t start = 1, std::uint64_t time = 2) {
  metrics::ExponentialHistogramDataPoint p;
  p.set_scale(scale);
  p.set_start_time_unix_nano(start);
  p.set_time_unix_nano(time);
  p.mutable_positive()->set_offset(offset);
  std::uint64_t count = 0;
  for (const auto n : counts) {
    p.mutable_positive()->add_bucket_counts(n);
    count += n;
  }
  p.set_count(count);
  p.set_sum(sum);
  return p;
}

// OTLP index -> count.
std::map<std::int32_t, std::uint64_t> buckets(const ExponentialIncrement& i) {
  std::map<std::int32_t, std::uint64_t> out;
  for (std::size_t k = 0; k < i.positive.counts.size(); ++k) {
    if (i.positive.counts[k] != 0) out[i.positive.offset + static_cast<std::int32_t>(k)] = i.positive.counts[k];
  }
  return out;
}

TEST(ExponentialPoints, ADeltaPointCountsOnceAndInPrometheusIndices) {
  ExponentialPoints points(100);
  const auto p = point(3, 10, {1, 0, 2}, 7.5);
  const auto first = points.increment(1, Temporality::kDelta, p);
  ASSERT_TRUE(first);
  EXPECT_EQ(buckets(*first), (std::map<std::int32_t, std::uint64_t>{{10, 1}, {12, 2}}));
  EXPECT_EQ(first->count, 3U);
  const collector::ExponentialPoint seen = first->point();
  EXPECT_EQ(seen.schema, 3);
  EXPECT_EQ(seen.positive_offset, 11) << "Prometheus's bucket i is OTLP's i - 1";
  EXPECT_FALSE(points.increment(1, Temporality::kDelta, p)) << "the same point, sent again";
  EXPECT_TRUE(points.increment(2, Temporality::kDelta, p)) << "another stream";
}

TEST(ExponentialPoints, ACumulativePointCountsItsDifferenceAlsoAcrossAScaleChange) {
  ExponentialPoints points(100);
  ASSERT_TRUE(points.increment(1, Temporality::kCumulative, point(3, 10, {1, 1}, 2, 1, 2)));
  // The SDK lowered its scale to 2: buckets 10 and 11 at scale 3 are bucket 5 at scale 2.
  const auto next = points.increment(1, Temporality::kCumulative, point(2, 5, {3, 4}, 9, 1, 3));
  ASSERT_TRUE(next);
  EXPECT_EQ(next->scale, 2);
  EXPECT_EQ(buckets(*next), (std::map<std::int32_t, std::uint64_t>{{5, 1}, {6, 4}}));
  EXPECT_EQ(next->count, 5U);
  EXPECT_DOUBLE_EQ(next->sum, 7);
  EXPECT_FALSE(points.increment(1, Temporality::kCumulative, point(2, 5, {3, 4}, 9, 1, 3))) << "seen before";
  // A new start time: the stream restarted, and its point counts whole.
  const auto restarted = points.increment(1, Temporality::kCumulative, point(2, 5, {1}, 1, 5, 6));
  ASSERT_TRUE(restarted);
  EXPECT_EQ(restarted->count, 1U);
  // Fewer in a bucket than before: a restart too.
  const auto fewer = points.increment(1, Temporality::kCumulative, point(2, 6, {2}, 3, 5, 7));
  ASSERT_TRUE(fewer);
  EXPECT_EQ(buckets(*fewer), (std::map<std::int32_t, std::uint64_t>{{6, 2}}));
}

TEST(ExponentialPoints, ScalesFinerThanPrometheussAreLowered) {
  ExponentialPoints points(100);
  // Scale 10 buckets 1024..1027 are bucket 256 at scale 8 (four to one).
  const auto i = points.increment(1, Temporality::kDelta, point(10, 1024, {1, 2, 3, 4}, 10));
  ASSERT_TRUE(i);
  EXPECT_EQ(i->scale, 8);
  EXPECT_EQ(buckets(*i), (std::map<std::int32_t, std::uint64_t>{{256, 10}}));
}

TEST(ExponentialPoints, PointsThatCannotBeReadAreRefused) {
  ExponentialPoints points(100);
  EXPECT_THROW(points.increment(1, Temporality::kDelta, point(-5, 0, {1}, 1)), std::invalid_argument);
  EXPECT_THROW(points.increment(1, Temporality::kDelta, point(21, 0, {1}, 1)), std::invalid_argument);
  auto bad_count = point(3, 0, {1, 2}, 1);
  bad_count.set_count(4);
  EXPECT_THROW(points.increment(1, Temporality::kDelta, bad_count), std::invalid_argument);
  EXPECT_THROW(points.increment(1, Temporality::kDelta, point(3, 0, {1}, std::nan(""))), std::invalid_argument);
  auto overflow = point(3, 0, {UINT64_MAX}, 1);
  overflow.mutable_positive()->add_bucket_counts(2);
  EXPECT_THROW(points.increment(1, Temporality::kDelta, overflow), std::invalid_argument);
}

TEST(ExponentialPoints, CumulativeStreamsAreBounded) {
  ExponentialPoints points(2);
  for (std::uint64_t stream = 1; stream <= 3; ++stream)
    ASSERT_TRUE(points.increment(stream, Temporality::kCumulative, point(3, 0, {1}, 1)));
  EXPECT_EQ(points.forgotten(), 1U);
}

}  // namespace
}  // namespace agentmetrics::intake
