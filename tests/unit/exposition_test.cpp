#include <gtest/gtest.h>

#include "collector/expose/scrape.h"
#include "collector/expose/self_metrics.h"
#include "ipc/catalogue.h"
#include "tests/support/aggregates.h"

using namespace agentmetrics;
using namespace agentmetrics::collector;

namespace {

using agentmetrics::testing::HeldSeries;
using agentmetrics::testing::must_register;
ipc::Record rec(ipc::Op op, double v) { return agentmetrics::testing::record_of(op, v); }

OwnFamilies own(SelfMetrics& self) {
  return [&self](const FamilySink& sink) {
    for (const auto& f : self.registry().Collect()) sink(f);
  };
}

}  // namespace

TEST(Exposition, MergesShardsWithPrometheusSemantics) {
  FamilyRegistry registry;
  auto decls = ipc::catalogue_families("opencode");
  const auto* tasks = must_register(registry, decls[static_cast<std::size_t>(ipc::CatalogueFamily::kTaskTotal)]);
  const auto* duration = must_register(registry, decls[static_cast<std::size_t>(ipc::CatalogueFamily::kPipelineDuration)]);
  const auto* coverage = must_register(registry, decls[static_cast<std::size_t>(ipc::CatalogueFamily::kCodeCoverage)]);
  must_register(registry, decls[static_cast<std::size_t>(ipc::CatalogueFamily::kLintErrors)]);

  HeldSeries held(registry);
  Shard a, b;
  SeriesAggregate* a_tasks = held(a, *tasks, {"build", "feature", "true"});
  SeriesAggregate* a_duration = held(a, *duration, {"test", "true"});
  SeriesAggregate* a_coverage = held(a, *coverage, {});
  SeriesAggregate* b_tasks = held(b, *tasks, {"build", "feature", "true"});
  SeriesAggregate* b_duration = held(b, *duration, {"test", "true"});
  SeriesAggregate* b_coverage = held(b, *coverage, {});
  {
    a.begin_batch();
    a.apply(*a_tasks, rec(ipc::Op::kCounterAdd, 2));
    a.apply(*a_duration, rec(ipc::Op::kHistogramObserve, 10));   // le=10
    a.apply(*a_duration, rec(ipc::Op::kHistogramObserve, 500));  // +Inf only
    a.apply(*a_coverage, rec(ipc::Op::kGaugeSet, 70));
  }
  {
    b.begin_batch();
    b.apply(*b_tasks, rec(ipc::Op::kCounterAdd, 3));
    b.apply(*b_duration, rec(ipc::Op::kHistogramObserve, 45));
    b.apply(*b_coverage, rec(ipc::Op::kGaugeSet, 81.5));  // written last: wins
  }
  SelfMetrics self;
  const std::string text = render_scrape(registry, ScrapeFormat::kText, own(self));
  const std::string expected =
      "# HELP opencode_code_coverage_percent Code coverage percentage\n"
      "# TYPE opencode_code_coverage_percent gauge\n"
      "opencode_code_coverage_percent 81.5\n"
      "# HELP opencode_lint_errors_total Total lint errors\n"
      "# TYPE opencode_lint_errors_total counter\n"
      "# HELP opencode_pipeline_duration_seconds Pipeline execution duration\n"
      "# TYPE opencode_pipeline_duration_seconds histogram\n"
      "opencode_pipeline_duration_seconds_count{stage=\"test\",success=\"true\"} 3\n"
      "opencode_pipeline_duration_seconds_sum{stage=\"test\",success=\"true\"} 555\n"
      "opencode_pipeline_duration_seconds_bucket{stage=\"test\",success=\"true\",le=\"10\"} 1\n"
      "opencode_pipeline_duration_seconds_bucket{stage=\"test\",success=\"true\",le=\"30\"} 1\n"
      "opencode_pipeline_duration_seconds_bucket{stage=\"test\",success=\"true\",le=\"60\"} 2\n"
      "opencode_pipeline_duration_seconds_bucket{stage=\"test\",success=\"true\",le=\"120\"} 2\n"
      "opencode_pipeline_duration_seconds_bucket{stage=\"test\",success=\"true\",le=\"300\"} 2\n"
      "opencode_pipeline_duration_seconds_bucket{stage=\"test\",success=\"true\",le=\"+Inf\"} 3\n"
      "# HELP opencode_task_total Total tasks executed\n"
      "# TYPE opencode_task_total counter\n"
      "opencode_task_total{agent_type=\"build\",task_type=\"feature\",success=\"true\"} 5\n";
  EXPECT_EQ(text.substr(0, expected.size()), expected);
  EXPECT_NE(text.find("# TYPE agentmetrics_events_drained_total counter"), std::string::npos);
}

TEST(Exposition, EscapesLabelValues) {
  FamilyRegistry registry;
  ipc::FamilyDecl f;
  f.type = ipc::MetricType::kCounter;
  f.name = "x_total";
  f.help = "h";
  f.label_names = {"v"};
  const auto* family = must_register(registry, f);
  HeldSeries held(registry);
  Shard shard;
  SeriesAggregate* series = held(shard, *family, {"a\"b\\c\nd"});
  {
    shard.begin_batch();
    shard.apply(*series, rec(ipc::Op::kCounterAdd, 1));
  }
  const std::string text = render_scrape(registry, ScrapeFormat::kText);
  EXPECT_NE(text.find("x_total{v=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << text;
}

TEST(FamilyRegistry, OneShapePerName) {
  FamilyRegistry registry;
  auto decls = ipc::catalogue_families("opencode");
  ipc::FamilyDecl f = decls[0];
  ASSERT_TRUE(std::holds_alternative<const RegisteredFamily*>(registry.register_family(f)));
  f.help = "other help is fine";
  EXPECT_TRUE(std::holds_alternative<const RegisteredFamily*>(registry.register_family(f)));
  f.buckets = {1, 2};
  EXPECT_TRUE(std::holds_alternative<std::string>(registry.register_family(f)));
  f = decls[0];
  f.label_names.pop_back();
  EXPECT_TRUE(std::holds_alternative<std::string>(registry.register_family(f)));
  f = decls[0];
  f.type = ipc::MetricType::kGauge;
  EXPECT_TRUE(std::holds_alternative<std::string>(registry.register_family(f)));
}
