// Native histograms kept by the collector: Prometheus's bucket convention, the bucket limit, and
// the seam through which exponential buckets from elsewhere (OTLP) land in the same buckets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "collector/aggregate/exponential_histogram.h"
#include "collector/aggregate/shard.h"
#include "ipc/catalogue.h"
#include "tests/support/aggregates.h"

using namespace agentmetrics;
using namespace agentmetrics::collector;

namespace {

ExponentialBuckets snapshot(const ExponentialHistogram& h, const NativeHistogramSettings& settings) {
  ExponentialBuckets out;
  out.clear(settings.schema, settings.zero_threshold);
  h.read_into(out);
  return out;
}

std::uint64_t at(const std::vector<std::uint64_t>& counts, std::int32_t first, std::int32_t index) {
  if (index < first || index >= first + static_cast<std::int32_t>(counts.size())) return 0;
  return counts[static_cast<std::size_t>(index - first)];
}

}  // namespace

TEST(ExponentialBuckets, FollowPrometheusConvention) {
  // Schema 0: bucket i is (2^(i-1), 2^i], so a power of two is the top of its bucket.
  EXPECT_EQ(exponential_bucket_index(1, 0), 0);
  EXPECT_EQ(exponential_bucket_index(1.5, 0), 1);
  EXPECT_EQ(exponential_bucket_index(2, 0), 1);
  EXPECT_EQ(exponential_bucket_index(2.0001, 0), 2);
  EXPECT_EQ(exponential_bucket_index(0.5, 0), -1);
  EXPECT_EQ(exponential_bucket_index(0.75, 0), 0);
  // Schema -1: four times as wide.
  EXPECT_EQ(exponential_bucket_index(4, -1), 1);
  EXPECT_EQ(exponential_bucket_index(5, -1), 2);
  // Schema 3: eight buckets per power of two; 2^(1/8) = 1.0905.
  EXPECT_EQ(exponential_bucket_index(1.09, 3), 1);
  EXPECT_EQ(exponential_bucket_index(1.091, 3), 2);
  EXPECT_EQ(exponential_bucket_index(2, 3), 8);
  EXPECT_DOUBLE_EQ(exponential_bucket_upper_bound(8, 3), 2);
  EXPECT_DOUBLE_EQ(exponential_bucket_upper_bound(-8, 3), 0.5);
  // Every value lies in its bucket, at every schema.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exponent(-40, 40);
  for (int schema = kMinExponentialSchema; schema <= kMaxExponentialSchema; ++schema) {
    for (int i = 0; i < 2000; ++i) {
      const double v = std::exp2(exponent(rng));
      const std::int32_t index = exponential_bucket_index(v, schema);
      ASSERT_LE(v, exponential_bucket_upper_bound(index, schema)) << v << " schema " << schema;
      ASSERT_GT(v, exponential_bucket_upper_bound(index - 1, schema)) << v << " schema " << schema;
      // A coarser schema's bucket is the one that holds the finer one.
      if (schema > kMinExponentialSchema) {
        ASSERT_EQ(exponential_bucket_index(v, schema - 1), ((index - 1) >> 1) + 1);
      }
    }
  }
}

TEST(ExponentialHistogram, CountsEveryObservationInItsBucket) {
  EpochReclaimer reclaimer;
  const NativeHistogramSettings settings{.schema = 2, .max_buckets = 160, .zero_threshold = 0.001};
  ExponentialHistogram h(settings, reclaimer);
  for (double v : {1.0, 1.0, 3.0, -3.0, 0.0, 0.0005, -0.0005, 100.0}) h.observe(v);
  const ExponentialBuckets b = snapshot(h, settings);
  EXPECT_EQ(b.schema, 2);
  EXPECT_EQ(b.zero_count, 3u);
  EXPECT_EQ(at(b.positive, b.positive_first, exponential_bucket_index(1, 2)), 2u);
  EXPECT_EQ(at(b.positive, b.positive_first, exponential_bucket_index(3, 2)), 1u);
  EXPECT_EQ(at(b.positive, b.positive_first, exponential_bucket_index(100, 2)), 1u);
  EXPECT_EQ(at(b.negative, b.negative_first, exponential_bucket_index(3, 2)), 1u);
  EXPECT_EQ(b.count(), 8u);
  reclaimer.reclaim();
}

