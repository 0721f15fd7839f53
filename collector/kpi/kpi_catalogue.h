// The 23 KPIs of the specification ("Metrics to Track"), DORA's two stability keys (change
// failure rate, failed deployment recovery time) and two of the AI's cost (cost per successful
// task, tokens per task): what each measures, its unit, which way is better, and its default
// target and alert threshold; the operator's overrides of those two numbers; how a value is
// judged against them; and the window lengths ("24h", "7d").
// docs/kpis.md describes every KPI as the engine computes it.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace agentmetrics::kpi {

enum class KpiGroup { kQuality, kVelocity, kWorkflow, kAiAssistance };

enum class KpiUnit {
  kPercent,  // 0..100
  kHours,
  kMinutes,
  kPerWeek,  // events per 7 days
  kPerDay,   // events per 24 hours
  kLines,
  kPerKloc,  // per 1000 lines of code
  kRatio,    // a multiple of a baseline (1.0 = as usual)
  kUsd,      // US dollars
  kTokens,   // model tokens
};

// Which way is better. kRange and kStable are judged like kLowerIsBetter (the upper end of the
// range, the tolerated growth over normal); they differ in how the target is shown.
enum class KpiDirection { kHigherIsBetter, kLowerIsBetter, kRange, kStable };

// How a value is compared with a target or a threshold: value < bound, value <= bound...
enum class Comparison { kLess, kLessOrEqual, kGreater, kGreaterOrEqual };

enum class KpiStatus { kOk, kWarning, kAlert, kNoData };

struct KpiThresholds {
  double target = 0;  // met -> ok
  double alert = 0;   // crossed -> alert; between the two -> warning
  bool operator==(const KpiThresholds&) const = default;
};

struct KpiDefinition {
  std::string_view id;    // snake_case, stable: labels, JSON, configuration keys
  std::string_view name;  // for people
  KpiGroup group;
  KpiUnit unit;
  KpiDirection direction;
  Comparison target_rule;           // the target is met when `value <target_rule> target`
  Comparison alert_rule;            // the alert fires when `value <alert_rule> alert`
  KpiThresholds defaults;           // from the specification
  std::optional<double> range_low;  // kRange: the lower end of the target range (shown only)
  std::string_view definition;      // one line: how the value is computed
};

// All 27, in the specification's order (quality, velocity, workflow, AI assistance), DORA's two
// at the end of workflow, the two of cost at the end of AI assistance.
std::span<const KpiDefinition> kpi_catalogue();
// Null for an unknown id.
const KpiDefinition* find_kpi(std::string_view id);
// The definition's position in kpi_catalogue(); the id must be known.
std::size_t kpi_index(const KpiDefinition& definition);

// Overrides from the configuration, keyed by KPI id.
using KpiOverrides = std::map<std::string, KpiThresholds, std::less<>>;

// The effective thresholds of every KPI, indexed like kpi_catalogue(): the defaults with the
// overrides applied. Throws std::invalid_argument naming the KPI when an id is unknown, a
// number is not finite, or the target is on the wrong side of the alert threshold (a
// higher-is-better KPI needs target >= alert, a lower-is-better one target <= alert).
std::vector<KpiThresholds> resolve_thresholds(const KpiOverrides& overrides);
// The same check for one KPI's thresholds; throws std::invalid_argument.
void check_thresholds(const KpiDefinition& definition, const KpiThresholds& thresholds);

// Judges a value: no_data without one, alert when the alert rule holds (checked first), ok
// when the target rule holds, warning otherwise.
KpiStatus classify(const KpiDefinition& definition, const KpiThresholds& thresholds, std::optional<double> value);

bool compare(Comparison rule, double value, double bound);

// True when the KPI's target asks for a value above a bound (> or >=).
bool higher_is_better(const KpiDefinition& definition);

std::string_view to_string(KpiGroup group);          // quality, velocity, workflow, ai_assistance
std::string_view to_string(KpiUnit unit);            // percent, hours, minutes, per_week, ...
std::string_view to_string(KpiDirection direction);  // higher_is_better, lower_is_better, range, stable
std::string_view to_string(KpiStatus status);        // ok, warning, alert, no_data
std::string_view to_string(Comparison rule);         // <, <=, >, >=
// The status as the <prefix>_kpi_status gauge carries it: 0 ok, 1 warning, 2 alert, -1 no data.
double status_gauge_value(KpiStatus status);

// A window length: a duration (collector/common/duration.h, which also formats it for labels)
// longer than zero and at most 3650 days. Throws std::invalid_argument saying what is wrong and
// what is expected.
std::chrono::seconds parse_window(std::string_view text);

}  // namespace agentmetrics::kpi
