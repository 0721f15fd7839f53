#include "collector/kpi/kpi_engine.h"

#include <stdexcept>

#include "collector/kpi/deployment_recovery.h"
#include "collector/kpi/dora_band.h"
#include "collector/kpi/kpi_queries.h"
#include "collector/kpi/pull_request_states.h"
#include "collector/kpi/value_distribution.h"
#include "collector/store/event_rows.h"
#include "collector/store/event_store.h"

namespace agentmetrics::kpi {
namespace {

constexpr double kHour = 3600;
constexpr double kDay = 86400;
constexpr double kWeek = 7 * kDay;
// How many windows before the current one make code churn's "normal".
constexpr int kChurnBaselineWindows = 4;
// How far before the window a recovery's failure is looked for.
constexpr double kRecoveryLookback = 30 * kDay;

// A read over [start, end) (?1, ?2), moved to its first row; or, with one parameter, before ?1.
class RangeQuery {
 public:
  RangeQuery(const store::EventStore& db, std::string_view sql, double start, double end) {
    const double range[] = {start, end};
    rows_ = db.read(sql, range);
    has_row_ = rows_->next();
  }
  RangeQuery(const store::EventStore& db, std::string_view sql, double before) {
    const double range[] = {before};
    rows_ = db.read(sql, range);
    has_row_ = rows_->next();
  }
  bool has_row() const { return has_row_; }
  bool next() { return has_row_ = rows_->next(); }
  double real(int column) const { return rows_->real(column); }
  std::int64_t count(int column) const { return rows_->integer(column); }
  bool null(int column) const { return rows_->is_null(column); }
  std::optional<double> optional(int column) const {
    if (rows_->is_null(column)) return std::nullopt;
    return rows_->real(column);
  }
  std::string text(int column) const { return rows_->text(column); }

