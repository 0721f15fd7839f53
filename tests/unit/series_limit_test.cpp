// The bounds on series: per family, in all and in label bytes, series beyond them share the
// family's overflow series, so a label explosion cannot grow the collector without bound; and
// the family limit, so that an explosion of metric names cannot either.
#include <gtest/gtest.h>

#include "collector/aggregate/family_registry.h"
#include "tests/support/aggregates.h"

using namespace agentmetrics;
using namespace agentmetrics::collector;
using agentmetrics::testing::must_register;

namespace {

ipc::FamilyDecl counter_family(const std::string& name, std::vector<std::string> labels = {"a", "b"}) {
  ipc::FamilyDecl decl;
  decl.type = ipc::MetricType::kCounter;
  decl.name = name;
  decl.help = "x";
  decl.label_names = std::move(labels);
  return decl;
}

}  // namespace

TEST(SeriesLimit, AdmitsUpToTheLimitThenOnlyKnownSeries) {
  FamilyRegistry registry(2);
  const auto* family = must_register(registry, counter_family("x_total"));
  EXPECT_EQ(family->overflow_label_values, (std::vector<std::string>{kOverflowLabelValue, kOverflowLabelValue}));
  Admission one = registry.acquire_series(*family, {"1", "1"});
  Admission two = registry.acquire_series(*family, {"2", "2"});
  EXPECT_EQ(one.refused, SeriesRefusal::kNone);
  EXPECT_EQ(two.refused, SeriesRefusal::kNone);
  Admission three = registry.acquire_series(*family, {"3", "3"});
  EXPECT_EQ(three.refused, SeriesRefusal::kFamilyLimit);
  EXPECT_EQ(three.series->labels(), "a=\"__overflow__\",b=\"__overflow__\"");
  Admission again = registry.acquire_series(*family, {"1", "1"});
  EXPECT_EQ(again.refused, SeriesRefusal::kNone) << "an admitted series stays admitted";
  EXPECT_EQ(again.series.get(), one.series.get());
  Admission overflow = registry.acquire_series(*family, family->overflow_label_values);
  EXPECT_EQ(overflow.refused, SeriesRefusal::kNone) << "the overflow series itself is always there";
  EXPECT_EQ(overflow.series.get(), three.series.get());

  const auto* other = must_register(registry, counter_family("y_total"));
  EXPECT_EQ(registry.acquire_series(*other, {"3", "3"}).refused, SeriesRefusal::kNone) << "the limit is per family";
}

TEST(SeriesLimit, AFamilyWithoutLabelsHasOneSeriesAlways) {
  FamilyRegistry registry(SeriesBounds{.series_per_family = 1, .series = 1});
  const auto* family = must_register(registry, counter_family("g", {}));
  Admission a = registry.acquire_series(*family, {});
  Admission b = registry.acquire_series(*family, {});
  EXPECT_EQ(a.refused, SeriesRefusal::kNone);
  EXPECT_EQ(a.series.get(), b.series.get());
  EXPECT_EQ(registry.series_count(), 0u) << "not counted against the bounds";
}

TEST(SeriesLimit, TheBoundOnAllSeriesHoldsAcrossFamilies) {
  FamilyRegistry registry(SeriesBounds{.series = 3});
  const auto* x = must_register(registry, counter_family("x_total"));
  const auto* y = must_register(registry, counter_family("y_total"));
  std::vector<Admission> kept;
  kept.push_back(registry.acquire_series(*x, {"1", "1"}));
  kept.push_back(registry.acquire_series(*x, {"2", "2"}));
  kept.push_back(registry.acquire_series(*y, {"1", "1"}));
  for (const auto& a : kept) EXPECT_EQ(a.refused, SeriesRefusal::kNone);
  Admission refused = registry.acquire_series(*y, {"2", "2"});
  EXPECT_EQ(refused.refused, SeriesRefusal::kSeriesLimit);
  EXPECT_EQ(refused.series->labels(), "a=\"__overflow__\",b=\"__overflow__\"");
  EXPECT_EQ(registry.series_count(), 3u);
}

TEST(SeriesLimit, TheBoundOnLabelBytesHolds) {
  // Each series' label text is a="NNNN",b="v": 14 bytes.
  FamilyRegistry registry(SeriesBounds{.label_bytes = 30});
  const auto* x = must_register(registry, counter_family("x_total"));
  Admission one = registry.acquire_series(*x, {"0001", "v"});
  Admission two = registry.acquire_series(*x, {"0002", "v"});
  Admission three = registry.acquire_series(*x, {"0003", "v"});
  EXPECT_EQ(one.refused, SeriesRefusal::kNone);
  EXPECT_EQ(two.refused, SeriesRefusal::kNone);
  EXPECT_EQ(three.refused, SeriesRefusal::kLabelBytesLimit);
  EXPECT_EQ(registry.label_bytes(), 28u);
  EXPECT_EQ(registry.series_count(), 2u) << "a refusal by label bytes gives its series count back";
}

TEST(FamilyLimit, NewNamesBeyondTheLimitAreRefusedKnownOnesStillServe) {
  FamilyRegistry registry(10, 2);
  for (const char* name : {"a_total", "b_total"}) {
    EXPECT_TRUE(std::holds_alternative<const RegisteredFamily*>(registry.register_family(counter_family(name)))) << name;
  }
  const auto refused = registry.register_family(counter_family("c_total"));
  ASSERT_TRUE(std::holds_alternative<std::string>(refused));
  EXPECT_NE(std::get<std::string>(refused).find("collector.familyLimit"), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<const RegisteredFamily*>(registry.register_family(counter_family("a_total"))))
      << "a known family is not new";
  EXPECT_EQ(registry.families().size(), 2u);
}
