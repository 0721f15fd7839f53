// The shard's promise: a scrape reads it while its drain thread writes, without a lock, and
// always sees a consistent view: a histogram's _count equals its +Inf bucket, and a counter
// never goes backwards between two reads. Run under TSan in the suite.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "collector/aggregate/shard.h"
#include "collector/expose/scrape.h"
#include "ipc/catalogue.h"
#include "tests/support/aggregates.h"
#include "tests/support/metrics_text.h"

using namespace agentmetrics;
using namespace agentmetrics::collector;

namespace {

using agentmetrics::testing::HeldSeries;
using agentmetrics::testing::must_register;
ipc::Record rec(ipc::Op op, double v) { return agentmetrics::testing::record_of(op, v); }

}  // namespace

TEST(Shard, ScrapesDuringTheDrainSeeMonotonicCountersAndWholeHistograms) {
  FamilyRegistry registry;
  const auto decls = ipc::catalogue_families("opencode");
  const auto* tasks = must_register(registry, decls[static_cast<std::size_t>(ipc::CatalogueFamily::kTaskTotal)]);
  const auto* duration = must_register(registry, decls[static_cast<std::size_t>(ipc::CatalogueFamily::kTaskDuration)]);
  HeldSeries held(registry);
  Shard shard;
  std::atomic<bool> stop{false};
  int rounds = 0;
  std::thread drain([&] {
    // Writes until the reader has scraped enough; new series keep appearing meanwhile.
    for (; !stop.load(std::memory_order_relaxed) || rounds < 3000; ++rounds) {
      SeriesAggregate* t = held(shard, *tasks, {"a", std::to_string(rounds % 300), "true"});
      SeriesAggregate* d = held(shard, *duration, {"a", "t", "s", std::to_string(rounds % 7)});
      shard.begin_batch();
      shard.apply(*t, rec(ipc::Op::kCounterAdd, 1));
      shard.apply(*d, rec(ipc::Op::kHistogramObserve, static_cast<double>(rounds % 4000)));
    }
  });
  std::map<std::string, double> last;
  for (int scrape = 0; scrape < 50; ++scrape) {
    const auto samples = agentmetrics::testing::parse_samples(render_scrape(registry, ScrapeFormat::kText));
    for (const auto& [key, value] : samples) {
      if (key.starts_with("opencode_task_total{")) {
        EXPECT_GE(value, last[key]) << key << " went backwards";
        last[key] = value;
      }
      if (key.starts_with("opencode_task_duration_seconds_count{")) {
        const std::string labels = key.substr(key.find('{') + 1, key.size() - key.find('{') - 2);
        const auto inf = samples.find("opencode_task_duration_seconds_bucket{" + labels + ",le=\"+Inf\"}");
        ASSERT_NE(inf, samples.end()) << key;
        EXPECT_EQ(inf->second, value) << key;
      }
    }
  }
  stop.store(true, std::memory_order_relaxed);
  drain.join();
  const auto final_samples = agentmetrics::testing::parse_samples(render_scrape(registry, ScrapeFormat::kText));
  double total = 0;
  for (const auto& [key, value] : final_samples) {
    if (key.starts_with("opencode_task_total{")) total += value;
  }
  EXPECT_EQ(total, rounds);
  EXPECT_EQ(agentmetrics::testing::series_in(registry), 300u + 7u);
}

TEST(Shard, SeriesAreCreatedOncePerLabelSet) {
  FamilyRegistry registry;
  const auto decls = ipc::catalogue_families("opencode");
  const auto* tasks = must_register(registry, decls[static_cast<std::size_t>(ipc::CatalogueFamily::kTaskTotal)]);
  HeldSeries held(registry);
  Shard shard;
  SeriesAggregate* a = held(shard, *tasks, {"a", "b", "true"});
  EXPECT_EQ(held(shard, *tasks, {"a", "b", "true"}), a);
  // Values that would be one label text if simply joined stay apart: the text is escaped.
  EXPECT_NE(held(shard, *tasks, {"a\",task_type=\"b", "", "true"}), held(shard, *tasks, {"a", "\",task_type=\"b", "true"}));
  EXPECT_EQ(agentmetrics::testing::series_in(registry), 3u);
}

TEST(Shard, EachShardKeepsItsOwnAggregateOfASeriesAndAScrapeMergesThem) {
  FamilyRegistry registry;
  const auto decls = ipc::catalogue_families("opencode");
  const auto* tasks = must_register(registry, decls[static_cast<std::size_t>(ipc::CatalogueFamily::kTaskTotal)]);
  const auto* coverage = must_register(registry, decls[static_cast<std::size_t>(ipc::CatalogueFamily::kCodeCoverage)]);
  HeldSeries held(registry);
  Shard a, b;
  // Two drain threads meet the same series at the same time: each gets an aggregate of its own.
  SeriesAggregate* from_a = nullptr;
  SeriesAggregate* from_b = nullptr;
  std::thread ta([&] { from_a = held(a, *tasks, {"x", "y", "true"}); });
  ta.join();
  std::thread tb([&] { from_b = held(b, *tasks, {"x", "y", "true"}); });
  tb.join();
  ASSERT_NE(from_a, from_b);
  EXPECT_EQ(held(a, *tasks, {"x", "y", "true"}), from_a);
  a.begin_batch();
  a.apply(*from_a, rec(ipc::Op::kCounterAdd, 2));
  b.begin_batch();
  b.apply(*from_b, rec(ipc::Op::kCounterAdd, 3));
  EXPECT_EQ(agentmetrics::testing::series_value(registry, "opencode_task_total", {"x", "y", "true"}), 5);
  // A gauge shows the value written last, whichever shard wrote it.
  SeriesAggregate* ga = held(a, *coverage, {});
  SeriesAggregate* gb = held(b, *coverage, {});
  b.begin_batch();
  b.apply(*gb, rec(ipc::Op::kGaugeSet, 70));
  a.begin_batch();
  a.apply(*ga, rec(ipc::Op::kGaugeSet, 81.5));
  EXPECT_EQ(agentmetrics::testing::series_value(registry, "opencode_code_coverage_percent"), 81.5);
}
