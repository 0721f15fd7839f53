#include "collector/kpi/kpi_catalogue.h"

#include <charconv>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "collector/common/duration.h"

namespace agentmetrics::kpi {
namespace {

using enum KpiGroup;
using enum KpiUnit;
using enum KpiDirection;
using enum Comparison;

constexpr KpiDefinition kCatalogue[] = {
    // Quality
    {"code_coverage",
     "Code Coverage",
     kQuality,
     kPercent,
     kHigherIsBetter,
     kGreaterOrEqual,
     kLess,
     {80, 75},
     {},
     "line coverage reported by the latest coverage event in the window"},
    {"defect_escape_rate",
     "Defect Escape Rate",
     kQuality,
     kPerKloc,
     kLowerIsBetter,
     kLess,
     kGreater,
     {1, 2},
     {},
     "escaped bugs detected in the window per 1000 lines of the code base (its latest known size)"},
    {"mean_time_to_detection",
     "Mean Time to Detection",
     kQuality,
     kHours,
     kLowerIsBetter,
     kLess,
     kGreater,
     {24, 48},
     {},
     "mean hours from a bug's introduction to its detection, over bugs detected in the window"},
    {"mean_time_to_resolution",
     "Mean Time to Resolution",
     kQuality,
     kHours,
     kLowerIsBetter,
     kLess,
     kGreater,
     {8, 24},
     {},
     "mean hours from a bug's detection to its resolution, over bugs resolved in the window"},
    {"technical_debt_ratio",
     "Technical Debt Ratio",
     kQuality,
     kPercent,
     kLowerIsBetter,
     kLess,
     kGreater,
     {20, 30},
     {},
     "remediation hours / development hours of the latest tech_debt estimate in the window"},
    {"code_churn",
     "Code Churn",
     kQuality,
     kRatio,
     kStable,
     kLessOrEqual,
     kGreaterOrEqual,
     {1.5, 2},
     {},
     "lines added + deleted in the window over the mean of the 4 windows before it that saw commits"},
    // Velocity
    {"lead_time",
     "Lead Time",
     kVelocity,
     kHours,
     kLowerIsBetter,
     kLess,
     kGreater,
     {48, 120},
     {},
     "mean hours from commit to successful deployment, over deployments in the window"},
    {"cycle_time",
     "Cycle Time",
     kVelocity,
     kHours,
     kLowerIsBetter,
     kLess,
     kGreater,
     {4, 8},
     {},
     "mean hours from a pull request's opening to its merge, over pull requests merged in the window"},
    {"throughput",
     "Throughput",
     kVelocity,
     kPerWeek,
     kHigherIsBetter,
     kGreaterOrEqual,
     kLess,
     {20, 10},
     {},
     "successful tasks in the window, per week"},
    {"task_completion_rate",
     "Task Completion Rate",
     kVelocity,
     kPercent,
     kHigherIsBetter,
     kGreaterOrEqual,
     kLess,
     {85, 70},
     {},
     "successful tasks / all tasks in the window"},
    {"average_task_duration",
     "Average Task Duration",
     kVelocity,
     kHours,
     kRange,
     kLessOrEqual,
     kGreater,
     {4, 6},
     2.0,
     "mean duration of the successful tasks in the window"},
    {"deployment_frequency",
     "Deployment Frequency",
     kVelocity,
     kPerDay,
     kHigherIsBetter,
     kGreaterOrEqual,
     kLess,
     {5, 2},
     {},
     "successful deployments in the window, per day"},
    // Workflow
    {"test_execution_time",
     "Test Execution Time",
     kWorkflow,
     kMinutes,
     kLowerIsBetter,
     kLess,
     kGreater,
     {5, 10},
     {},
     "mean duration of the test runs in the window"},
    {"pipeline_success_rate",
     "Pipeline Success Rate",
     kWorkflow,
     kPercent,
     kHigherIsBetter,
     kGreaterOrEqual,
     kLess,
     {95, 90},
     {},
     "successful pipeline runs / all pipeline runs in the window"},
    {"flaky_test_rate",
     "Flaky Test Rate",
     kWorkflow,
     kPercent,
     kLowerIsBetter,
     kLess,
     kGreater,
     {5, 10},
     {},
     "flaky tests / tests run, summed over the test runs in the window"},
    {"average_pr_size",
     "Average PR Size",
     kWorkflow,
     kLines,
     kLowerIsBetter,
     kLess,
     kGreater,
     {500, 1000},
     {},
     "mean lines changed of the pull requests merged in the window"},
    {"review_turnaround_time",
     "Review Turnaround Time",
     kWorkflow,
     kHours,
     kLowerIsBetter,
     kLess,
     kGreater,
     {2, 4},
     {},
     "mean hours from a pull request's opening to its first review, over first reviews in the window"},
    {"rollback_frequency",
     "Rollback Frequency",
     kWorkflow,
     kPerWeek,
     kLowerIsBetter,
     kLessOrEqual,
     kGreaterOrEqual,
     {0, 1},
     {},
     "deployments that were rollbacks in the window, per week"},
    // DORA's stability keys, beside the specification's 23
    {"change_failure_rate",
     "Change Failure Rate",
     kWorkflow,
     kPercent,
     kLowerIsBetter,
     kLessOrEqual,
     kGreater,
     {10, 15},
     {},
     "deployments that failed or were rollbacks / all deployments in the window"},
    {"failed_deployment_recovery_time",
     "Failed Deployment Recovery Time",
     kWorkflow,
     kHours,
     kLowerIsBetter,
     kLess,
     kGreater,
     {24, 168},
     {},
     "mean hours from a failed (or rolled-back) deployment to the one that restored its environment, over recoveries in the window"},
    // AI assistance
    {"ai_task_completion_rate",
     "AI Task Completion Rate",
     kAiAssistance,
     kPercent,
     kHigherIsBetter,
     kGreaterOrEqual,
     kLess,
     {70, 50},
     {},
     "tasks that succeeded without human intervention / all tasks in the window"},
    {"ai_code_acceptance",
     "AI-Generated Code Acceptance",
     kAiAssistance,
     kPercent,
     kHigherIsBetter,
     kGreaterOrEqual,
     kLess,
     {80, 60},
     {},
     "AI lines accepted / AI lines generated, over the tasks in the window that report them"},
    {"time_saved_by_ai",
     "Time Saved by AI",
     kAiAssistance,
     kPercent,
     kHigherIsBetter,
     kGreaterOrEqual,
     kLess,
     {50, 30},
     {},
     "time saved / (task time + time saved), over the tasks in the window that report the time saved"},
    {"ai_prompt_success_rate",
     "AI Prompt Success Rate",
     kAiAssistance,
     kPercent,
     kHigherIsBetter,
     kGreaterOrEqual,
     kLess,
     {85, 70},
     {},
     "useful prompts / prompts sent, over the tasks in the window that report them"},
    {"human_intervention_rate",
     "Human Intervention Rate",
     kAiAssistance,
     kPercent,
     kLowerIsBetter,
     kLessOrEqual,
     kGreater,
     {30, 50},
     {},
     "tasks where a person stepped in / all tasks in the window"},
    // What the AI costs, from the sessions the agents report (docs/otlp.md)
    {"cost_per_successful_task",
     "Cost per Successful Task",
     kAiAssistance,
     kUsd,
     kLowerIsBetter,
     kLessOrEqual,
     kGreater,
     {2, 5},
     {},
     "cost of the tasks in the window that report one / the successful ones among them"},
    {"tokens_per_task",
     "Tokens per Task",
     kAiAssistance,
     kTokens,
     kLowerIsBetter,
     kLessOrEqual,
     kGreater,
     {1'000'000, 2'000'000},
     {},
     "model tokens of every type (input, output, cache read and creation) / the tasks in the window that report them"},
};

std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

constexpr std::int64_t kMaxWindowSeconds = 3650LL * 86400;

}  // namespace

std::span<const KpiDefinition> kpi_catalogue() { return kCatalogue; }

bool higher_is_better(const KpiDefinition& d) { return d.target_rule == kGreater || d.target_rule == kGreaterOrEqual; }

const KpiDefinition* find_kpi(std::string_view id) {
  for (const auto& d : kCatalogue) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

std::size_t kpi_index(const KpiDefinition& definition) {
  for (std::size_t i = 0; i < std::size(kCatalogue); ++i) {
    if (kCatalogue[i].id == definition.id) return i;
  }
  throw std::invalid_argument("unknown KPI \"" + std::string(definition.id) + "\"");
}

void check_thresholds(const KpiDefinition& d, const KpiThresholds& t) {
  const std::string id(d.id);
  if (!std::isfinite(t.target)) throw std::invalid_argument("KPI " + id + ": the target must be a finite number");
  if (!std::isfinite(t.alert)) throw std::invalid_argument("KPI " + id + ": the alert threshold must be a finite number");
  if (higher_is_better(d) && t.target < t.alert) {
    throw std::invalid_argument("KPI " + id + ": higher is better, so the target (" + number_text(t.target) +
                                ") must not be below the alert threshold (" + number_text(t.alert) + ")");
  }
  if (!higher_is_better(d) && t.target > t.alert) {
    throw std::invalid_argument("KPI " + id + ": lower is better, so the target (" + number_text(t.target) +
                                ") must not be above the alert threshold (" + number_text(t.alert) + ")");
  }
}

std::vector<KpiThresholds> resolve_thresholds(const KpiOverrides& overrides) {
  std::vector<KpiThresholds> out;
  out.reserve(std::size(kCatalogue));
  for (const auto& d : kCatalogue) out.push_back(d.defaults);
  for (const auto& [id, thresholds] : overrides) {
    const KpiDefinition* d = find_kpi(id);
    if (!d) {
      std::string known;
      for (const auto& k : kCatalogue) known += (known.empty() ? "" : ", ") + std::string(k.id);
      throw std::invalid_argument("unknown KPI \"" + id + "\" (known KPIs: " + known + ")");
    }
    check_thresholds(*d, thresholds);
    out[kpi_index(*d)] = thresholds;
  }
  return out;
}

bool compare(Comparison rule, double value, double bound) {
  switch (rule) {
    case kLess: return value < bound;
    case kLessOrEqual: return value <= bound;
    case kGreater: return value > bound;
    case kGreaterOrEqual: return value >= bound;
  }
  return false;
}

KpiStatus classify(const KpiDefinition& d, const KpiThresholds& t, std::optional<double> value) {
  if (!value) return KpiStatus::kNoData;
  if (compare(d.alert_rule, *value, t.alert)) return KpiStatus::kAlert;
  if (compare(d.target_rule, *value, t.target)) return KpiStatus::kOk;
  return KpiStatus::kWarning;
}

std::string_view to_string(KpiGroup group) {
  switch (group) {
    case kQuality: return "quality";
    case kVelocity: return "velocity";
    case kWorkflow: return "workflow";
    case kAiAssistance: return "ai_assistance";
  }
  return "unknown";
}

std::string_view to_string(KpiUnit unit) {
  switch (unit) {
    case kPercent: return "percent";
    case kHours: return "hours";
    case kMinutes: return "minutes";
    case kPerWeek: return "per_week";
    case kPerDay: return "per_day";
    case kLines: return "lines";
    case kPerKloc: return "per_kloc";
    case kRatio: return "ratio";
    case kUsd: return "usd";
    case kTokens: return "tokens";
  }
  return "unknown";
}

std::string_view to_string(KpiDirection direction) {
  switch (direction) {
    case kHigherIsBetter: return "higher_is_better";
    case kLowerIsBetter: return "lower_is_better";
    case kRange: return "range";
    case kStable: return "stable";
  }
  return "unknown";
}

std::string_view to_string(KpiStatus status) {
  switch (status) {
    case KpiStatus::kOk: return "ok";
    case KpiStatus::kWarning: return "warning";
    case KpiStatus::kAlert: return "alert";
    case KpiStatus::kNoData: return "no_data";
  }
  return "unknown";
}

std::string_view to_string(Comparison rule) {
  switch (rule) {
    case kLess: return "<";
    case kLessOrEqual: return "<=";
    case kGreater: return ">";
    case kGreaterOrEqual: return ">=";
  }
  return "?";
}

double status_gauge_value(KpiStatus status) {
  switch (status) {
    case KpiStatus::kOk: return 0;
    case KpiStatus::kWarning: return 1;
    case KpiStatus::kAlert: return 2;
    case KpiStatus::kNoData: return -1;
  }
  return -1;
}

std::chrono::seconds parse_window(std::string_view text) {
  const auto fail = [&](const std::string& why) { return std::invalid_argument("invalid window \"" + std::string(text) + "\": " + why); };
  std::chrono::seconds window{};
  try {
    window = parse_duration(text);
  } catch (const std::invalid_argument& e) {
    throw fail(e.what());
  }
  if (window.count() <= 0) throw fail("it must be longer than zero");
  if (window.count() > kMaxWindowSeconds) throw fail("it is longer than 3650 days");
  return window;
}

}  // namespace agentmetrics::kpi
