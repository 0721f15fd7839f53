// The families of the agents' telemetry: registered under the prefix with the allowlisted
// attributes as their last labels, written from several threads, and held to the series limit.
#include "collector/intake/otlp/agent_families.h"

#include <gtest/gtest.h>

#include <map>
#include <thread>

namespace agentmetrics::intake {
namespace {

std::map<std::string, double> values(collector::Shard& shard) {
  std::map<std::string, double> out;
  shard.for_each([&](const collector::SeriesView& s) {
    std::string key = s.family->decl.name;
    for (const auto& v : s.label_values) key += "|" + v;
    out[key] = s.family->decl.type == ipc::MetricType::kHistogram ? static_cast<double>(s.count) : s.value;
  });
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
  const auto v = values(families.shard());
  EXPECT_EQ(v.at("opencode_tokens_total|claude_code|claude-sonnet-4-5|input|core"), 8000);
  EXPECT_EQ(v.at("opencode_api_request_duration_seconds|codex|gpt-5.5|"), 1);
  EXPECT_EQ(v.at("opencode_cost_budget_usd_daily"), 25);
  // Beyond the series limit (3 here), new series go to the family's overflow series.
  for (const char* model : {"a", "b", "c", "d"}) families.add(AgentFamily::kCost, {"codex", model, ""}, 1);
  const auto after = values(families.shard());
  EXPECT_EQ(after.at("opencode_cost_usd_total|__overflow__|__overflow__|__overflow__"), 1);
  // A name taken with another shape is refused, not shadowed.
  collector::FamilyRegistry other;
  ipc::FamilyDecl taken{0, ipc::MetricType::kGauge, "opencode_tokens_total", "x", {}, {}};
  ASSERT_TRUE(std::holds_alternative<const collector::RegisteredFamily*>(other.register_family(taken)));
  EXPECT_THROW(AgentFamilies(other, "opencode", {}), std::runtime_error);
}

}  // namespace
}  // namespace agentmetrics::intake
