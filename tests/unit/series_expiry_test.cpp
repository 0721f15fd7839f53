// Series of producers that are gone: kept, with their last values, for the staleness time, then
// removed and their memory freed once no scrape can still see them; scrapes go on meanwhile
// without a lock. The threaded test runs under TSan and ASan in the suite.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <optional>
#include <regex>
#include <thread>

#include "collector/aggregate/epoch_reclaimer.h"
#include "collector/expose/scrape.h"
#include "tests/support/aggregates.h"
#include "tests/support/metrics_text.h"

using namespace agentmetrics;
using namespace agentmetrics::collector;
using namespace std::chrono_literals;

namespace {

using agentmetrics::testing::must_register;
using agentmetrics::testing::series_value;
using Clock = std::chrono::steady_clock;

ipc::FamilyDecl counter_family() {
  ipc::FamilyDecl decl;
  decl.type = ipc::MetricType::kCounter;
  decl.name = "jobs_total";
  decl.help = "jobs";
  decl.label_names = {"job"};
  return decl;
}

void add(Shard& shard, SeriesAggregate& series, double value) {
  shard.begin_batch();
  shard.apply(series, agentmetrics::testing::record_of(ipc::Op::kCounterAdd, value));
}

}  // namespace

TEST(SeriesExpiry, AReleasedSeriesKeepsItsLastValueForTheStalenessTimeThenGoes) {
  FamilyRegistry registry(SeriesBounds{.staleness = 60s});
  const auto* family = must_register(registry, counter_family());
  Shard shard;
  {
    Admission a = registry.acquire_series(*family, {"a"});
    add(shard, *shard.aggregate(*a.series), 7);
    EXPECT_EQ(registry.expire(Clock::now() + 3600s), 0u) << "a held series never expires";
  }  // the producer is gone
  EXPECT_EQ(registry.expire(Clock::now() + 30s), 0u);
  EXPECT_EQ(series_value(registry, "jobs_total", {"a"}), 7) << "its last value is still scraped";
  EXPECT_EQ(registry.series_count(), 1u);
  EXPECT_EQ(registry.expire(Clock::now() + 61s), 1u);
  EXPECT_EQ(series_value(registry, "jobs_total", {"a"}), -1);
  EXPECT_EQ(registry.series_count(), 0u);
  EXPECT_EQ(registry.label_bytes(), 0u);
  EXPECT_EQ(registry.reclaimer().pending(), 0u) << "no scrape was reading: freed at once";
}

TEST(SeriesExpiry, AProducerThatComesBackInTimeContinuesTheSameSeries) {
  FamilyRegistry registry(SeriesBounds{.staleness = 60s});
  const auto* family = must_register(registry, counter_family());
  Shard shard;
  { add(shard, *shard.aggregate(*registry.acquire_series(*family, {"a"}).series), 7); }
  Admission again = registry.acquire_series(*family, {"a"});
  add(shard, *shard.aggregate(*again.series), 1);
  EXPECT_EQ(registry.expire(Clock::now() + 3600s), 0u);
  EXPECT_EQ(series_value(registry, "jobs_total", {"a"}), 8) << "the counter does not jump back";
  // Released again later: the staleness time counts from the last release.
  again = Admission{};
  EXPECT_EQ(registry.expire(Clock::now() + 30s), 0u);
  EXPECT_EQ(registry.expire(Clock::now() + 61s), 1u);
}

TEST(SeriesExpiry, TheBoundsCountOnlySeriesThatAreThere) {
  FamilyRegistry registry(SeriesBounds{.series = 2, .staleness = 1s});
  const auto* family = must_register(registry, counter_family());
  for (int round = 0; round < 5; ++round) {
    Admission a = registry.acquire_series(*family, {"a" + std::to_string(round)});
    Admission b = registry.acquire_series(*family, {"b" + std::to_string(round)});
    EXPECT_EQ(a.refused, SeriesRefusal::kNone) << round;
    EXPECT_EQ(b.refused, SeriesRefusal::kNone) << round;
    EXPECT_EQ(registry.acquire_series(*family, {"c"}).refused, SeriesRefusal::kSeriesLimit) << round;
    a = Admission{};
    b = Admission{};
    EXPECT_EQ(registry.expire(Clock::now() + 2s), 3u) << round << ": its two, and the overflow series";
  }
}

TEST(EpochReclaimer, MemoryAReaderMayHoldIsFreedOnlyAfterItLeaves) {
  EpochReclaimer reclaimer;
  static std::atomic<int> freed{0};
  freed = 0;
  auto count_free = [](void*) { freed.fetch_add(1); };
  std::optional<EpochReclaimer::ReadGuard> reader;
  reader.emplace(reclaimer);
  int memory = 0;
  reclaimer.retire(&memory, count_free);
  reclaimer.reclaim();
  EXPECT_EQ(freed.load(), 0) << "the reader entered before it was retired";
  reader.reset();
  {
    const EpochReclaimer::ReadGuard later(reclaimer);  // entered after: it cannot hold it
    reclaimer.reclaim();
    EXPECT_EQ(freed.load(), 1);
  }
  EXPECT_EQ(reclaimer.pending(), 0u);
}

// Producers come and go with series of their own while scrapes read and housekeeping expires:
// every scrape sees whole series, and in the end every expired series is freed.
TEST(SeriesExpiry, ScrapesReadWhileSeriesExpireAndAreFreed) {
  FamilyRegistry registry(SeriesBounds{.staleness = 1ns});
  const auto* family = must_register(registry, counter_family());
  std::atomic<bool> stop{false};
  std::atomic<int> rounds{0};
  std::thread producer([&] {
    Shard shard;
    // Producers that come and go: the last 50 series are held, the one before goes.
    std::deque<Admission> held;
    for (int round = 0; !stop.load(std::memory_order_relaxed); ++round) {
      held.push_back(registry.acquire_series(*family, {"round" + std::to_string(round % 500)}));
      add(shard, *shard.aggregate(*held.back().series), 1);
      if (held.size() > 50) held.pop_front();
      rounds.store(round, std::memory_order_relaxed);
    }
  });
  std::thread housekeeping([&] {
    while (!stop.load(std::memory_order_relaxed)) registry.expire(Clock::now());
  });
  const std::regex whole(R"(jobs_total\{job="round[0-9]+"\})");
  std::size_t seen = 0;
  while (rounds.load(std::memory_order_relaxed) < 1000) std::this_thread::yield();
  for (int scrape = 0; scrape < 200; ++scrape) {
    const auto samples = agentmetrics::testing::parse_samples(render_scrape(registry, ScrapeFormat::kText));
    for (const auto& [key, value] : samples) {
      EXPECT_TRUE(std::regex_match(key, whole)) << key;
      EXPECT_GE(value, 0) << key;
      ++seen;
    }
  }
  EXPECT_GT(seen, 0u);
  stop.store(true);
  producer.join();
  housekeeping.join();
  registry.expire(Clock::now() + 1s);
  EXPECT_EQ(registry.series_count(), 0u);
  EXPECT_EQ(registry.reclaimer().pending(), 0u);
}
