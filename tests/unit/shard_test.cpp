// The shard's promise: a scrape reads it while its drain thread writes, without a lock, and
// always sees a consistent view: a histogram's _count equals its +Inf bucket, and a counter
// never goes backwards between two reads. Run under TSan in the suite.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/support/aggregates.h"
#include "ipc/catalogue.h"
#include "collector/expose/merge_shards.h"
#include "collector/expose/prometheus_text.h"
#include "tests/support/metrics_text.h"
#include "collector/aggregate/shard.h"

using namespace agentmetrics;
using namespace agentmetrics::collector;

namespace {

using agentmetrics::testing::must_register;
ipc::Record rec(ipc::Op op, double v) { return agentmetrics::testing::record_of(op, v); }

}  // namespace

TEST(Shard, ScrapesDuringTheDrainSeeMonotonicCountersAndWholeHistograms) {
  FamilyRegistry registry;
  const auto decls = ipc::catalogue_families("opencode");
  const auto* tasks = must_register(registry, decls[static_cast<std::size_t>(ipc::CatalogueFamily::kTaskTotal)]);
  const auto* duration = must_register(registry, decls[static_cast<std::size_t>(ipc::CatalogueFamily::kTaskDuration)]);
  Shard shard;
  std::atomic<bool> stop{false};
  int rounds = 0;
  std::thread drain([&] {
    // Writes until the reader has scraped enough; new series keep appearing meanwhile.
    for (; !stop.load(std::memory_order_relaxed) || rounds < 3000; ++rounds) {
      SeriesAggregate* t = shard.series(*tasks, {"a", std::to_string(rounds % 300), "true"});
      SeriesAggregate* d = shard.series(*duration, {"a", "t", "s", std::to_string(rounds % 7)});
      shard.begin_batch();
      shard.apply(*t, rec(ipc::Op::kCounterAdd, 1));
      shard.apply(*d, rec(ipc::Op::kHistogramObserve, static_cast<double>(rounds % 4000)));
    }
  });
  SelfMetrics self;
  std::map<std::string, double> last;
  for (int scrape = 0; scrape < 50; ++scrape) {
    const auto samples = agentmetrics::testing::parse_samples(render_text(collect_families(registry, {&shard}, self)));
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
  const auto final_samples = agentmetrics::testing::parse_samples(render_text(collect_families(registry, {&shard}, self)));
  double total = 0;
  for (const auto& [key, value] : final_samples) {
    if (key.starts_with("opencode_task_total{")) total += value;
  }
  EXPECT_EQ(total, rounds);
  EXPECT_EQ(shard.size(), 300u + 7u);
}

TEST(Shard, SeriesAreCreatedOncePerLabelSet) {
  FamilyRegistry registry;
  const auto decls = ipc::catalogue_families("opencode");
  const auto* tasks = must_register(registry, decls[static_cast<std::size_t>(ipc::CatalogueFamily::kTaskTotal)]);
  Shard shard;
  SeriesAggregate* a = shard.series(*tasks, {"a", "b", "true"});
  EXPECT_EQ(shard.series(*tasks, {"a", "b", "true"}), a);
  // Values that would collide if simply joined stay apart.
  EXPECT_NE(shard.series(*tasks, {"a\x1f"
                                  "b",
                                  "", "true"}),
            shard.series(*tasks, {"a",
                                  "\x1f"
                                  "b",
                                  "true"}));
  EXPECT_EQ(shard.size(), 3u);
}
