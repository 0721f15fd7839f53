// The shipped price table and how a model's name finds its price.
#include "collector/intake/model_prices.h"

#include <gtest/gtest.h>

namespace agentmetrics::intake {
namespace {

TEST(ModelPrices, TheShippedTableParsesAndIsDated) {
  const PriceTable table = PriceTable::shipped();
  EXPECT_EQ(table.date().size(), 10u) << table.date();
  const ModelPrice* sonnet = table.find("claude-sonnet-4-5");
  ASSERT_NE(sonnet, nullptr);
  EXPECT_EQ(sonnet->input, 3);
  EXPECT_EQ(sonnet->cache_creation, 3.75);
}

TEST(ModelPrices, ADatedNameTakesItsFamilysPriceAndAnotherModelNone) {
  PriceTable table = PriceTable::shipped();
  // Claude Code's own figure for 1200 input, 400 cache write, 3000 cache read and 9 output
  // tokens of claude-sonnet-4-5-20250929 (tests/data/agents/claude/plain) is 0.006135 USD.
  const auto claude = table.cost("claude-sonnet-4-5-20250929", {1200, 9, 3000, 400});
  ASSERT_TRUE(claude);
  EXPECT_NEAR(*claude, 0.006135, 1e-12);
  EXPECT_EQ(table.find("gpt-5-mini-2025-08-07"), table.find("gpt-5-mini"));
  // gpt-5.5 is not gpt-5: the name goes on with a '.', not a '-'.
  EXPECT_EQ(table.find("gpt-5.5"), nullptr);
  EXPECT_FALSE(table.cost("gpt-5.5", {1000, 10, 0, 0}));
  EXPECT_EQ(table.find("claude-opus-4-1-20250805"), table.find("claude-opus-4-1"));
  EXPECT_NE(table.find("claude-opus-4-1"), table.find("claude-opus-4"));
  table.set("gpt-5.5", {2, 16, 0.2, 0});
  const auto codex = table.cost("gpt-5.5", {1500, 12, 2500, 0});
  ASSERT_TRUE(codex);
  EXPECT_NEAR(*codex, (1500 * 2 + 12 * 16 + 2500 * 0.2) / 1e6, 1e-15);
}

}  // namespace
}  // namespace agentmetrics::intake