 private:
  std::unique_ptr<store::EventRows> rows_;
  bool has_row_ = false;
};

struct TaskAggregate {
  std::int64_t tasks = 0;
  double successes = 0;
  double duration_sum = 0;
  double success_duration_sum = 0;
  double autonomous_successes = 0;
  double interventions = 0;
  std::int64_t ai_reporting = 0;
  double ai_generated = 0;
  double ai_accepted = 0;
  std::int64_t saved_reporting = 0;
  double saved_sum = 0;
  double saved_total_time = 0;
  std::int64_t prompts_reporting = 0;
  double prompts_sent = 0;
  double prompts_useful = 0;
  std::int64_t cost_reporting = 0;
  double cost = 0;
  double cost_successes = 0;
  std::int64_t tokens_reporting = 0;
  double tokens_input = 0;
  double tokens_output = 0;
  double tokens_cache_read = 0;
  double tokens_cache_creation = 0;
  std::int64_t edits_reporting = 0;
  double edits_accepted = 0;
  double edits_rejected = 0;
};

TaskAggregate read_tasks(const store::EventStore& db, double start, double end) {
  RangeQuery q(db, queries::kTasks, start, end);
  TaskAggregate a;
  if (!q.has_row()) return a;
  a.tasks = q.count(0);
  a.successes = q.real(1);
  a.duration_sum = q.real(2);
  a.success_duration_sum = q.real(3);
  a.autonomous_successes = q.real(4);
  a.interventions = q.real(5);
  a.ai_reporting = q.count(6);
  a.ai_generated = q.real(7);
  a.ai_accepted = q.real(8);
  a.saved_reporting = q.count(9);
  a.saved_sum = q.real(10);
  a.saved_total_time = q.real(11);
  a.prompts_reporting = q.count(12);
  a.prompts_sent = q.real(13);
  a.prompts_useful = q.real(14);
  a.cost_reporting = q.count(15);
  a.cost = q.real(16);
  a.cost_successes = q.real(17);
  a.tokens_reporting = q.count(18);
  a.tokens_input = q.real(19);
  a.tokens_output = q.real(20);
  a.tokens_cache_read = q.real(21);
  a.tokens_cache_creation = q.real(22);
  a.edits_reporting = q.count(23);
  a.edits_accepted = q.real(24);
  a.edits_rejected = q.real(25);
  return a;
}

struct CommitAggregate {
  std::int64_t commits = 0;
  double lines = 0;
};

CommitAggregate read_commits(const store::EventStore& db, double start, double end) {
  RangeQuery q(db, queries::kCommits, start, end);
  if (!q.has_row()) return {};
  return {q.count(0), q.real(1)};
}

std::optional<double> ratio(double numerator, double denominator, double scale) {
  if (denominator <= 0) return std::nullopt;
  return scale * numerator / denominator;
}

// Reads one number per row of a statement over [start, end).
std::vector<double> column_values(const store::EventStore& db, std::string_view sql, double start, double end) {
  std::vector<double> values;
  for (RangeQuery q(db, sql, start, end); q.has_row(); q.next()) {
    if (!q.null(0)) values.push_back(q.real(0));
  }
  return values;
}

void check_window(std::chrono::seconds window) {
  if (window.count() < 1) throw std::invalid_argument("KPI window must be at least one second long");
}

std::size_t index_of(std::string_view id) {
  const KpiDefinition* d = find_kpi(id);
  if (!d) throw std::logic_error("KPI engine: no KPI " + std::string(id) + " in the catalogue");
  return kpi_index(*d);
}

}  // namespace

KpiEngine::KpiEngine(const store::EventStore& db, const KpiSettings& settings)
    : db_(db), thresholds_(resolve_thresholds(settings.overrides)) {}

KpiEngine::Measured KpiEngine::distribution(std::vector<double> values, double scale) {
  const auto d = distribution_of(std::move(values));
  if (!d) return {};
  return {d->mean * scale, static_cast<std::int64_t>(d->count), {{"median", d->median * scale}, {"p75", d->p75 * scale}}};
}

std::vector<KpiEngine::Measured> KpiEngine::measure(double start, double end) const {
  const double length = end - start;
  std::vector<Measured> m(kpi_catalogue().size());
  const auto at = [&](std::string_view id) -> Measured& { return m[index_of(id)]; };

  // Tasks.
  const TaskAggregate t = read_tasks(db_, start, end);
  const auto tasks = static_cast<double>(t.tasks);
  if (t.tasks > 0) {
    at("throughput") = {t.successes * kWeek / length, t.tasks, {}};
    at("task_completion_rate") = {100 * t.successes / tasks, t.tasks, {}};
    at("ai_task_completion_rate") = {100 * t.autonomous_successes / tasks, t.tasks, {}};
    at("human_intervention_rate") = {100 * t.interventions / tasks, t.tasks, {}};
  }
  at("average_task_duration") = {ratio(t.success_duration_sum, t.successes, 1 / kHour), static_cast<std::int64_t>(t.successes), {}};
  if (t.ai_reporting > 0) {
    at("ai_code_acceptance") = {ratio(t.ai_accepted, t.ai_generated, 100), t.ai_reporting, {}};
  } else if (t.edits_reporting > 0) {
    // The agents' telemetry counts edits offered and taken, not lines: the share of edits
    // accepted stands in where no task reports its AI lines.
    at("ai_code_acceptance") = {ratio(t.edits_accepted, t.edits_accepted + t.edits_rejected, 100),
                                t.edits_reporting,
                                {{"edits_accepted", t.edits_accepted}, {"edits_rejected", t.edits_rejected}}};
  }
  at("time_saved_by_ai") = {ratio(t.saved_sum, t.saved_total_time, 100), t.saved_reporting, {}};
  at("ai_prompt_success_rate") = {ratio(t.prompts_useful, t.prompts_sent, 100), t.prompts_reporting, {}};
  // The window's spend is given even when nothing succeeded (and the value is unknown).
  if (t.cost_reporting > 0) {
    at("cost_per_successful_task") = {
        ratio(t.cost, t.cost_successes, 1), t.cost_reporting, {{"cost_usd", t.cost}, {"successful_tasks", t.cost_successes}}};
  }
  if (t.tokens_reporting > 0) {
    const auto reporting = static_cast<double>(t.tokens_reporting);
    const double tokens = t.tokens_input + t.tokens_output + t.tokens_cache_read + t.tokens_cache_creation;
    at("tokens_per_task") = {tokens / reporting,
                             t.tokens_reporting,
                             {{"input", t.tokens_input / reporting},
                              {"output", t.tokens_output / reporting},
                              {"cache_read", t.tokens_cache_read / reporting},
                              {"cache_creation", t.tokens_cache_creation / reporting}}};
  }

  // Pipeline runs.
  {
    RangeQuery q(db_, queries::kPipelines, start, end);
    const std::int64_t runs = q.has_row() ? q.count(0) : 0;
    at("pipeline_success_rate") = {ratio(q.has_row() ? q.real(1) : 0, static_cast<double>(runs), 100), runs, {}};
  }

  // Test runs.
  {
    RangeQuery q(db_, queries::kTestRuns, start, end);
    const std::int64_t runs = q.has_row() ? q.count(0) : 0;
    if (runs > 0) {
      at("test_execution_time") = {q.real(1) / static_cast<double>(runs) / 60, runs, {}};
      at("flaky_test_rate") = {ratio(q.real(3), q.real(2), 100), runs, {}};
    }
  }

  // Coverage: the latest measurement.
  {
    RangeQuery q(db_, queries::kCoverage, start, end);
    if (q.has_row()) at("code_coverage") = {q.optional(0), q.count(1), {}};
  }

  // Technical debt: the latest estimate.
  {
    RangeQuery q(db_, queries::kTechDebt, start, end);
    if (q.has_row()) {
      const auto remediation = q.optional(0);
      const auto development = q.optional(1);
      if (remediation && development) at("technical_debt_ratio") = {ratio(*remediation, *development, 100), q.count(2), {}};
    }
  }

  // Deployments.
  {
    RangeQuery q(db_, queries::kDeployments, start, end);
    const std::int64_t deployments = q.has_row() ? q.count(0) : 0;
    if (deployments > 0) {
      at("deployment_frequency") = {q.real(1) * kDay / length, deployments, {}};
      at("rollback_frequency") = {q.real(2) * kWeek / length, deployments, {}};
      at("change_failure_rate") = {ratio(q.real(3), static_cast<double>(deployments), 100), deployments, {}};
    }
    at("lead_time") = distribution(column_values(db_, queries::kLeadTimes, start, end), 1 / kHour);
    std::vector<DeploymentRecord> history;
    for (RangeQuery h(db_, queries::kDeploymentHistory, start - kRecoveryLookback, end); h.has_row(); h.next()) {
      history.push_back({h.real(0), h.text(1), h.text(2), h.real(3) != 0, h.real(4) != 0});
    }
    at("failed_deployment_recovery_time") = distribution(recovery_durations(history, start, end), 1 / kHour);
  }

  // Bugs, one per id.
  {
    RangeQuery q(db_, queries::kBugs, start, end);
    if (q.has_row()) {
      const std::int64_t detected = q.count(0);
      const std::int64_t escaped = q.count(1);
      const std::int64_t with_introduced = q.count(2);
      const std::int64_t resolved = q.count(4);
      at("mean_time_to_detection") = {ratio(q.real(3), static_cast<double>(with_introduced), 1 / kHour), with_introduced, {}};
      at("mean_time_to_resolution") = {ratio(q.real(5), static_cast<double>(resolved), 1 / kHour), resolved, {}};
      // Per 1000 lines of the code base's latest known size, which may have been reported
      // before the window: a quiet window then reads 0 escaped bugs, not "no data".
      const RangeQuery size(db_, queries::kCodebaseLines, end);
      if (size.has_row() && !size.null(0)) {
        const double lines = size.real(0);
        at("defect_escape_rate") = {ratio(static_cast<double>(escaped), lines, 1000), detected, {{"codebase_lines", lines}}};
      }
    }
  }

  // Pull requests, each field of an id from its latest event that has it.
  {
    std::vector<PullRequestEvent> events;
    for (RangeQuery q(db_, queries::kPullRequestEvents, start, end); q.has_row(); q.next()) {
      PullRequestEvent& e = events.emplace_back();
      if (!q.null(0)) e.id = q.text(0);
      e.opened = q.optional(1);
      e.ready = q.optional(2);
      e.first_review = q.optional(3);
      e.merged = q.optional(4);
      e.lines = q.optional(5);
    }
    const auto in_window = [&](const std::optional<double>& moment) { return moment && *moment >= start && *moment < end; };
    std::vector<double> cycle, sizes, reviews;
    for (const PullRequestState& pr : pull_request_states(events)) {
      if (in_window(pr.merged) && pr.opened) {
        cycle.push_back(*pr.merged - *pr.opened);
        if (pr.lines) sizes.push_back(*pr.lines);
      }
      if (in_window(pr.first_review) && pr.review_requested()) reviews.push_back(*pr.first_review - *pr.review_requested());
    }
    at("cycle_time") = distribution(std::move(cycle), 1 / kHour);
    at("average_pr_size") = distribution(std::move(sizes), 1);
    at("review_turnaround_time") = distribution(std::move(reviews), 1 / kHour);
  }

  // Code churn: this window against the mean of the earlier ones that saw commits.
  {
    const CommitAggregate now = read_commits(db_, start, end);
    double baseline_lines = 0;
    int baseline_windows = 0;
    for (int k = 1; k <= kChurnBaselineWindows; ++k) {
      const CommitAggregate before = read_commits(db_, start - k * length, end - k * length);
      if (before.commits == 0) continue;
      baseline_lines += before.lines;
      ++baseline_windows;
    }
    Measured& churn = at("code_churn");
    churn.samples = now.commits;
    churn.details["lines_per_week"] = now.lines * kWeek / length;
    churn.details["baseline_windows"] = baseline_windows;
    if (baseline_windows > 0) {
      const double normal = baseline_lines / baseline_windows;
      churn.details["baseline_lines_per_week"] = normal * kWeek / length;
      churn.value = ratio(now.lines, normal, 1);
    }
  }
  return m;
}

std::vector<KpiResult> KpiEngine::compute(std::chrono::seconds window, double now_unix) const {
  check_window(window);
  const auto length = static_cast<double>(window.count());
  // One snapshot for all the queries: the collector may commit between two of them.
  const auto snapshot = db_.snapshot();
  std::vector<Measured> current = measure(now_unix - length, now_unix);
  const std::vector<Measured> previous = measure(now_unix - 2 * length, now_unix - length);

  const auto catalogue = kpi_catalogue();
  std::vector<KpiResult> results;
  results.reserve(catalogue.size());
  for (std::size_t i = 0; i < catalogue.size(); ++i) {
    KpiResult r;
    r.definition = &catalogue[i];
    r.value = current[i].value;
    r.thresholds = thresholds_[i];
    r.status = classify(catalogue[i], r.thresholds, r.value);
    r.previous = previous[i].value;
    r.samples = current[i].samples;
    r.details = std::move(current[i].details);
    const std::string_view id = catalogue[i].id;
    if (r.value && is_dora_key(id)) {
      const auto median = r.details.find("median");
      if (!dora_band_uses_median(id)) {
        r.dora_band = dora_band(id, *r.value);
      } else if (median != r.details.end()) {
        r.dora_band = dora_band(id, median->second);
      }
    }
    results.push_back(std::move(r));
  }
  return results;
}

TaskFigures KpiEngine::task_figures(std::chrono::seconds window, double now_unix) const {
  check_window(window);
  const TaskAggregate t = read_tasks(db_, now_unix - static_cast<double>(window.count()), now_unix);
  TaskFigures f;
  f.tasks = t.tasks;
  f.tasks_completed = static_cast<std::int64_t>(t.successes);
  if (t.tasks > 0) {
    f.success_rate = t.successes / static_cast<double>(t.tasks);
    f.avg_task_duration_seconds = t.duration_sum / static_cast<double>(t.tasks);
  }
  if (t.cost_reporting > 0) f.cost_usd = t.cost;
  return f;
}

std::map<std::string, double> KpiEngine::ai_success_rate_by_agent(std::chrono::seconds window, double now_unix) const {
  check_window(window);
  RangeQuery q(db_, queries::kTasksByAgent, now_unix - static_cast<double>(window.count()), now_unix);
  std::map<std::string, double> rates;
  for (bool row = q.has_row(); row; row = q.next()) {
    if (q.null(0)) continue;  // agent_type is required; a NULL cannot be labelled
    const std::int64_t tasks = q.count(1);
    if (tasks > 0) rates[q.text(0)] = q.real(2) / static_cast<double>(tasks);
  }
  return rates;
}

std::vector<std::vector<std::optional<double>>> KpiEngine::value_series(std::chrono::seconds window, double now_unix, int points) const {
  constexpr int kMaxPoints = 100;
  if (points < 1 || points > kMaxPoints) throw std::invalid_argument("a KPI series has 1 to 100 points");
  const double slice = static_cast<double>(window.count()) / points;
  if (slice < 1) throw std::invalid_argument("a KPI series' slice must be at least a second");
  const auto snapshot = db_.snapshot();
  std::vector<std::vector<std::optional<double>>> series(kpi_catalogue().size());
  for (int i = 0; i < points; ++i) {
    const double start = now_unix - static_cast<double>(window.count()) + i * slice;
    const std::vector<Measured> m = measure(start, start + slice);
    for (std::size_t k = 0; k < m.size(); ++k) series[k].push_back(m[k].value);
  }
  return series;
}

std::vector<DailyUsage> KpiEngine::usage_by_day(std::chrono::seconds window, double now_unix) const {
  check_window(window);
  RangeQuery q(db_, queries::kTaskUsageByDay, now_unix - static_cast<double>(window.count()), now_unix);
  std::vector<DailyUsage> days;
  for (bool row = q.has_row(); row; row = q.next()) {
    DailyUsage u;
    u.day = q.text(0);
    u.agent_type = q.null(1) ? "" : q.text(1);
    u.model = q.null(2) ? "" : q.text(2);
    u.tasks = q.count(3);
    u.tokens_input = q.real(4);
    u.tokens_output = q.real(5);
    u.tokens_cache_read = q.real(6);
    u.tokens_cache_creation = q.real(7);
    u.tasks_with_cost = q.count(8);
    u.cost_usd = q.real(9);
    days.push_back(std::move(u));
  }
  return days;
}

}  // namespace agentmetrics::kpi
