// The KPI catalogue: the specification's 23 KPIs and DORA's two with their targets and thresholds,
// overrides, status rules, and window lengths.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <set>
#include <string>

#include "collector/common/duration.h"
#include "collector/kpi/kpi_catalogue.h"

namespace {

using namespace agentmetrics::kpi;
using namespace std::chrono_literals;

std::string error_of(const KpiOverrides& overrides) {
  try {
    resolve_thresholds(overrides);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return {};
}

std::string window_error(std::string_view text) {
  try {
    parse_window(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for \"" << text << "\"";
  return {};
}

TEST(KpiCatalogue, HoldsTheSpecificationsKpisInOrder) {
  struct Expected {
    const char* id;
    KpiGroup group;
    const char* target_rule;
    double target;
    const char* alert_rule;
    double alert;
  };
  using enum KpiGroup;
  // The specification's "Metrics to Track" tables.
  const Expected expected[] = {
      {"code_coverage", kQuality, ">=", 80, "<", 75},
      {"defect_escape_rate", kQuality, "<", 1, ">", 2},
      {"mean_time_to_detection", kQuality, "<", 24, ">", 48},
      {"mean_time_to_resolution", kQuality, "<", 8, ">", 24},
      {"technical_debt_ratio", kQuality, "<", 20, ">", 30},
      {"code_churn", kQuality, "<=", 1.5, ">=", 2},
      {"lead_time", kVelocity, "<", 48, ">", 120},
      {"cycle_time", kVelocity, "<", 4, ">", 8},
      {"throughput", kVelocity, ">=", 20, "<", 10},
      {"task_completion_rate", kVelocity, ">=", 85, "<", 70},
      {"average_task_duration", kVelocity, "<=", 4, ">", 6},
      {"deployment_frequency", kVelocity, ">=", 5, "<", 2},
      {"test_execution_time", kWorkflow, "<", 5, ">", 10},
      {"pipeline_success_rate", kWorkflow, ">=", 95, "<", 90},
      {"flaky_test_rate", kWorkflow, "<", 5, ">", 10},
      {"average_pr_size", kWorkflow, "<", 500, ">", 1000},
      {"review_turnaround_time", kWorkflow, "<", 2, ">", 4},
      {"rollback_frequency", kWorkflow, "<=", 0, ">=", 1},
      // DORA's stability keys
      {"change_failure_rate", kWorkflow, "<=", 10, ">", 15},
      {"failed_deployment_recovery_time", kWorkflow, "<", 24, ">", 168},
      {"ai_task_completion_rate", kAiAssistance, ">=", 70, "<", 50},
      {"ai_code_acceptance", kAiAssistance, ">=", 80, "<", 60},
      {"time_saved_by_ai", kAiAssistance, ">=", 50, "<", 30},
      {"ai_prompt_success_rate", kAiAssistance, ">=", 85, "<", 70},
      {"human_intervention_rate", kAiAssistance, "<=", 30, ">", 50},
  };
  const auto catalogue = kpi_catalogue();
  ASSERT_EQ(catalogue.size(), std::size(expected));
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < catalogue.size(); ++i) {
    const KpiDefinition& d = catalogue[i];
    const Expected& x = expected[i];
    EXPECT_EQ(d.id, x.id);
    EXPECT_EQ(d.group, x.group) << x.id;
    EXPECT_EQ(to_string(d.target_rule), x.target_rule) << x.id;
    EXPECT_EQ(d.defaults.target, x.target) << x.id;
    EXPECT_EQ(to_string(d.alert_rule), x.alert_rule) << x.id;
    EXPECT_EQ(d.defaults.alert, x.alert) << x.id;
    EXPECT_FALSE(d.name.empty()) << x.id;
    EXPECT_FALSE(d.definition.empty()) << x.id;
    EXPECT_TRUE(names.insert(d.name).second) << x.id;
    EXPECT_EQ(find_kpi(x.id), &d);
    EXPECT_EQ(kpi_index(d), i);
    EXPECT_NO_THROW(check_thresholds(d, d.defaults)) << x.id;
  }
  EXPECT_EQ(find_kpi("nonsense"), nullptr);
  EXPECT_EQ(find_kpi("average_task_duration")->direction, KpiDirection::kRange);
  EXPECT_EQ(find_kpi("average_task_duration")->range_low, 2.0);
  EXPECT_EQ(find_kpi("code_churn")->direction, KpiDirection::kStable);
  EXPECT_EQ(find_kpi("code_churn")->unit, KpiUnit::kRatio);
  EXPECT_EQ(find_kpi("defect_escape_rate")->unit, KpiUnit::kPerKloc);
}

TEST(KpiCatalogue, NamesItsEnums) {
  EXPECT_EQ(to_string(KpiGroup::kAiAssistance), "ai_assistance");
  EXPECT_EQ(to_string(KpiUnit::kPerWeek), "per_week");
  EXPECT_EQ(to_string(KpiDirection::kHigherIsBetter), "higher_is_better");
  EXPECT_EQ(to_string(KpiStatus::kNoData), "no_data");
  EXPECT_EQ(status_gauge_value(KpiStatus::kOk), 0);
  EXPECT_EQ(status_gauge_value(KpiStatus::kWarning), 1);
  EXPECT_EQ(status_gauge_value(KpiStatus::kAlert), 2);
  EXPECT_EQ(status_gauge_value(KpiStatus::kNoData), -1);
}

TEST(KpiThresholdOverrides, ApplyOverTheDefaults) {
  const auto none = resolve_thresholds({});
  ASSERT_EQ(none.size(), kpi_catalogue().size());
  for (std::size_t i = 0; i < none.size(); ++i) EXPECT_EQ(none[i], kpi_catalogue()[i].defaults);

  const auto some = resolve_thresholds({{"code_coverage", {85, 70}}, {"lead_time", {24, 24}}});
  EXPECT_EQ(some[kpi_index(*find_kpi("code_coverage"))], (KpiThresholds{85, 70}));
  EXPECT_EQ(some[kpi_index(*find_kpi("lead_time"))], (KpiThresholds{24, 24}));
  EXPECT_EQ(some[kpi_index(*find_kpi("cycle_time"))], find_kpi("cycle_time")->defaults);
}

TEST(KpiThresholdOverrides, RefuseUnknownKpisAndInvertedThresholds) {
  const std::string unknown = error_of({{"code_covrage", {85, 70}}});
  EXPECT_NE(unknown.find("\"code_covrage\""), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("code_coverage"), std::string::npos) << unknown << " (lists the known ones)";

  const std::string higher = error_of({{"code_coverage", {70, 75}}});
  EXPECT_NE(higher.find("code_coverage"), std::string::npos) << higher;
  EXPECT_NE(higher.find("higher is better"), std::string::npos) << higher;

  const std::string lower = error_of({{"mean_time_to_resolution", {30, 24}}});
  EXPECT_NE(lower.find("mean_time_to_resolution"), std::string::npos) << lower;
  EXPECT_NE(lower.find("lower is better"), std::string::npos) << lower;

  const std::string nan = error_of({{"throughput", {std::nan(""), 10}}});
  EXPECT_NE(nan.find("finite"), std::string::npos) << nan;
  EXPECT_FALSE(error_of({{"throughput", {20, std::numeric_limits<double>::infinity()}}}).empty());
}

TEST(KpiClassify, OkWarningAlertAndNoData) {
  const KpiDefinition& coverage = *find_kpi("code_coverage");
  const KpiThresholds t = coverage.defaults;
  EXPECT_EQ(classify(coverage, t, std::nullopt), KpiStatus::kNoData);
  EXPECT_EQ(classify(coverage, t, 80), KpiStatus::kOk);
  EXPECT_EQ(classify(coverage, t, 79.999), KpiStatus::kWarning);
  EXPECT_EQ(classify(coverage, t, 75), KpiStatus::kWarning);
  EXPECT_EQ(classify(coverage, t, 74.999), KpiStatus::kAlert);

  const KpiDefinition& mttr = *find_kpi("mean_time_to_resolution");
  EXPECT_EQ(classify(mttr, mttr.defaults, 7.9), KpiStatus::kOk);
  EXPECT_EQ(classify(mttr, mttr.defaults, 8), KpiStatus::kWarning);
  EXPECT_EQ(classify(mttr, mttr.defaults, 24), KpiStatus::kWarning);
  EXPECT_EQ(classify(mttr, mttr.defaults, 24.1), KpiStatus::kAlert);

  const KpiDefinition& rollbacks = *find_kpi("rollback_frequency");
  EXPECT_EQ(classify(rollbacks, rollbacks.defaults, 0), KpiStatus::kOk);
  EXPECT_EQ(classify(rollbacks, rollbacks.defaults, 0.5), KpiStatus::kWarning);
  EXPECT_EQ(classify(rollbacks, rollbacks.defaults, 1), KpiStatus::kAlert);

  const KpiDefinition& churn = *find_kpi("code_churn");
  EXPECT_EQ(classify(churn, churn.defaults, 0.2), KpiStatus::kOk);
  EXPECT_EQ(classify(churn, churn.defaults, 1.5), KpiStatus::kOk);
  EXPECT_EQ(classify(churn, churn.defaults, 1.9), KpiStatus::kWarning);
  EXPECT_EQ(classify(churn, churn.defaults, 2), KpiStatus::kAlert);

  const KpiDefinition& humans = *find_kpi("human_intervention_rate");
  EXPECT_EQ(classify(humans, humans.defaults, 30), KpiStatus::kOk);
  EXPECT_EQ(classify(humans, humans.defaults, 50), KpiStatus::kWarning);
  EXPECT_EQ(classify(humans, humans.defaults, 50.01), KpiStatus::kAlert);

  // A target equal to the threshold leaves no warning band; the alert wins a tie.
  EXPECT_EQ(classify(rollbacks, {1, 1}, 1), KpiStatus::kAlert);
  EXPECT_EQ(classify(rollbacks, {1, 1}, 0.9), KpiStatus::kOk);
}

TEST(KpiWindow, ParsesWholeNumbersWithAUnit) {
  EXPECT_EQ(parse_window("24h"), 24h);
  EXPECT_EQ(parse_window("7d"), 7 * 24h);
  EXPECT_EQ(parse_window("30d"), 30 * 24h);
  EXPECT_EQ(parse_window("90m"), 90min);
  EXPECT_EQ(parse_window("45s"), 45s);
  EXPECT_EQ(parse_window("2w"), 14 * 24h);
  EXPECT_EQ(parse_window("3650d"), 3650 * 24h);
}

TEST(KpiWindow, RefusesAnythingElseSayingWhy) {
  EXPECT_NE(window_error("").find("empty"), std::string::npos);
  EXPECT_NE(window_error("7").find("unit is missing"), std::string::npos);
  EXPECT_NE(window_error("d").find("does not start with a number"), std::string::npos);
  EXPECT_NE(window_error("7x").find("unknown unit \"x\""), std::string::npos);
  EXPECT_NE(window_error("7dd").find("unknown unit \"dd\""), std::string::npos);
  EXPECT_NE(window_error("1.5h").find("unknown unit \".5h\""), std::string::npos);
  EXPECT_NE(window_error("7 d").find("unknown unit"), std::string::npos);
  EXPECT_NE(window_error("0h").find("longer than zero"), std::string::npos);
  EXPECT_NE(window_error("-1h").find("negative"), std::string::npos);
  EXPECT_NE(window_error("+1h").find("does not start with a number"), std::string::npos);
  EXPECT_NE(window_error("3651d").find("3650 days"), std::string::npos);
  EXPECT_NE(window_error("99999999999999999999s").find("too large"), std::string::npos);
  // Every message names the input and shows the expected form.
  const std::string message = window_error("soon");
  EXPECT_NE(message.find("\"soon\""), std::string::npos) << message;
  EXPECT_NE(message.find("24h, 7d or 90m"), std::string::npos) << message;
}

TEST(KpiWindow, FormatsLabelsThatParseBack) {
  EXPECT_EQ(agentmetrics::format_duration(24h), "24h");
  EXPECT_EQ(agentmetrics::format_duration(7 * 24h), "7d");
  EXPECT_EQ(agentmetrics::format_duration(30 * 24h), "30d");
  EXPECT_EQ(agentmetrics::format_duration(90min), "90m");
  EXPECT_EQ(agentmetrics::format_duration(1h), "1h");
  EXPECT_EQ(agentmetrics::format_duration(61s), "61s");
  for (const auto text : {"24h", "7d", "30d", "90m", "1h", "36h", "2w", "45s", "120s"}) {
    const auto w = parse_window(text);
    EXPECT_EQ(parse_window(agentmetrics::format_duration(w)), w) << text;
  }
}

}  // namespace
