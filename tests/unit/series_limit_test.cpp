// The series limit per family: series beyond it share the family's overflow series, so a
// label explosion cannot grow the collector without bound; and the family limit, so that an
// explosion of metric names cannot either.
#include <gtest/gtest.h>

#include "collector/aggregate/family_registry.h"

using namespace agentmetrics;
using namespace agentmetrics::collector;

TEST(SeriesLimit, AdmitsUpToTheLimitThenOnlyKnownSeries) {
  FamilyRegistry registry(2);
  ipc::FamilyDecl decl;
  decl.type = ipc::MetricType::kCounter;
  decl.name = "x_total";
  decl.help = "x";
  decl.label_names = {"a", "b"};
  const auto* family = std::get<const RegisteredFamily*>(registry.register_family(decl));
  EXPECT_EQ(family->overflow_label_values, (std::vector<std::string>{kOverflowLabelValue, kOverflowLabelValue}));
  EXPECT_TRUE(registry.admit_series(*family, {"1", "1"}));
  EXPECT_TRUE(registry.admit_series(*family, {"2", "2"}));
  EXPECT_FALSE(registry.admit_series(*family, {"3", "3"}));
  EXPECT_TRUE(registry.admit_series(*family, {"1", "1"})) << "an admitted series stays admitted";
  EXPECT_TRUE(registry.admit_series(*family, family->overflow_label_values)) << "the overflow series itself is always there";

  decl.name = "y_total";
  const auto* other = std::get<const RegisteredFamily*>(registry.register_family(decl));
  EXPECT_TRUE(registry.admit_series(*other, {"3", "3"})) << "the limit is per family";
}

TEST(SeriesLimit, AFamilyWithoutLabelsHasOneSeriesAlways) {
  FamilyRegistry registry(1);
  ipc::FamilyDecl decl;
  decl.type = ipc::MetricType::kGauge;
  decl.name = "g";
  decl.help = "g";
  const auto* family = std::get<const RegisteredFamily*>(registry.register_family(decl));
  EXPECT_TRUE(registry.admit_series(*family, {}));
  EXPECT_TRUE(registry.admit_series(*family, {}));
}

TEST(FamilyLimit, NewNamesBeyondTheLimitAreRefusedKnownOnesStillServe) {
  FamilyRegistry registry(10, 2);
  ipc::FamilyDecl decl;
  decl.type = ipc::MetricType::kCounter;
  decl.help = "x";
  for (const char* name : {"a_total", "b_total"}) {
    decl.name = name;
    EXPECT_TRUE(std::holds_alternative<const RegisteredFamily*>(registry.register_family(decl))) << name;
  }
  decl.name = "c_total";
  const auto refused = registry.register_family(decl);
  ASSERT_TRUE(std::holds_alternative<std::string>(refused));
  EXPECT_NE(std::get<std::string>(refused).find("collector.familyLimit"), std::string::npos);
  decl.name = "a_total";
  EXPECT_TRUE(std::holds_alternative<const RegisteredFamily*>(registry.register_family(decl))) << "a known family is not new";
  EXPECT_EQ(registry.families().size(), 2u);
}