TEST(ExponentialHistogram, LowersItsSchemaToStayWithinTheBucketLimit) {
  EpochReclaimer reclaimer;
  const NativeHistogramSettings settings{.schema = 8, .max_buckets = 20};
  ExponentialHistogram h(settings, reclaimer);
  std::uint64_t n = 0;
  for (double v = 1e-6; v < 1e6; v *= 1.01, ++n) h.observe(v);
  const ExponentialBuckets b = snapshot(h, settings);
  EXPECT_LT(b.schema, 8);
  EXPECT_LE(b.positive.size(), 20u);
  EXPECT_EQ(b.count(), n) << "lowering the schema merges buckets, it loses nothing";
  reclaimer.reclaim();
  EXPECT_EQ(reclaimer.pending(), 0u);
}

TEST(ExponentialHistogram, QuantilesFromItsBucketsAreWithinTheSchemasError) {
  EpochReclaimer reclaimer;
  const NativeHistogramSettings settings{.schema = 3};
  ExponentialHistogram h(settings, reclaimer);
  std::mt19937_64 rng(11);
  std::lognormal_distribution<double> latency(0, 1.5);
  std::vector<double> values(20000);
  for (auto& v : values) h.observe(v = latency(rng));
  std::sort(values.begin(), values.end());
  const ExponentialBuckets b = snapshot(h, settings);
  const double growth = std::exp2(std::exp2(-b.schema));
  for (double q : {0.5, 0.9, 0.99}) {
    // The bucket that holds the q-th observation: its bounds bracket the true quantile.
    const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(values.size())));
    std::uint64_t seen = 0;
    std::int32_t index = b.positive_first;
    for (std::size_t k = 0; k < b.positive.size() && seen < rank; ++k) {
      seen += b.positive[k];
      index = b.positive_first + static_cast<std::int32_t>(k);
    }
    const double truth = values[rank - 1];
    const double upper = exponential_bucket_upper_bound(index, b.schema);
    EXPECT_LE(truth, upper) << q;
    EXPECT_GE(truth * growth, upper) << q;
  }
}

// The seam for the OTLP receiver: an exponential histogram data point at any scale lands in the
// series' buckets, lowered to the coarser of the two schemas, and in its classic buckets.
TEST(ExponentialHistogram, PointsFromElsewhereLandInTheSameBuckets) {
  FamilyRegistry registry(SeriesBounds{}, {{"opencode_task_duration_seconds", NativeHistogramSettings{.schema = 2}}});
  const auto decls = ipc::catalogue_families("opencode");
  const auto* duration =
      agentmetrics::testing::must_register(registry, decls[static_cast<std::size_t>(ipc::CatalogueFamily::kTaskDuration)]);
  agentmetrics::testing::HeldSeries held(registry);
  Shard intake;  // the receiver's own shard: one writer thread
  SeriesAggregate* series = held(intake, *duration, {"build", "feature", "implement", "true"});
  intake.begin_batch();
  intake.apply(*series, agentmetrics::testing::record_of(ipc::Op::kHistogramObserve, 100));  // a drained observation too
  // OTLP scale 4 buckets at OTLP offset 95, i.e. Prometheus index 96 onwards: (2^(95/16), 2^(96/16)] = (61.0, 64].
  const std::vector<std::uint64_t> positive = {2, 0, 3};
  ExponentialPoint point;
  point.schema = 4;
  point.zero_threshold = 0;
  point.zero_count = 1;
  point.positive_offset = 95 + 1;
  point.positive_counts = positive;
  point.sum = 2 * 63.0 + 3 * 67.0;
  point.count = 6;
  ASSERT_EQ(intake.add_exponential(*series, point), ApplyResult::kApplied);
  const bool found = agentmetrics::testing::visit_series(
      registry, duration->decl.name, {"build", "feature", "implement", "true"}, [&](const MergedSeries& s) {
        ASSERT_NE(s.native, nullptr);
        const ExponentialBuckets& b = *s.native;
        EXPECT_EQ(b.schema, 2);
        EXPECT_EQ(b.zero_count, 1u);
        // Scale 4 index 96 is (61, 64]: at schema 2, index 24.
        EXPECT_EQ(at(b.positive, b.positive_first, 24), 2u);
        EXPECT_EQ(at(b.positive, b.positive_first, 25), 3u);
        EXPECT_EQ(at(b.positive, b.positive_first, exponential_bucket_index(100, 2)), 1u);
        EXPECT_EQ(b.count(), 7u);
        // Classic buckets 60, 300, ...: the point by its buckets' upper bounds.
        EXPECT_EQ(s.buckets[0], 1u);  // the zero bucket
        EXPECT_EQ(s.buckets[1], 6u);  // 2 + 3, and the observed 100
        EXPECT_EQ(s.count, 7u);
        EXPECT_DOUBLE_EQ(s.sum, 100 + point.sum);
      });
  EXPECT_TRUE(found);
}
