// The protobuf exposition, read back with protobuf's own parser and Prometheus's metrics.proto:
// the same families, series and values as the text format, and native histograms whose spans
// and deltas decode to the buckets the collector counted.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "collector/expose/scrape.h"
#include "collector/expose/self_metrics.h"
#include "ipc/catalogue.h"
#include "tests/support/aggregates.h"
#include "tests/support/metrics_text.h"
#include "tests/support/scrape_formats.h"

using namespace agentmetrics;
using namespace agentmetrics::collector;
namespace pb = io::prometheus::client;

namespace {

std::map<std::string, std::string> labels_of(const pb::Metric& m) {
  std::map<std::string, std::string> out;
  for (const auto& l : m.label()) out[l.name()] = l.value();
  return out;
}

// Spans and deltas back to index -> count.
std::map<std::int32_t, std::int64_t> decode(const google::protobuf::RepeatedPtrField<pb::BucketSpan>& spans,
                                            const google::protobuf::RepeatedField<std::int64_t>& deltas) {
  std::map<std::int32_t, std::int64_t> out;
  std::int32_t index = 0;
  std::int64_t count = 0;
  int d = 0;
  for (const auto& span : spans) {
    index += span.offset();
    for (std::uint32_t k = 0; k < span.length(); ++k, ++index) {
      count += deltas.Get(d++);
      if (count != 0) out[index] = count;
    }
  }
  EXPECT_EQ(d, deltas.size());
  return out;
}

}  // namespace

TEST(ProtobufExposition, CarriesWhatTheTextFormatCarries) {
  FamilyRegistry registry;
  const auto decls = ipc::catalogue_families("opencode");
  const auto* tasks = agentmetrics::testing::must_register(registry, decls[static_cast<std::size_t>(ipc::CatalogueFamily::kTaskTotal)]);
  const auto* pipeline =
      agentmetrics::testing::must_register(registry, decls[static_cast<std::size_t>(ipc::CatalogueFamily::kPipelineDuration)]);
  agentmetrics::testing::HeldSeries held(registry);
  Shard shard;
  shard.begin_batch();
  shard.apply(*held(shard, *tasks, {"build", "fe\"ature\n", "true"}), agentmetrics::testing::record_of(ipc::Op::kCounterAdd, 3));
  SeriesAggregate* p = held(shard, *pipeline, {"test", "false"});
  for (double v : {5.0, 45.0, 500.0}) shard.apply(*p, agentmetrics::testing::record_of(ipc::Op::kHistogramObserve, v));
  SelfMetrics self;
  const OwnFamilies own = [&](const FamilySink& sink) {
    for (const auto& f : self.registry().Collect()) sink(f);
  };

  const auto families = agentmetrics::testing::parse_protobuf(render_scrape(registry, ScrapeFormat::kProtobuf, own));
  const auto text = agentmetrics::testing::parse_samples(render_scrape(registry, ScrapeFormat::kText, own));
  // Every sample, the collector's own (prometheus-cpp's families) included, with its value.
  EXPECT_EQ(agentmetrics::testing::protobuf_samples(families), agentmetrics::testing::normalized(text));
  std::map<std::string, const pb::MetricFamily*> by_name;
  for (const auto& f : families) by_name[f.name()] = &f;
  ASSERT_TRUE(by_name.count("opencode_task_total"));
  ASSERT_TRUE(by_name.count("agentmetrics_events_drained_total")) << "the collector's own families too";
  EXPECT_TRUE(by_name.count("opencode_lint_errors_total") == 0) << "only the families registered here";

  const pb::MetricFamily& t = *by_name["opencode_task_total"];
  EXPECT_EQ(t.type(), pb::COUNTER);
  EXPECT_EQ(t.help(), "Total tasks executed");
  ASSERT_EQ(t.metric_size(), 1);
  EXPECT_EQ(labels_of(t.metric(0)),
            (std::map<std::string, std::string>{{"agent_type", "build"}, {"task_type", "fe\"ature\n"}, {"success", "true"}}))
      << "label values unescaped";
  EXPECT_EQ(t.metric(0).counter().value(), 3);

  const pb::MetricFamily& h = *by_name["opencode_pipeline_duration_seconds"];
  EXPECT_EQ(h.type(), pb::HISTOGRAM);
  ASSERT_EQ(h.metric_size(), 1);
  const pb::Histogram& hist = h.metric(0).histogram();
  EXPECT_EQ(hist.sample_count(), 3u);
  EXPECT_EQ(hist.sample_sum(), 550);
  EXPECT_FALSE(hist.has_schema()) << "no native buckets unless configured";
  ASSERT_EQ(hist.bucket_size(), 5);
  for (int b = 0; b < hist.bucket_size(); ++b) {
    const double bound = hist.bucket(b).upper_bound();
    char le[32];
    std::snprintf(le, sizeof(le), "%g", bound);
    const auto key = "opencode_pipeline_duration_seconds_bucket{stage=\"test\",success=\"false\",le=\"" + std::string(le) + "\"}";
    ASSERT_TRUE(text.count(key)) << key;
    EXPECT_EQ(static_cast<double>(hist.bucket(b).cumulative_count()), text.at(key)) << key;
  }
}

