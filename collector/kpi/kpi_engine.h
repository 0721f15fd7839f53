// Computes the 27 KPIs from the outcome events in the store, over a window that ends now:
// [now - window, now), and the same for the window before it, [now - 2 window, now - window),
// for the trend. Each KPI is a few SQL aggregates over one kind's events in the window (see
// kpi_queries.h), so a computation costs a handful of index range scans, whatever the size of
// the store. docs/kpis.md says how each value is computed.
//
// The same queries run on either store (SQLite or a team's PostgreSQL: store/event_store.h).
// Thread safety: an engine is used by one thread at a time, because a store's connection is.
// Give a KPI thread a store of its own (store::open_event_store(..., kReadOnly)); SQLite's WAL
// mode and PostgreSQL let it read while the collector writes. Each call reads one consistent
// snapshot of the store.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "collector/kpi/dora_band.h"
#include "collector/kpi/kpi_catalogue.h"
#include "collector/store/event_store.h"

namespace agentmetrics::kpi {

struct KpiSettings {
  // Targets and alert thresholds over the specification's defaults, by KPI id.
  KpiOverrides overrides;
};

struct KpiResult {
  const KpiDefinition* definition = nullptr;  // points into kpi_catalogue()
  std::optional<double> value;                // in the definition's unit; empty: no data
  KpiStatus status = KpiStatus::kNoData;
  KpiThresholds thresholds;        // the effective target and alert threshold
  std::optional<double> previous;  // the value over the window before
  std::int64_t samples = 0;        // the events the value was computed from
  // Figures beside the value, by name; code_churn has "lines_per_week" (the window's churn,
  // per week), "baseline_lines_per_week" (the normal it is compared with) and
  // "baseline_windows" (how many of the 4 windows before held commits); the KPIs that are a
  // mean over items (lead, cycle, review and recovery time, PR size) have their "median" and
  // "p75" over the same items; cost_per_successful_task has "cost_usd" (the window's spend,
  // also when nothing succeeded) and "successful_tasks"; tokens_per_task the mean "input",
  // "output", "cache_read" and "cache_creation" per task; ai_code_acceptance "edits_accepted"
  // and "edits_rejected" when it is computed from the sessions' edits.
  std::map<std::string, double> details;
  // DORA's performance band, for the four keys with data (dora_band.h): on the value, or on the
  // median for lead time and recovery time.
  std::optional<DoraBand> dora_band;
};

// For /health: tasks in the window and what they cost.
struct TaskFigures {
  std::int64_t tasks = 0;                           // all task events
  std::int64_t tasks_completed = 0;                 // successful tasks
  std::optional<double> success_rate;               // 0..1; empty without tasks
  std::optional<double> avg_task_duration_seconds;  // of all tasks; empty without tasks
  std::optional<double> cost_usd;                   // of the tasks that report one; empty when none does
};

// What one UTC day's tasks of one agent and model used (KpiEngine::usage_by_day).
struct DailyUsage {
  std::string day;                // YYYY-MM-DD
  std::string agent_type, model;  // "" when a task names none
  std::int64_t tasks = 0;
  double tokens_input = 0, tokens_output = 0, tokens_cache_read = 0, tokens_cache_creation = 0;
  std::int64_t tasks_with_cost = 0;
  double cost_usd = 0;  // of the tasks that report one
};

class KpiEngine {
 public:
  // `db` is the store, which must outlive the engine. Throws std::invalid_argument when the
  // overrides are invalid (see resolve_thresholds).
  KpiEngine(const store::EventStore& db, const KpiSettings& settings);

  // Every KPI of kpi_catalogue(), in its order, over [now - window, now). Throws
  // std::invalid_argument for a window shorter than a second, and StoreError when the store
  // cannot be read.
  std::vector<KpiResult> compute(std::chrono::seconds window, double now_unix) const;
  // Task counts, success rate and mean duration over [now - window, now).
  TaskFigures task_figures(std::chrono::seconds window, double now_unix) const;
  // Successful tasks / tasks (0..1) per agent_type over [now - window, now); agents without
  // tasks in the window are absent. The collector exports it as opencode_ai_success_rate.
  std::map<std::string, double> ai_success_rate_by_agent(std::chrono::seconds window, double now_unix) const;

  // Each KPI's value over `points` consecutive slices of [now - window, now), oldest first, as
  // compute() measures a window (the sparklines of the /ui page): indexed like kpi_catalogue(),
  // then by slice. Throws std::invalid_argument for fewer than 1 or more than 100 points, or a
  // slice shorter than a second.
  std::vector<std::vector<std::optional<double>>> value_series(std::chrono::seconds window, double now_unix, int points) const;
  // Tokens and cost of the tasks in [now - window, now), per UTC day, agent_type and model: the
  // same fields the KPIs sum (tokens_per_task, cost_per_successful_task), split.
  std::vector<DailyUsage> usage_by_day(std::chrono::seconds window, double now_unix) const;

  // The effective thresholds, indexed like kpi_catalogue().
  const std::vector<KpiThresholds>& thresholds() const { return thresholds_; }

 private:
  struct Measured {
    std::optional<double> value;
    std::int64_t samples = 0;
    std::map<std::string, double> details;
  };
  std::vector<Measured> measure(double start, double end) const;
  // The mean of `values` times `scale` (a unit conversion), with its median and p75 likewise.
  static Measured distribution(std::vector<double> values, double scale);

  const store::EventStore& db_;
  std::vector<KpiThresholds> thresholds_;
};

}  // namespace agentmetrics::kpi
