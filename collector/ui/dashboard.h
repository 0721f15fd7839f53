// What the /ui page and the HTML report show, read from the store through the code that
// computes it for everyone else: the KPIs as `agentmetrics kpi --json` prints them
// (KpiEngine::compute, kpi_report_json) with a sparkline of each over the window
// (KpiEngine::value_series); tokens and cost per day, agent and model (KpiEngine::usage_by_day);
// the recent tasks (task_history.h); the playbook, `why` and the last reflections as `cm` and
// the learning API answer them (learning_store.h, learning_results.h's to_json). Nothing here
// computes a figure of its own.
//
// A dashboard reads the events (KPIs, usage, tasks) from whichever store the collector writes,
// on a team store the whole team's, and the playbook through the learning store it is given: on
// one machine the same SQLite file, read only (the learning system's tables are read as they
// are, and while there are none, before a reflection worker or cm has run on the store, the
// playbook sections say so); on a team store the team's playbook and reflections. One thread at
// a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "collector/kpi/kpi_engine.h"
#include <functional>

#include "collector/learning/learning_store.h"
#include "collector/store/sqlite_event_store.h"

namespace agentmetrics::ui {

struct DashboardOptions {
  kpi::KpiSettings kpi;
  learning::LearningSettings learning;
  int recent_tasks = 50;
  int playbook_rules = 500;  // the most trusted active rules and anti-patterns
  int reflections = 10;
};

// How many slices a KPI's sparkline has over `window`: one a day up to 30 days, at least 6.
int sparkline_points(std::chrono::seconds window);

class Dashboard {
 public:
  // Opens the store of the playbook (null: there is none); called again at the next need after
  // it threw, whose message the page then shows.
  using LearningOpener = std::function<std::unique_ptr<learning::LearningStore>()>;

  // The events and the playbook from one SQLite store, read only. Throws std::invalid_argument
  // for invalid KPI overrides.
  Dashboard(const store::SqliteEventStore& store, DashboardOptions options);
  // The events from `events`, the playbook from what `learning` opens.
  Dashboard(const store::EventStore& events, LearningOpener learning, DashboardOptions options);
  ~Dashboard();

  // Over [now - window, now): {"window", "generated_at", "kpi": kpi_report_json(...) whose every KPI also has "display"
  // {value, target, alert, trend: as the table prints them} and "series" (sparkline_points
  // values, oldest first; "series_step_seconds" says how long each slice is), "usage": {"days":
  // [{day, agent_type, model, tasks, tokens_input, tokens_output, tokens_cache_read,
  // tokens_cache_creation, tasks_with_cost, cost_usd}]}, "tasks": recent_tasks(...),
  // "playbook": {"available", "reason"?, "half_life_days", "total", "rules": [to_json(BulletView)]},
  // "reflections": [to_json(LastReflection)], "alerts": [{"kpi", "name", "value", "display",
  // "threshold", "since": RFC 3339 or null}]}.
  // `firing`: the KPI thread's alerts by KPI id with when they started (KpiService::firing());
  // without it (the report) the alerts are the KPIs whose status is "alert", since unknown.
  // Throws std::invalid_argument for a window under a minute.
  nlohmann::ordered_json overview(double now_unix, std::chrono::seconds window,
                                  const std::optional<std::map<std::string, double>>& firing = std::nullopt);
  // A task with every field and the rules it was given: {"task": stored_task(...), "rules_given":
  // [{"id", "via": "task"|"hook"|"task, hook", "rule": to_json(BulletView) or null when the
  // rule is gone}]}; none for an id that is not a task.
  std::optional<nlohmann::ordered_json> task(std::int64_t id);
  // cm why's answer (to_json(WhyResult)). Throws LearningError (not found, or no learning
  // tables yet).
  nlohmann::ordered_json why(std::string_view rule_id);
  // Everything the HTML report shows: overview(now, window) with "task_details" (task() of each task
  // listed, by id) and "why" (why() of each rule listed, by id).
  nlohmann::ordered_json report(double now_unix, std::chrono::seconds window);

 private:
  // The learning store, or null (with reason_) while there is none or it cannot be opened.
  learning::LearningStore* learning();
  double now() const;

  const store::EventStore& events_;
  LearningOpener open_learning_;
  DashboardOptions options_;
  kpi::KpiEngine engine_;
  std::unique_ptr<learning::LearningStore> learning_;
  std::string reason_;
};

}  // namespace agentmetrics::ui