TEST(ProtobufExposition, NativeHistogramsDecodeToTheCountedBuckets) {
  const std::string name = "job_seconds";
  FamilyRegistry registry(SeriesBounds{}, {{name, NativeHistogramSettings{.schema = 1, .zero_threshold = 0.01, .classic = false}}});
  ipc::FamilyDecl decl;
  decl.type = ipc::MetricType::kHistogram;
  decl.name = name;
  decl.help = "jobs";
  decl.buckets = {1, 10};
  const auto* family = agentmetrics::testing::must_register(registry, decl);
  agentmetrics::testing::HeldSeries held(registry);
  Shard shard;
  SeriesAggregate* s = held(shard, *family, {});
  shard.begin_batch();
  // Buckets far apart (two spans), near each other (a gap of one inside a span), negative, zero.
  const std::vector<double> values = {1.1, 1.2, 1.9, 3, 1000, 1000, -2, 0.001, 0};
  for (double v : values) shard.apply(*s, agentmetrics::testing::record_of(ipc::Op::kHistogramObserve, v));

  const auto families = agentmetrics::testing::parse_protobuf(render_scrape(registry, ScrapeFormat::kProtobuf));
  ASSERT_EQ(families.size(), 1u);
  ASSERT_EQ(families[0].metric_size(), 1);
  const pb::Histogram& h = families[0].metric(0).histogram();
  EXPECT_EQ(h.schema(), 1);
  EXPECT_EQ(h.zero_threshold(), 0.01);
  EXPECT_EQ(h.zero_count(), 2u);
  EXPECT_EQ(h.sample_count(), values.size());
  EXPECT_EQ(h.bucket_size(), 0) << "classic buckets off";
  std::map<std::int32_t, std::int64_t> expected;
  for (double v : values) {
    if (v > 0.01) ++expected[exponential_bucket_index(v, 1)];
  }
  EXPECT_EQ(decode(h.positive_span(), h.positive_delta()), expected);
  EXPECT_EQ(decode(h.negative_span(), h.negative_delta()), (std::map<std::int32_t, std::int64_t>{{exponential_bucket_index(2, 1), 1}}));
  EXPECT_GE(h.positive_span_size(), 2) << "1000 is far from the rest: a span of its own";

  // Without classic buckets, the text formats still carry the count, the sum and +Inf.
  const auto text = agentmetrics::testing::parse_samples(render_scrape(registry, ScrapeFormat::kText));
  EXPECT_EQ(text.at("job_seconds_count"), static_cast<double>(values.size()));
  EXPECT_EQ(text.at("job_seconds_bucket{le=\"+Inf\"}"), static_cast<double>(values.size()));
  EXPECT_EQ(text.count("job_seconds_bucket{le=\"1\"}"), 0u);
}

TEST(ProtobufExposition, AnEmptyNativeHistogramIsStillNative) {
  const std::string name = "idle_seconds";
  FamilyRegistry registry(SeriesBounds{}, {{name, NativeHistogramSettings{.zero_threshold = 0}}});
  ipc::FamilyDecl decl;
  decl.type = ipc::MetricType::kHistogram;
  decl.name = name;
  decl.help = "idle";
  decl.buckets = {1};
  const auto* family = agentmetrics::testing::must_register(registry, decl);
  agentmetrics::testing::HeldSeries held(registry);
  Shard shard;
  held(shard, *family, {});
  const auto families = agentmetrics::testing::parse_protobuf(render_scrape(registry, ScrapeFormat::kProtobuf));
  ASSERT_EQ(families.size(), 1u);
  const pb::Histogram& h = families[0].metric(0).histogram();
  // Prometheus takes a histogram as native when it has a span or a zero threshold above 0.
  ASSERT_EQ(h.positive_span_size(), 1);
  EXPECT_EQ(h.positive_span(0).length(), 0u);
}

TEST(ProtobufExposition, AFamilyLargerThanAChunkIsSentInPiecesThatDecodeWhole) {
  // 5000 histogram series encode to about a megabyte: the family's message goes out in pieces no
  // larger than a chunk and a piece, and the pieces read back as the whole family.
  FamilyRegistry registry;
  agentmetrics::testing::HeldSeries held(registry);
  Shard shard;
  constexpr int kSeries = 5000;
  agentmetrics::testing::observe_stages(registry, held, shard, kSeries, [](int i) { return static_cast<double>(i); });
  BufferPool buffers;
  std::string body;
  std::size_t largest = 0, pieces = 0;
  constexpr std::size_t kChunk = 16 * 1024;
  write_scrape(registry, nullptr, ScrapeOptions{.format = ScrapeFormat::kProtobuf, .gzip = false, .chunk_bytes = kChunk}, buffers,
               [&](std::string_view piece) {
                 body += piece;
                 largest = std::max(largest, piece.size());
                 ++pieces;
                 return true;
               });
  EXPECT_GT(body.size(), 500'000U);
  EXPECT_GT(pieces, body.size() / (kChunk + 64 * 1024));
  EXPECT_LE(largest, kChunk + 64 * 1024) << "a piece of the family's message, not the whole of it";
  const auto families = agentmetrics::testing::parse_protobuf(body);
  ASSERT_EQ(families.size(), 1U);
  ASSERT_EQ(families[0].metric_size(), kSeries);
  EXPECT_EQ(families[0].metric(kSeries - 1).histogram().sample_sum(), kSeries - 1);
  EXPECT_EQ(labels_of(families[0].metric(7)).at("stage"), "stage_7");
}
