// The families of the agents' telemetry: registered under the prefix with the allowlisted
// attributes as their last labels, written from several threads, held to the series bounds,
// and let go when the agent is quiet, so that they expire.
#include "collector/intake/otlp/agent_families.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <map>
#include <thread>

#include "collector/aggregate/series_reader.h"

namespace agentmetrics::intake {
namespace {

// "family|label text" -> value (a histogram's count), as a scrape reads them.
std::map<std::string, double> values(const collector::FamilyRegistry& registry) {
  std::map<std::string, double> out;
  collector::SeriesReader reader(registry);
  for (const auto* f : registry.families()) {
    reader.for_each(*f, [&](const collector::MergedSeries& s) {
      out[f->decl.name + "|" + std::string(s.labels)] =
          f->decl.type == ipc::MetricType::kHistogram ? static_cast<double>(s.count) : s.value;
    });
  }
  return out;
}

TEST(AgentFamilies, CountsFromManyThreadsUnderTheirNamesAndLabels) {
  collector::FamilyRegistry registry(3, 1000);
  AgentFamilies families(registry, "opencode", {"team"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) families.add(AgentFamily::kTokens, {"claude_code", "claude-sonnet-4-5", "input", "core"}, 2);
    });
  }
  for (auto& t : threads) t.join();
  families.observe(AgentFamily::kApiDuration, {"codex", "gpt-5.5", ""}, 1.5);
  families.set(AgentFamily::kCostBudget, 25);
  const auto v = values(registry);
  EXPECT_EQ(v.at("opencode_tokens_total|agent=\"claude_code\",model=\"claude-sonnet-4-5\",type=\"input\",team=\"core\""), 8000);
  EXPECT_EQ(v.at("opencode_api_request_duration_seconds|agent=\"codex\",model=\"gpt-5.5\",team=\"\""), 1);
  EXPECT_EQ(v.at("opencode_cost_budget_usd_daily|"), 25);
  // Beyond the series limit (3 here), new series go to the family's overflow series, counted
  // by the bound that refused them.
  for (const char* model : {"a", "b", "c", "d", "e"}) families.add(AgentFamily::kCost, {"codex", model, ""}, 1);
  const auto after = values(registry);
  EXPECT_EQ(after.at("opencode_cost_usd_total|agent=\"__overflow__\",model=\"__overflow__\",team=\"__overflow__\""), 2);
  EXPECT_EQ(families.refused(collector::SeriesRefusal::kFamilyLimit), 2u);
  EXPECT_EQ(families.refused(collector::SeriesRefusal::kSeriesLimit), 0u);
  // A name taken with another shape is refused, not shadowed.
  collector::FamilyRegistry other;
  ipc::FamilyDecl taken{0, ipc::MetricType::kGauge, "opencode_tokens_total", "x", {}, {}};
  ASSERT_TRUE(std::holds_alternative<const collector::RegisteredFamily*>(other.register_family(taken)));
  EXPECT_THROW(AgentFamilies(other, "opencode", {}), std::runtime_error);
}

// An agent that stops sending: its series are let go at the first idle tick and expire the
// staleness time after, while a series still written and the budget (no labels) stay; the
// collector-wide series bound counts the agents' series with the producers'.
TEST(AgentFamilies, SeriesOfAQuietAgentExpireAndTheBoundsHoldThem) {
  collector::FamilyRegistry registry(collector::SeriesBounds{.series = 2, .staleness = std::chrono::milliseconds(0)});
  AgentFamilies families(registry, "opencode", {});
  families.set(AgentFamily::kCostBudget, 25);
  families.add(AgentFamily::kCommits, {"codex"}, 1);
  families.add(AgentFamily::kCommits, {"claude_code"}, 1);
  families.add(AgentFamily::kCommits, {"gemini"}, 1);  // a third: beyond seriesLimit
  EXPECT_EQ(families.refused(collector::SeriesRefusal::kSeriesLimit), 1u);
  EXPECT_EQ(registry.series_count(), 2u);

  families.release_idle();  // each was written since the last tick: all kept
  const auto now = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  EXPECT_EQ(registry.expire(now), 0u);
  families.add(AgentFamily::kCommits, {"codex"}, 2);
  families.release_idle();  // claude_code and the overflow series went quiet
  EXPECT_EQ(registry.expire(now), 2u);
  const auto v = values(registry);
  EXPECT_EQ(v.at("opencode_commits_total|agent=\"codex\""), 3);
  EXPECT_EQ(v.count("opencode_commits_total|agent=\"claude_code\""), 0u);
  EXPECT_EQ(v.at("opencode_cost_budget_usd_daily|"), 25);
  // Room again: a new agent's series is admitted.
  families.add(AgentFamily::kCommits, {"gemini"}, 1);
  EXPECT_EQ(values(registry).at("opencode_commits_total|agent=\"gemini\""), 1);
  EXPECT_EQ(families.refused(collector::SeriesRefusal::kSeriesLimit), 1u);
}

// Receivers writing while housekeeping lets quiet series go and expires them at once, and a
// scrape reads: no series is freed under a reader or a writer (the suite runs this under TSan
// and ASan), every value read is one the writers made (0 until the first add is seen), and once they stop every series goes.
TEST(AgentFamilies, ScrapesAndWritersGoOnWhileSeriesExpire) {
  collector::FamilyRegistry registry(collector::SeriesBounds{.staleness = std::chrono::milliseconds(0)});
  AgentFamilies families(registry, "opencode", {});
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        families.add(AgentFamily::kTokens, {"codex", "m" + std::to_string((i + t) % 40), "input"}, 2);
      }
    });
  }
  std::atomic<int> expired{0};
  threads.emplace_back([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      families.release_idle();
      expired += static_cast<int>(registry.expire(std::chrono::steady_clock::now()));
    }
  });
  int reads = 0;
  int odd = 0;
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::steady_clock::now() - start; };
  while ((elapsed() < std::chrono::milliseconds(500) || reads < 20 || expired.load() < 40) && elapsed() < std::chrono::seconds(20)) {
    for (const auto& [key, value] : values(registry)) {
      if (key.starts_with("opencode_tokens_total|") && (value < 0 || std::fmod(value, 2) != 0)) ++odd;
    }
    ++reads;
  }
  stop = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(odd, 0) << "values no writer made";
  EXPECT_GE(expired.load(), 40) << "series let go and expired while written";
  families.release_idle();  // what was written last
  families.release_idle();  // now quiet
  registry.expire(std::chrono::steady_clock::now());
  EXPECT_EQ(registry.series_count(), 0u);
  EXPECT_EQ(values(registry).count("opencode_tokens_total|agent=\"codex\",model=\"m0\",type=\"input\""), 0u);
}

}  // namespace
}  // namespace agentmetrics::intake
