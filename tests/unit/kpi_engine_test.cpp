// The KPI engine over a real store: a generated history whose every KPI is worked out here by
// plain arithmetic from the generated inputs, statuses at their boundaries, overrides, the
// previous window, events outside the window, the latest event of a bug or pull request id,
// the /health figures, and the queries' use of the (kind, time) index.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "collector/common/duration.h"
#include "collector/store/sqlite_event_store.h"
#include "collector/kpi/kpi_engine.h"
#include "collector/kpi/kpi_queries.h"
#include "ipc/outcome_event.h"
#include "collector/store/sqlite_statement.h"
#include "collector/store/event_sql.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_clock.h"

namespace {

using namespace agentmetrics;
using namespace agentmetrics::kpi;
using namespace std::chrono_literals;
using ipc::FieldValue;
using ipc::OutcomeKind;
using Fields = std::map<std::string, FieldValue, std::less<>>;

using agentmetrics::testing::kDay;
using agentmetrics::testing::kHour;
using agentmetrics::testing::kNow;
constexpr double kWeek = 7 * kDay;

// Field values of the intended alternative.
FieldValue num(double v) { return v; }
FieldValue flag(bool v) { return v; }
FieldValue text(std::string v) { return v; }

class KpiStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = store::SqliteEventStore::open(dir_.path() + "/events.db", store::SqliteEventStore::Mode::kReadWrite); }

  // Queues an event, checked against its kind's schema; engine() stores the queue.
  void add(OutcomeKind kind, double time, Fields fields) {
    ipc::OutcomeEvent e;
    e.kind = kind;
    e.producer_id = 77;
    e.sequence = ++sequence_;
    e.time = time;
    e.fields = std::move(fields);
    const std::string problem = ipc::check_event(e);
    ASSERT_EQ(problem, "") << "test event #" << sequence_ << " is invalid";
    pending_.push_back(std::move(e));
  }
  void flush() {
    if (pending_.empty()) return;
    ASSERT_EQ(store_->insert(pending_, kNow), pending_.size());
    pending_.clear();
  }
  KpiEngine engine(const KpiSettings& settings = {}) {
    flush();
    return KpiEngine(*store_, settings);
  }
  std::vector<KpiResult> compute(std::chrono::seconds window = 7 * 24h, const KpiSettings& settings = {}) {
    return engine(settings).compute(window, kNow);
  }
  // A copy: callers often pass a temporary.
  static KpiResult find(const std::vector<KpiResult>& results, std::string_view id) {
    for (const auto& r : results) {
      if (r.definition->id == id) return r;
    }
    throw std::runtime_error("no result for " + std::string(id));
  }
  std::optional<double> value_of(std::string_view id, std::chrono::seconds window = 7 * 24h) { return find(compute(window), id).value; }
  KpiStatus status_of(std::string_view id, std::chrono::seconds window = 7 * 24h) { return find(compute(window), id).status; }

  agentmetrics::testing::TempDir dir_;
  std::unique_ptr<store::SqliteEventStore> store_;
  std::vector<ipc::OutcomeEvent> pending_;
  std::uint64_t sequence_ = 0;
};

void expect_value(const std::optional<double>& actual, const std::optional<double>& expected, const std::string& what) {
  if (!expected) {
    EXPECT_FALSE(actual.has_value()) << what << " should have no data but is " << *actual;
    return;
  }
  ASSERT_TRUE(actual.has_value()) << what << " should be " << *expected << " but has no data";
  EXPECT_NEAR(*actual, *expected, 1e-9 * std::max(1.0, std::fabs(*expected))) << what;
}

// ---------------------------------------------------------------------------------------------
// The generated history. Records are kept as plain structs; the expected values below are
// worked out from them with loops and arithmetic, not with the engine's code.

struct Range {
  double start, end;
  bool has(double t) const { return t >= start && t < end; }
  double length() const { return end - start; }
};

struct Task {
  double time;
  std::string agent;
  bool success;
  double duration;
  std::optional<bool> intervention;
  std::optional<double> generated, accepted, saved, sent, useful;
  std::optional<double> cost;
  std::optional<std::array<double, 4>> tokens;  // input, output, cache read, cache creation
  std::optional<double> edits_accepted, edits_rejected;
};
struct Pipeline {
  double time;
  bool success;
};
struct TestRun {
  double time, tests, duration;
  std::optional<double> flaky;
};
struct Coverage {
  double time, percent;
};
struct TechDebt {
  double time, remediation, development;
};
struct Deployment {
  double time;
  bool success;
  std::optional<bool> rollback;
  std::optional<double> commit_time;
};
struct Bug {  // one event of a bug
  double time;
  std::optional<std::string> id;
  double detected;
  std::optional<double> introduced, resolved, codebase_lines;
  std::optional<bool> escaped;
};
struct PullRequest {  // one event of a pull request
  double time;
  std::optional<std::string> id;
  double opened, lines;
  std::optional<double> first_review, merged;
};
struct Commit {
  double time, added, deleted;
};

struct History {
  std::vector<Task> tasks;
  std::vector<Pipeline> pipelines;
  std::vector<TestRun> test_runs;
  std::vector<Coverage> coverage;
  std::vector<TechDebt> tech_debt;
  std::vector<Deployment> deployments;
  std::vector<Bug> bugs;
  std::vector<PullRequest> pull_requests;
  std::vector<Commit> commits;
};

History generate() {
  std::mt19937_64 rng(20261124);
  const auto uniform = [&](double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); };
  const auto chance = [&](double p) { return uniform(0, 1) < p; };
  const auto whole = [&](double a, double b) { return std::floor(uniform(a, b)); };
  // Times over 2.5 weeks before now and a little after (events that must not count).
  const auto when = [&] { return uniform(kNow - 2.5 * kWeek, kNow + 0.2 * kWeek); };
  const std::vector<std::string> agents = {"build", "plan", "review"};

  History h;
  for (int i = 0; i < 400; ++i) {
    Task t{
        when(), agents[static_cast<std::size_t>(i) % agents.size()], chance(0.8), uniform(600, 30000), {}, {}, {}, {}, {}, {}, {}, {}, {},
        {}};
    if (chance(0.7)) t.intervention = chance(0.3);
    if (chance(0.5)) {
      t.generated = whole(10, 500);
      if (chance(0.9)) t.accepted = std::floor(*t.generated * uniform(0, 1));
    }
    if (chance(0.4)) t.saved = uniform(0, 20000);
    if (chance(0.6)) {
      t.sent = whole(1, 30);
      if (chance(0.9)) t.useful = std::floor(*t.sent * uniform(0, 1));
    }
    // Sessions from the agents' telemetry: cost, tokens, edits.
    if (chance(0.6)) t.cost = uniform(0, 8);
    if (chance(0.6)) t.tokens = std::array{whole(0, 50000), whole(0, 8000), whole(0, 2'000'000), whole(0, 100000)};
    if (chance(0.4)) t.edits_accepted = whole(0, 20);
    if (chance(0.4)) t.edits_rejected = whole(0, 5);
    h.tasks.push_back(t);
  }
  for (int i = 0; i < 150; ++i) h.pipelines.push_back({when(), chance(0.9)});
  for (int i = 0; i < 80; ++i) {
    TestRun r{when(), whole(50, 500), uniform(60, 900), {}};
    if (chance(0.7)) r.flaky = whole(0, 12);
    h.test_runs.push_back(r);
  }
  for (int i = 0; i < 12; ++i) h.coverage.push_back({when(), uniform(60, 95)});
  for (int i = 0; i < 6; ++i) h.tech_debt.push_back({when(), uniform(10, 300), uniform(500, 1500)});
  for (int i = 0; i < 90; ++i) {
    Deployment d{when(), chance(0.85), {}, {}};
    if (chance(0.6)) d.rollback = chance(0.15);
    if (chance(0.7)) d.commit_time = d.time - uniform(kHour, 100 * kHour);
    h.deployments.push_back(d);
  }
  for (int i = 0; i < 40; ++i) {
    // A bug with an id: an event when found, and another when resolved.
    const double introduced = uniform(kNow - 3 * kWeek, kNow);
    const double detected = introduced + uniform(kHour, 72 * kHour);
    const std::optional<double> intro = chance(0.8) ? std::optional(introduced) : std::nullopt;
    const std::optional<bool> escaped = chance(0.8) ? std::optional(chance(0.3)) : std::nullopt;
    const std::string id = "BUG-" + std::to_string(i);
    h.bugs.push_back({detected, id, detected, intro, {}, 50000 + 1000.0 * i, escaped});
    if (chance(0.7)) {
      const double resolved = detected + uniform(kHour, 40 * kHour);
      const std::optional<double> lines = chance(0.5) ? std::optional(60000 + 1000.0 * i) : std::nullopt;
      h.bugs.push_back({resolved, id, detected, intro, resolved, lines, escaped});
    }
  }
  for (int i = 0; i < 8; ++i) {
    // Bugs without an id: each event is a bug of its own.
    const double detected = when();
    std::optional<double> resolved;
    if (chance(0.5)) resolved = detected + uniform(kHour, 30 * kHour);
    h.bugs.push_back(
        {resolved.value_or(detected), std::nullopt, detected, detected - uniform(kHour, 50 * kHour), resolved, std::nullopt, chance(0.5)});
  }
  for (int i = 0; i < 30; ++i) {
    // A pull request with an id: opened, reviewed, merged, its size changing on the way.
    const double opened = uniform(kNow - 2.5 * kWeek, kNow);
    const std::string id = "PR-" + std::to_string(i);
    const double lines = whole(10, 1500);
    h.pull_requests.push_back({opened, id, opened, lines, {}, {}});
    if (!chance(0.8)) continue;
    const double review = opened + uniform(0.2 * kHour, 6 * kHour);
    h.pull_requests.push_back({review, id, opened, lines, review, {}});
    if (!chance(0.8)) continue;
    const double merged = review + uniform(0.5 * kHour, 10 * kHour);
    h.pull_requests.push_back({merged, id, opened, lines + whole(0, 200), review, merged});
  }
  for (int i = 0; i < 5; ++i) {
    const double opened = when();
    const double merged = opened + uniform(kHour, 20 * kHour);
    h.pull_requests.push_back({merged, std::nullopt, opened, whole(10, 900), opened + kHour, merged});
  }
  // Commits in the six weeks before now (none in the fourth) and a few after it.
  for (int k = 0; k < 6; ++k) {
    if (k == 3) continue;
    const int n = 5 + 3 * k;
    for (int i = 0; i < n; ++i) {
      h.commits.push_back({uniform(kNow - (k + 1) * kWeek, kNow - k * kWeek), whole(0, 400), whole(0, 200)});
    }
  }
  for (int i = 0; i < 4; ++i) h.commits.push_back({kNow + uniform(0, kDay), 5000, 5000});
  return h;
}

std::optional<double> mean(double sum, double n) { return n > 0 ? std::optional(sum / n) : std::nullopt; }

// Latest event per id among those in the range; events without an id all count.
template <typename Event>
std::vector<Event> latest_per_id(const std::vector<Event>& events, const Range& r) {
  std::vector<Event> out;
  std::map<std::string, Event> by_id;
  for (const auto& e : events) {
    if (!r.has(e.time)) continue;
    if (!e.id) {
      out.push_back(e);
      continue;
    }
    auto it = by_id.find(*e.id);
    if (it == by_id.end() || e.time > it->second.time) by_id.insert_or_assign(*e.id, e);
  }
  for (const auto& [id, e] : by_id) out.push_back(e);
  return out;
}

std::map<std::string, std::optional<double>> expected_values(const History& h, const Range& r) {
  std::map<std::string, std::optional<double>> x;
  const double length = r.length();

  // Tasks.
  double n = 0, ok = 0, ok_duration = 0, autonomous = 0, interventions = 0;
  double generated = 0, accepted = 0, saved = 0, saved_total = 0, sent = 0, useful = 0;
  double generating = 0, costed = 0, cost = 0, costed_ok = 0, tokened = 0, tokens = 0, editing = 0, edits_accepted = 0, edits_rejected = 0;
  for (const auto& t : h.tasks) {
    if (!r.has(t.time)) continue;
    ++n;
    if (t.success) {
      ++ok;
      ok_duration += t.duration;
      if (!t.intervention.value_or(false)) ++autonomous;
    }
    if (t.intervention.value_or(false)) ++interventions;
    if (t.cost) {
      ++costed;
      cost += *t.cost;
      costed_ok += t.success;
    }
    if (t.tokens) {
      ++tokened;
      for (const double count : *t.tokens) tokens += count;
    }
    if (t.edits_accepted || t.edits_rejected) {
      ++editing;
      edits_accepted += t.edits_accepted.value_or(0);
      edits_rejected += t.edits_rejected.value_or(0);
    }
    if (t.generated) {
      ++generating;
      generated += *t.generated;
      accepted += t.accepted.value_or(0);
    }
    if (t.saved) {
      saved += *t.saved;
      saved_total += t.duration + *t.saved;
    }
    // A task that counts its prompts without judging them (a session of the agents' telemetry)
    // says nothing of their success.
    if (t.sent && t.useful) {
      sent += *t.sent;
      useful += *t.useful;
    }
  }
  if (n > 0) {
    x["throughput"] = ok * kWeek / length;
    x["task_completion_rate"] = 100 * ok / n;
    x["ai_task_completion_rate"] = 100 * autonomous / n;
    x["human_intervention_rate"] = 100 * interventions / n;
  }
  if (ok > 0) x["average_task_duration"] = ok_duration / ok / kHour;
  if (generated > 0) x["ai_code_acceptance"] = 100 * accepted / generated;
  // Without any task reporting its AI lines, the sessions' edits stand in.
  if (generating == 0 && editing > 0 && edits_accepted + edits_rejected > 0) {
    x["ai_code_acceptance"] = 100 * edits_accepted / (edits_accepted + edits_rejected);
  }
  if (costed_ok > 0) x["cost_per_successful_task"] = cost / costed_ok;
  if (tokened > 0) x["tokens_per_task"] = tokens / tokened;
  if (saved_total > 0) x["time_saved_by_ai"] = 100 * saved / saved_total;
  if (sent > 0) x["ai_prompt_success_rate"] = 100 * useful / sent;

  // Pipelines and tests.
  double runs = 0, runs_ok = 0;
  for (const auto& p : h.pipelines) {
    if (!r.has(p.time)) continue;
    ++runs;
    if (p.success) ++runs_ok;
  }
  if (runs > 0) x["pipeline_success_rate"] = 100 * runs_ok / runs;
  double test_runs = 0, test_time = 0, tests = 0, flaky = 0;
  for (const auto& t : h.test_runs) {
    if (!r.has(t.time)) continue;
    ++test_runs;
    test_time += t.duration;
    tests += t.tests;
    flaky += t.flaky.value_or(0);
  }
  if (test_runs > 0) x["test_execution_time"] = test_time / test_runs / 60;
  if (tests > 0) x["flaky_test_rate"] = 100 * flaky / tests;

  // The latest coverage and technical-debt estimate.
  const Coverage* coverage = nullptr;
  for (const auto& c : h.coverage) {
    if (r.has(c.time) && (!coverage || c.time > coverage->time)) coverage = &c;
  }
  if (coverage) x["code_coverage"] = coverage->percent;
  const TechDebt* debt = nullptr;
  for (const auto& d : h.tech_debt) {
    if (r.has(d.time) && (!debt || d.time > debt->time)) debt = &d;
  }
  if (debt) x["technical_debt_ratio"] = 100 * debt->remediation / debt->development;

  // Deployments.
  double deployments = 0, deployed = 0, rollbacks = 0, lead_sum = 0, lead_n = 0;
  for (const auto& d : h.deployments) {
    if (!r.has(d.time)) continue;
    ++deployments;
    if (d.rollback.value_or(false)) ++rollbacks;
    if (!d.success) continue;
    ++deployed;
    if (d.commit_time) {
      lead_sum += d.time - *d.commit_time;
      ++lead_n;
    }
  }
  if (deployments > 0) {
    x["deployment_frequency"] = deployed * kDay / length;
    x["rollback_frequency"] = rollbacks * kWeek / length;
    if (lead_n > 0) x["lead_time"] = lead_sum / lead_n / kHour;
  }
  // DORA's stability keys. Changes that failed: deployments that failed or were rollbacks.
  double failed_changes = 0;
  for (const auto& d : h.deployments) {
    if (r.has(d.time) && (!d.success || d.rollback.value_or(false))) ++failed_changes;
  }
  if (deployments > 0) x["change_failure_rate"] = 100 * failed_changes / deployments;
  // Recoveries ending in the window (failures looked for up to 30 days before it): a run of
  // failures ends at the next success; a rollback ends the failure of the success before it.
  std::vector<Deployment> ordered;
  for (const auto& d : h.deployments) {
    if (d.time >= r.start - 30 * kDay && d.time < r.end) ordered.push_back(d);
  }
  std::sort(ordered.begin(), ordered.end(), [](const Deployment& a, const Deployment& b) { return a.time < b.time; });
  double recovered = 0, recovery_sum = 0;
  std::optional<double> failing_since, last_success;
  for (const auto& d : ordered) {
    if (!d.success) {
      if (!failing_since) failing_since = d.time;
      continue;
    }
    const std::optional<double> began = failing_since ? failing_since : d.rollback.value_or(false) ? last_success : std::nullopt;
    if (began && r.has(d.time)) {
      recovery_sum += d.time - *began;
      ++recovered;
    }
    failing_since.reset();
    last_success = d.time;
  }
  if (recovered > 0) x["failed_deployment_recovery_time"] = recovery_sum / recovered / kHour;

  // Bugs.
  double escaped = 0, detect_sum = 0, detect_n = 0, resolve_sum = 0, resolve_n = 0;
  for (const auto& b : latest_per_id(h.bugs, r)) {
    if (r.has(b.detected)) {
      if (b.escaped.value_or(false)) ++escaped;
      if (b.introduced) {
        detect_sum += b.detected - *b.introduced;
        ++detect_n;
      }
    }
    if (b.resolved && r.has(*b.resolved)) {
      resolve_sum += *b.resolved - b.detected;
      ++resolve_n;
    }
  }
  if (auto m = mean(detect_sum, detect_n)) x["mean_time_to_detection"] = *m / kHour;
  if (auto m = mean(resolve_sum, resolve_n)) x["mean_time_to_resolution"] = *m / kHour;
  const Bug* sized = nullptr;  // the latest size reported before the window's end
  for (const auto& b : h.bugs) {
    if (b.codebase_lines && b.time < r.end && (!sized || b.time > sized->time)) sized = &b;
  }
  if (sized) x["defect_escape_rate"] = escaped * 1000 / *sized->codebase_lines;

  // Pull requests.
  double merged = 0, cycle_sum = 0, size_sum = 0, reviewed = 0, review_sum = 0;
  for (const auto& p : latest_per_id(h.pull_requests, r)) {
    if (p.merged && r.has(*p.merged)) {
      ++merged;
      cycle_sum += *p.merged - p.opened;
      size_sum += p.lines;
    }
    if (p.first_review && r.has(*p.first_review)) {
      ++reviewed;
      review_sum += *p.first_review - p.opened;
    }
  }
  if (merged > 0) {
    x["cycle_time"] = cycle_sum / merged / kHour;
    x["average_pr_size"] = size_sum / merged;
  }
  if (reviewed > 0) x["review_turnaround_time"] = review_sum / reviewed / kHour;

  // Code churn against the earlier windows that saw commits.
  const auto churn = [&](const Range& w, double& count) {
    double lines = 0;
    count = 0;
    for (const auto& c : h.commits) {
      if (!w.has(c.time)) continue;
      lines += c.added + c.deleted;
      ++count;
    }
    return lines;
  };
  double count = 0;
  const double current = churn(r, count);
  double baseline = 0, windows = 0;
  for (int k = 1; k <= 4; ++k) {
    const double lines = churn({r.start - k * length, r.end - k * length}, count);
    if (count == 0) continue;
    baseline += lines;
    ++windows;
  }
  if (windows > 0) x["code_churn"] = current / (baseline / windows);
  return x;
}

class KpiHistoryTest : public KpiStoreTest {
 protected:
  void store(const History& h) {
    for (const auto& t : h.tasks) {
      Fields f{{"agent_type", text(t.agent)},
               {"task_type", text("feature")},
               {"success", flag(t.success)},
               {"duration_seconds", num(t.duration)}};
      if (t.intervention) f["human_intervention"] = flag(*t.intervention);
      if (t.generated) f["ai_lines_generated"] = num(*t.generated);
      if (t.accepted) f["ai_lines_accepted"] = num(*t.accepted);
      if (t.saved) f["time_saved_seconds"] = num(*t.saved);
      if (t.sent) f["prompts_sent"] = num(*t.sent);
      if (t.useful) f["prompts_useful"] = num(*t.useful);
      if (t.cost) f["cost_usd"] = num(*t.cost);
      if (t.tokens) {
        f["tokens_input"] = num((*t.tokens)[0]);
        f["tokens_output"] = num((*t.tokens)[1]);
        f["tokens_cache_read"] = num((*t.tokens)[2]);
        f["tokens_cache_creation"] = num((*t.tokens)[3]);
      }
      if (t.edits_accepted) f["edits_accepted"] = num(*t.edits_accepted);
      if (t.edits_rejected) f["edits_rejected"] = num(*t.edits_rejected);
      add(OutcomeKind::kTask, t.time, f);
    }
    for (const auto& p : h.pipelines) {
      add(OutcomeKind::kPipeline, p.time, {{"stage", text("build")}, {"success", flag(p.success)}, {"duration_seconds", num(42)}});
    }
    for (const auto& t : h.test_runs) {
      Fields f{{"tests", num(t.tests)}, {"duration_seconds", num(t.duration)}};
      if (t.flaky) f["flaky"] = num(*t.flaky);
      add(OutcomeKind::kTestRun, t.time, f);
    }
    for (const auto& c : h.coverage) add(OutcomeKind::kCoverage, c.time, {{"percent", num(c.percent)}});
    for (const auto& d : h.tech_debt) {
      add(OutcomeKind::kTechDebt, d.time, {{"remediation_hours", num(d.remediation)}, {"development_hours", num(d.development)}});
    }
    for (const auto& d : h.deployments) {
      Fields f{{"success", flag(d.success)}};
      if (d.rollback) f["rollback"] = flag(*d.rollback);
      if (d.commit_time) f["commit_time"] = num(*d.commit_time);
      add(OutcomeKind::kDeployment, d.time, f);
    }
    for (const auto& b : h.bugs) {
      Fields f{{"detected", num(b.detected)}};
      if (b.id) f["id"] = text(*b.id);
      if (b.introduced) f["introduced"] = num(*b.introduced);
      if (b.resolved) f["resolved"] = num(*b.resolved);
      if (b.codebase_lines) f["codebase_lines"] = num(*b.codebase_lines);
      if (b.escaped) f["escaped"] = flag(*b.escaped);
      add(OutcomeKind::kBug, b.time, f);
    }
    for (const auto& p : h.pull_requests) {
      Fields f{{"opened", num(p.opened)}, {"lines_changed", num(p.lines)}};
      if (p.id) f["id"] = text(*p.id);
      if (p.first_review) f["first_review"] = num(*p.first_review);
      if (p.merged) f["merged"] = num(*p.merged);
      add(OutcomeKind::kPullRequest, p.time, f);
    }
    for (const auto& c : h.commits) {
      add(OutcomeKind::kCommit, c.time, {{"lines_added", num(c.added)}, {"lines_deleted", num(c.deleted)}});
    }
    flush();
  }
};

TEST_F(KpiHistoryTest, EveryKpiMatchesTheHandComputedValueInSeveralWindows) {
  const History h = generate();
  store(h);
  const KpiEngine e = engine();
  for (const auto window : {std::chrono::seconds(7 * 24h), std::chrono::seconds(3 * 24h), std::chrono::seconds(24h)}) {
    const auto w = static_cast<double>(window.count());
    const auto results = e.compute(window, kNow);
    ASSERT_EQ(results.size(), 27u);
    const auto current = expected_values(h, {kNow - w, kNow});
    const auto previous = expected_values(h, {kNow - 2 * w, kNow - w});
    for (std::size_t i = 0; i < results.size(); ++i) {
      const KpiResult& r = results[i];
      const std::string id(r.definition->id);
      EXPECT_EQ(r.definition, &kpi_catalogue()[i]);
      const auto x = current.find(id);
      const auto p = previous.find(id);
      expect_value(r.value, x == current.end() ? std::nullopt : x->second, id + " over " + agentmetrics::format_duration(window));
      expect_value(r.previous, p == previous.end() ? std::nullopt : p->second,
                   id + " over the " + agentmetrics::format_duration(window) + " before");
      EXPECT_EQ(r.status, classify(*r.definition, r.definition->defaults, r.value)) << id;
      EXPECT_EQ(r.thresholds, r.definition->defaults) << id;
    }
  }
  // Every KPI has data over the week in this history, so none was compared as "both empty".
  const auto week = expected_values(h, {kNow - kWeek, kNow});
  EXPECT_EQ(week.size(), 27u);
  for (const auto& [id, v] : week) EXPECT_TRUE(v.has_value()) << id;
}

TEST_F(KpiHistoryTest, SamplesCountTheEventsBehindEachValue) {
  const History h = generate();
  store(h);
  const auto results = compute();
  const Range week{kNow - kWeek, kNow};
  std::int64_t tasks = 0, succeeded = 0, saved = 0, judged = 0, costed = 0, tokened = 0, deployments = 0, tests = 0, commits = 0;
  for (const auto& t : h.tasks) {
    if (!week.has(t.time)) continue;
    ++tasks;
    succeeded += t.success;
    saved += t.saved.has_value();
    judged += t.sent && t.useful;
    costed += t.cost.has_value();
    tokened += t.tokens.has_value();
  }
  for (const auto& d : h.deployments) deployments += week.has(d.time);
  for (const auto& t : h.test_runs) tests += week.has(t.time);
  for (const auto& c : h.commits) commits += week.has(c.time);
  EXPECT_EQ(find(results, "throughput").samples, tasks);
  EXPECT_EQ(find(results, "task_completion_rate").samples, tasks);
  EXPECT_EQ(find(results, "average_task_duration").samples, succeeded);
  EXPECT_EQ(find(results, "time_saved_by_ai").samples, saved);
  EXPECT_EQ(find(results, "ai_prompt_success_rate").samples, judged);
  EXPECT_EQ(find(results, "cost_per_successful_task").samples, costed);
  EXPECT_EQ(find(results, "tokens_per_task").samples, tokened);
  EXPECT_EQ(find(results, "deployment_frequency").samples, deployments);
  EXPECT_EQ(find(results, "test_execution_time").samples, tests);
  EXPECT_EQ(find(results, "code_churn").samples, commits);
}

TEST_F(KpiHistoryTest, CodeChurnDetailsGiveTheWeeklyLines) {
  const History h = generate();
  store(h);
  const KpiResult churn = find(compute(3 * 24h), "code_churn");
  const Range r{kNow - 3 * kDay, kNow};
  double lines = 0;
  for (const auto& c : h.commits) {
    if (r.has(c.time)) lines += c.added + c.deleted;
  }
  EXPECT_NEAR(churn.details.at("lines_per_week"), lines * 7 / 3, 1e-6);
  ASSERT_TRUE(churn.value);
  EXPECT_NEAR(churn.details.at("baseline_lines_per_week") * *churn.value, lines * 7 / 3, 1e-6);
}

TEST_F(KpiHistoryTest, AiSuccessRateByAgentAndTaskFigures) {
  const History h = generate();
  store(h);
  const KpiEngine e = engine();
  std::map<std::string, std::pair<double, double>> by_agent;  // tasks, successes
  double tasks = 0, succeeded = 0, duration = 0;
  for (const auto& t : h.tasks) {
    if (t.time < kNow - kDay || t.time >= kNow) continue;
    by_agent[t.agent].first += 1;
    by_agent[t.agent].second += t.success;
    ++tasks;
    succeeded += t.success;
    duration += t.duration;
  }
  const auto rates = e.ai_success_rate_by_agent(24h, kNow);
  ASSERT_EQ(rates.size(), by_agent.size());
  for (const auto& [agent, counts] : by_agent) EXPECT_DOUBLE_EQ(rates.at(agent), counts.second / counts.first) << agent;

  const TaskFigures f = e.task_figures(24h, kNow);
  EXPECT_EQ(static_cast<double>(f.tasks), tasks);
  EXPECT_EQ(static_cast<double>(f.tasks_completed), succeeded);
  ASSERT_TRUE(f.success_rate && f.avg_task_duration_seconds);
  EXPECT_DOUBLE_EQ(*f.success_rate, succeeded / tasks);
  EXPECT_NEAR(*f.avg_task_duration_seconds, duration / tasks, 1e-6);
}

// ---------------------------------------------------------------------------------------------

TEST_F(KpiStoreTest, AnEmptyStoreHasNoDataForEveryKpi) {
  const auto results = compute();
  ASSERT_EQ(results.size(), 27u);
  for (const auto& r : results) {
    EXPECT_FALSE(r.value) << r.definition->id;
    EXPECT_FALSE(r.previous) << r.definition->id;
    EXPECT_EQ(r.status, KpiStatus::kNoData) << r.definition->id;
    EXPECT_EQ(r.samples, 0) << r.definition->id;
  }
  const TaskFigures f = engine().task_figures(24h, kNow);
  EXPECT_EQ(f.tasks, 0);
  EXPECT_EQ(f.tasks_completed, 0);
  EXPECT_FALSE(f.success_rate);
  EXPECT_FALSE(f.avg_task_duration_seconds);
  EXPECT_TRUE(engine().ai_success_rate_by_agent(24h, kNow).empty());
}

TEST_F(KpiStoreTest, TheWindowIsHalfOpen) {
  // [now - 7d, now): an event at the start counts, one at now does not; one just before the
  // start belongs to the previous window.
  add(OutcomeKind::kCoverage, kNow - kWeek, {{"percent", num(81)}});
  add(OutcomeKind::kCoverage, kNow, {{"percent", num(10)}});
  add(OutcomeKind::kCoverage, kNow + kDay, {{"percent", num(11)}});
  add(OutcomeKind::kCoverage, kNow - kWeek - 0.001, {{"percent", num(70)}});
  add(OutcomeKind::kCoverage, kNow - 2 * kWeek - 0.001, {{"percent", num(12)}});
  const KpiResult r = find(compute(), "code_coverage");
  expect_value(r.value, 81, "coverage");
  expect_value(r.previous, 70, "previous coverage");
  EXPECT_EQ(r.samples, 1);
}

TEST_F(KpiStoreTest, EventsOfOtherKindsAndOutsideTheWindowAreIgnored) {
  add(OutcomeKind::kTask, kNow - kHour,
      {{"agent_type", text("build")}, {"task_type", text("x")}, {"success", flag(true)}, {"duration_seconds", num(2 * kHour)}});
  add(OutcomeKind::kTask, kNow - 3 * kWeek,
      {{"agent_type", text("build")}, {"task_type", text("x")}, {"success", flag(false)}, {"duration_seconds", num(100 * kHour)}});
  add(OutcomeKind::kTask, kNow + kHour,
      {{"agent_type", text("plan")}, {"task_type", text("x")}, {"success", flag(false)}, {"duration_seconds", num(100 * kHour)}});
  add(OutcomeKind::kPipeline, kNow - kHour, {{"stage", text("build")}, {"success", flag(false)}, {"duration_seconds", num(1)}});
  const auto results = compute();
  expect_value(find(results, "task_completion_rate").value, 100, "completion");
  expect_value(find(results, "average_task_duration").value, 2, "duration");
  expect_value(find(results, "throughput").value, 1, "throughput");
  expect_value(find(results, "pipeline_success_rate").value, 0, "pipelines");
  EXPECT_FALSE(find(results, "task_completion_rate").previous);
  EXPECT_EQ(engine().ai_success_rate_by_agent(7 * 24h, kNow), (std::map<std::string, double>{{"build", 1.0}}));
}

TEST_F(KpiStoreTest, TheLatestEventOfABugIdCounts) {
  const double detected = kNow - 30 * kHour;
  const double introduced = detected - 30 * kHour;
  const double resolved = detected + 10 * kHour;
  // Found, then resolved: one bug, counted once for detection and once for resolution.
  add(OutcomeKind::kBug, detected,
      {{"id", text("B-1")},
       {"introduced", num(introduced)},
       {"detected", num(detected)},
       {"escaped", flag(false)},
       {"codebase_lines", num(20000)}});
  add(OutcomeKind::kBug, resolved,
      {{"id", text("B-1")},
       {"introduced", num(introduced)},
       {"detected", num(detected)},
       {"resolved", num(resolved)},
       {"escaped", flag(true)}});
  // Two events without an id are two bugs.
  add(OutcomeKind::kBug, detected, {{"introduced", num(detected - 10 * kHour)}, {"detected", num(detected)}});
  add(OutcomeKind::kBug, detected, {{"introduced", num(detected - 10 * kHour)}, {"detected", num(detected)}});
  const auto results = compute();
  expect_value(find(results, "mean_time_to_detection").value, (30.0 + 10 + 10) / 3, "MTTD");
  EXPECT_EQ(find(results, "mean_time_to_detection").samples, 3);
  expect_value(find(results, "mean_time_to_resolution").value, 10, "MTTR");
  // The latest event of B-1 says it escaped: 1 per 20 KLOC.
  expect_value(find(results, "defect_escape_rate").value, 1000.0 / 20000, "escape rate");
  EXPECT_EQ(find(results, "defect_escape_rate").details.at("codebase_lines"), 20000);

  // Over the last day only the resolution event is in the window: B-1 was detected before it.
  const auto day = compute(24h);
  EXPECT_FALSE(find(day, "mean_time_to_detection").value);
  expect_value(find(day, "mean_time_to_resolution").value, 10, "MTTR over the day");
  // The code base size reported before the window still measures it: no escapes is 0.
  expect_value(find(day, "defect_escape_rate").value, 0, "escape rate over the day");
}

TEST_F(KpiStoreTest, TheLatestEventOfAPullRequestIdCounts) {
  const double opened = kNow - 2 * kDay;
  add(OutcomeKind::kPullRequest, opened, {{"id", text("PR-1")}, {"opened", num(opened)}, {"lines_changed", num(100)}});
  add(OutcomeKind::kPullRequest, opened + 3 * kHour,
      {{"id", text("PR-1")}, {"opened", num(opened)}, {"first_review", num(opened + 3 * kHour)}, {"lines_changed", num(100)}});
  add(OutcomeKind::kPullRequest, opened + 5 * kHour,
      {{"id", text("PR-1")},
       {"opened", num(opened)},
       {"first_review", num(opened + 3 * kHour)},
       {"merged", num(opened + 5 * kHour)},
       {"lines_changed", num(130)}});
  add(OutcomeKind::kPullRequest, opened,
      {{"opened", num(opened)}, {"first_review", num(opened + kHour)}, {"merged", num(opened + 7 * kHour)}, {"lines_changed", num(70)}});
  const auto results = compute();
  expect_value(find(results, "cycle_time").value, (5.0 + 7) / 2, "cycle time");
  expect_value(find(results, "average_pr_size").value, (130.0 + 70) / 2, "PR size");
  expect_value(find(results, "review_turnaround_time").value, (3.0 + 1) / 2, "review turnaround");
  EXPECT_EQ(find(results, "cycle_time").samples, 2);
}

TEST_F(KpiStoreTest, StatusesAtTheirBoundaries) {
  struct Case {
    double percent;
    KpiStatus status;
  };
  // Coverage: ok at >= 80, alert below 75.
  double at = kNow - kDay;
  for (const Case c : {Case{80, KpiStatus::kOk}, Case{79.99, KpiStatus::kWarning}, Case{75, KpiStatus::kWarning},
                       Case{74.99, KpiStatus::kAlert}, Case{100, KpiStatus::kOk}}) {
    at += kHour;  // each the latest in turn
    add(OutcomeKind::kCoverage, at, {{"percent", num(c.percent)}});
    EXPECT_EQ(status_of("code_coverage"), c.status) << c.percent;
  }
}

TEST_F(KpiStoreTest, LowerIsBetterBoundaries) {
  // Mean time to detection: ok below 24 h, alert above 48 h; 24 and 48 themselves warn.
  struct Case {
    double hours;
    KpiStatus status;
  };
  double at = kNow - 6 * kDay;
  for (const Case c :
       {Case{23.5, KpiStatus::kOk}, Case{24, KpiStatus::kWarning}, Case{48, KpiStatus::kWarning}, Case{48.5, KpiStatus::kAlert}}) {
    // One bug per case, the same id: its latest event decides.
    at += kHour;
    add(OutcomeKind::kBug, at, {{"id", text("B")}, {"introduced", num(at - c.hours * kHour)}, {"detected", num(at)}});
    EXPECT_EQ(status_of("mean_time_to_detection"), c.status) << c.hours;
  }
}

TEST_F(KpiStoreTest, RollbackFrequencyIsOkOnlyAtZero) {
  add(OutcomeKind::kDeployment, kNow - kDay, {{"success", flag(true)}, {"rollback", flag(false)}});
  expect_value(value_of("rollback_frequency"), 0, "no rollback");
  EXPECT_EQ(status_of("rollback_frequency"), KpiStatus::kOk);
  add(OutcomeKind::kDeployment, kNow - 2 * kDay, {{"success", flag(true)}, {"rollback", flag(true)}});
  // One rollback over two weeks is half a rollback a week: not ok, not yet an alert.
  expect_value(value_of("rollback_frequency", 14 * 24h), 0.5, "per week over two weeks");
  EXPECT_EQ(status_of("rollback_frequency", 14 * 24h), KpiStatus::kWarning);
  expect_value(value_of("rollback_frequency"), 1, "per week");
  EXPECT_EQ(status_of("rollback_frequency"), KpiStatus::kAlert);
  // The rollback was a successful deployment too: 2 in 7 days.
  expect_value(value_of("deployment_frequency"), 2.0 / 7, "deployments per day");
  EXPECT_EQ(status_of("deployment_frequency"), KpiStatus::kAlert);
}

TEST_F(KpiStoreTest, AverageTaskDurationRangeTreatsFastTasksAsOk) {
  struct Case {
    double hours;
    KpiStatus status;
  };
  int n = 0;
  for (const Case c : {Case{0.5, KpiStatus::kOk}, Case{4, KpiStatus::kOk}, Case{6, KpiStatus::kWarning}, Case{6.5, KpiStatus::kAlert}}) {
    // A fresh store per case: one successful task of that duration (and a failed long one,
    // which does not count).
    store_.reset();
    const std::string path = dir_.path() + "/case" + std::to_string(n++) + ".db";
    store_ = store::SqliteEventStore::open(path, store::SqliteEventStore::Mode::kReadWrite);
    add(OutcomeKind::kTask, kNow - kHour,
        {{"agent_type", text("build")}, {"task_type", text("x")}, {"success", flag(true)}, {"duration_seconds", num(c.hours * kHour)}});
    add(OutcomeKind::kTask, kNow - kHour,
        {{"agent_type", text("build")}, {"task_type", text("x")}, {"success", flag(false)}, {"duration_seconds", num(50 * kHour)}});
    expect_value(value_of("average_task_duration"), c.hours, "duration");
    EXPECT_EQ(status_of("average_task_duration"), c.status) << c.hours;
  }
}

TEST_F(KpiStoreTest, HumanInterventionRateIsOkAtThirtyPercent) {
  for (int i = 0; i < 10; ++i) {
    Fields f{{"agent_type", text("build")}, {"task_type", text("x")}, {"success", flag(i != 0)}, {"duration_seconds", num(60)}};
    if (i < 3) f["human_intervention"] = flag(true);
    if (i == 9) f["human_intervention"] = flag(false);
    add(OutcomeKind::kTask, kNow - kHour, f);
  }
  const auto results = compute();
  expect_value(find(results, "human_intervention_rate").value, 30, "interventions");
  EXPECT_EQ(find(results, "human_intervention_rate").status, KpiStatus::kOk);
  // Succeeded without a person: tasks 3..9 (0 failed, 1 and 2 had help).
  expect_value(find(results, "ai_task_completion_rate").value, 70, "autonomous");
  EXPECT_EQ(find(results, "ai_task_completion_rate").status, KpiStatus::kOk);
  expect_value(find(results, "task_completion_rate").value, 90, "completion");
  EXPECT_EQ(find(results, "task_completion_rate").status, KpiStatus::kOk);
  expect_value(find(results, "throughput").value, 9, "throughput");
  EXPECT_EQ(find(results, "throughput").status, KpiStatus::kAlert);
}

TEST_F(KpiStoreTest, CodeChurnAgainstItsBaseline) {
  // 100 lines in each of the 4 weeks before (one of them empty: not part of the normal).
  for (int k = 1; k <= 4; ++k) {
    if (k == 2) continue;
    add(OutcomeKind::kCommit, kNow - k * kWeek - kDay, {{"lines_added", num(60)}, {"lines_deleted", num(40)}});
  }
  // No commits this week against a baseline: 0, a value (the week was quieter than usual).
  expect_value(value_of("code_churn"), 0, "a quiet week");
  add(OutcomeKind::kCommit, kNow - kDay, {{"lines_added", num(100)}, {"lines_deleted", num(50)}});
  auto r = find(compute(), "code_churn");
  expect_value(r.value, 1.5, "churn");
  EXPECT_EQ(r.status, KpiStatus::kOk);
  EXPECT_EQ(r.details.at("lines_per_week"), 150);
  EXPECT_EQ(r.details.at("baseline_lines_per_week"), 100);
  EXPECT_EQ(r.details.at("baseline_windows"), 3);
  add(OutcomeKind::kCommit, kNow - 2 * kDay, {{"lines_added", num(50)}, {"lines_deleted", num(0)}});
  r = find(compute(), "code_churn");
  expect_value(r.value, 2, "twice the normal");
  EXPECT_EQ(r.status, KpiStatus::kAlert);
}

TEST_F(KpiStoreTest, CodeChurnWithoutABaselineHasNoData) {
  add(OutcomeKind::kCommit, kNow - kDay, {{"lines_added", num(100)}, {"lines_deleted", num(50)}});
  const KpiResult r = find(compute(), "code_churn");
  EXPECT_FALSE(r.value);
  EXPECT_EQ(r.status, KpiStatus::kNoData);
  EXPECT_EQ(r.samples, 1);
  EXPECT_EQ(r.details.at("lines_per_week"), 150);
  EXPECT_EQ(r.details.count("baseline_lines_per_week"), 0u);
}

TEST_F(KpiStoreTest, OverridesMoveTheTargetAndThreshold) {
  add(OutcomeKind::kCoverage, kNow - kHour, {{"percent", num(80)}});
  KpiSettings settings;
  settings.overrides["code_coverage"] = {85, 70};
  const KpiResult r = find(compute(7 * 24h, settings), "code_coverage");
  EXPECT_EQ(r.status, KpiStatus::kWarning);
  EXPECT_EQ(r.thresholds, (KpiThresholds{85, 70}));
  EXPECT_EQ(find(compute(), "code_coverage").status, KpiStatus::kOk);

  settings.overrides["code_coverage"] = {90, 81};
  EXPECT_EQ(find(compute(7 * 24h, settings), "code_coverage").status, KpiStatus::kAlert);
}

TEST_F(KpiStoreTest, InvalidOverridesAreRefusedByTheEngine) {
  KpiSettings unknown;
  unknown.overrides["code_covrage"] = {85, 70};
  try {
    engine(unknown);
    FAIL() << "an unknown KPI was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("code_covrage"), std::string::npos) << e.what();
  }
  KpiSettings inverted;
  inverted.overrides["lead_time"] = {120, 48};
  EXPECT_THROW(engine(inverted), std::invalid_argument);
  EXPECT_THROW(engine().compute(0s, kNow), std::invalid_argument);
}

TEST_F(KpiStoreTest, TheTrendComparesWithThePreviousWindow) {
  add(OutcomeKind::kTestRun, kNow - 10 * kDay, {{"tests", num(100)}, {"duration_seconds", num(600)}, {"flaky", num(4)}});
  add(OutcomeKind::kTestRun, kNow - 2 * kDay, {{"tests", num(100)}, {"duration_seconds", num(240)}, {"flaky", num(1)}});
  add(OutcomeKind::kTestRun, kNow - 1 * kDay, {{"tests", num(300)}, {"duration_seconds", num(360)}});
  const auto results = compute();
  const auto& time = find(results, "test_execution_time");
  expect_value(time.value, 5, "test time");
  expect_value(time.previous, 10, "previous test time");
  EXPECT_EQ(time.status, KpiStatus::kWarning);
  const auto& flaky = find(results, "flaky_test_rate");
  expect_value(flaky.value, 100.0 * 1 / 400, "flaky");
  expect_value(flaky.previous, 4, "previous flaky");
}

TEST_F(KpiStoreTest, AiRatesCountOnlyTheTasksThatReportThem) {
  const auto task = [&](double duration, Fields extra) {
    Fields f{{"agent_type", text("build")}, {"task_type", text("x")}, {"success", flag(true)}, {"duration_seconds", num(duration)}};
    f.merge(extra);
    add(OutcomeKind::kTask, kNow - kHour, f);
  };
  task(1000, {{"ai_lines_generated", num(100)}, {"ai_lines_accepted", num(90)}});
  task(1000, {{"ai_lines_generated", num(100)}});  // none kept
  task(1000, {{"time_saved_seconds", num(1000)}});
  task(3000, {{"time_saved_seconds", num(0)}, {"prompts_sent", num(10)}, {"prompts_useful", num(9)}});
  task(99999, {});
  task(1000, {{"prompts_sent", num(40)}});  // counted, not judged: a session from the agents' telemetry
  const auto results = compute();
  expect_value(find(results, "ai_code_acceptance").value, 45, "acceptance");
  EXPECT_EQ(find(results, "ai_code_acceptance").samples, 2);
  expect_value(find(results, "time_saved_by_ai").value, 100.0 * 1000 / (2000 + 3000), "time saved");
  expect_value(find(results, "ai_prompt_success_rate").value, 90, "prompts");
  EXPECT_EQ(find(results, "ai_prompt_success_rate").samples, 1);
}

// Sessions as the OTLP receivers store them (docs/otlp.md): the cost over the successful ones
// among those that report a cost, the tokens over those that report tokens.
TEST_F(KpiStoreTest, CostPerSuccessfulTaskAndTokensPerTask) {
  const auto session = [&](double time, bool success, Fields extra) {
    Fields f{{"agent_type", text("claude_code")},
             {"task_type", text("session")},
             {"success", flag(success)},
             {"duration_seconds", num(600)},
             {"origin", text("otlp")}};
    f.merge(extra);
    add(OutcomeKind::kTask, time, f);
  };
  session(kNow - kHour, true, {{"cost_usd", num(1.5)}, {"tokens_input", num(1000)}, {"tokens_output", num(500)}});
  session(kNow - 2 * kHour, true, {{"cost_usd", num(0.5)}, {"tokens_cache_read", num(300000)}, {"tokens_cache_creation", num(8500)}});
  session(kNow - 3 * kHour, false, {{"cost_usd", num(4)}});  // its cost is paid by the successes
  session(kNow - 4 * kHour, true, {});                       // reports neither: left out of both
  session(kNow - 3 * kDay, true, {{"cost_usd", num(100)}});  // outside the 24h window and the one before
  const auto results = compute(24h);
  const KpiResult cost = find(results, "cost_per_successful_task");
  expect_value(cost.value, (1.5 + 0.5 + 4) / 2, "cost per successful task");
  EXPECT_EQ(cost.samples, 3);
  EXPECT_DOUBLE_EQ(cost.details.at("cost_usd"), 6);
  EXPECT_DOUBLE_EQ(cost.details.at("successful_tasks"), 2);
  EXPECT_EQ(cost.status, KpiStatus::kWarning);  // 3 USD: above the target of 2, not past 5
  EXPECT_EQ(cost.previous, std::nullopt);
  const KpiResult tokens = find(results, "tokens_per_task");
  expect_value(tokens.value, (1000 + 500 + 300000 + 8500) / 2.0, "tokens per task");
  EXPECT_EQ(tokens.samples, 2);
  EXPECT_DOUBLE_EQ(tokens.details.at("input"), 500);
  EXPECT_DOUBLE_EQ(tokens.details.at("output"), 250);
  EXPECT_DOUBLE_EQ(tokens.details.at("cache_read"), 150000);
  EXPECT_DOUBLE_EQ(tokens.details.at("cache_creation"), 4250);
  EXPECT_EQ(tokens.status, KpiStatus::kOk);
  // The /health figure: everything the day's tasks report.
  const TaskFigures day = engine().task_figures(24h, kNow);
  ASSERT_TRUE(day.cost_usd);
  EXPECT_DOUBLE_EQ(*day.cost_usd, 6);
  // Over the week the 100 USD session makes it an alert.
  EXPECT_EQ(find(compute(), "cost_per_successful_task").status, KpiStatus::kAlert);
  expect_value(find(compute(), "cost_per_successful_task").value, 106 / 3.0, "over the week");
}

// Money spent with nothing to show: no value (the cost per success is unbounded), but the spend
// is given; tasks that report no cost leave both empty.
TEST_F(KpiStoreTest, CostWithoutASuccessHasNoValueButItsSpend) {
  const Fields failed{{"agent_type", text("codex")},
                      {"task_type", text("session")},
                      {"success", flag(false)},
                      {"duration_seconds", num(60)},
                      {"cost_usd", num(0.25)}};
  add(OutcomeKind::kTask, kNow - kHour, failed);
  add(OutcomeKind::kTask, kNow - kHour,
      {{"agent_type", text("build")}, {"task_type", text("x")}, {"success", flag(true)}, {"duration_seconds", num(60)}});
  const KpiResult cost = find(compute(24h), "cost_per_successful_task");
  EXPECT_FALSE(cost.value);
  EXPECT_EQ(cost.status, KpiStatus::kNoData);
  EXPECT_EQ(cost.samples, 1);
  EXPECT_DOUBLE_EQ(cost.details.at("cost_usd"), 0.25);
  EXPECT_DOUBLE_EQ(*engine().task_figures(24h, kNow).cost_usd, 0.25);
  EXPECT_FALSE(find(compute(24h), "tokens_per_task").value);
  const TaskFigures earlier = engine().task_figures(24h, kNow - kDay);
  EXPECT_EQ(earlier.tasks, 0);
  EXPECT_FALSE(earlier.cost_usd);
}

// AI-generated code acceptance from the sessions' edits where no task reports its AI lines,
// and from the lines alone as soon as one does.
TEST_F(KpiStoreTest, CodeAcceptanceFallsBackToTheSessionsEdits) {
  const auto task = [&](Fields extra) {
    Fields f{{"agent_type", text("claude_code")}, {"task_type", text("session")}, {"success", flag(true)}, {"duration_seconds", num(60)}};
    f.merge(extra);
    add(OutcomeKind::kTask, kNow - kHour, f);
  };
  task({{"edits_accepted", num(6)}, {"edits_rejected", num(2)}});
  task({{"edits_accepted", num(1)}});
  task({{"edits_rejected", num(1)}});
  task({});
  KpiResult acceptance = find(compute(24h), "ai_code_acceptance");
  expect_value(acceptance.value, 100.0 * 7 / 10, "acceptance from edits");
  EXPECT_EQ(acceptance.samples, 3);
  EXPECT_DOUBLE_EQ(acceptance.details.at("edits_accepted"), 7);
  EXPECT_DOUBLE_EQ(acceptance.details.at("edits_rejected"), 3);
  EXPECT_EQ(acceptance.status, KpiStatus::kWarning);  // 70%: under the target of 80, above 60

  task({{"ai_lines_generated", num(100)}, {"ai_lines_accepted", num(95)}, {"edits_rejected", num(50)}});
  acceptance = find(compute(24h), "ai_code_acceptance");
  expect_value(acceptance.value, 95, "acceptance from lines");
  EXPECT_EQ(acceptance.samples, 1);
  EXPECT_TRUE(acceptance.details.empty());
}

TEST_F(KpiStoreTest, LeadTimeAndTechnicalDebt) {
  add(OutcomeKind::kDeployment, kNow - kDay, {{"success", flag(true)}, {"commit_time", num(kNow - kDay - 30 * kHour)}});
  add(OutcomeKind::kDeployment, kNow - kDay, {{"success", flag(true)}, {"commit_time", num(kNow - kDay - 50 * kHour)}});
  add(OutcomeKind::kDeployment, kNow - kDay, {{"success", flag(false)}, {"commit_time", num(kNow - kDay - 500 * kHour)}});
  add(OutcomeKind::kDeployment, kNow - kDay, {{"success", flag(true)}});
  add(OutcomeKind::kTechDebt, kNow - 3 * kDay, {{"remediation_hours", num(50)}, {"development_hours", num(100)}});
  add(OutcomeKind::kTechDebt, kNow - 2 * kDay, {{"remediation_hours", num(25)}, {"development_hours", num(100)}});
  const auto results = compute();
  expect_value(find(results, "lead_time").value, 40, "lead time");
  EXPECT_EQ(find(results, "lead_time").samples, 2);
  EXPECT_EQ(find(results, "lead_time").status, KpiStatus::kOk);
  expect_value(find(results, "deployment_frequency").value, 3.0 / 7, "deployments per day");
  expect_value(find(results, "technical_debt_ratio").value, 25, "debt");
  EXPECT_EQ(find(results, "technical_debt_ratio").status, KpiStatus::kWarning);
  EXPECT_EQ(find(results, "technical_debt_ratio").samples, 2);
}

TEST_F(KpiStoreTest, EveryQueryUsesTheKindTimeIndex) {
  flush();
  for (const std::string_view sql : queries::kAll) {
    store::SqliteStatement plan(store_->handle(), "EXPLAIN QUERY PLAN " + store::sqlite_event_sql(sql));
    std::string details;
    while (plan.step()) details += plan.column_text(3) + "\n";
    EXPECT_NE(details.find("USING INDEX events_kind_time"), std::string::npos) << sql << "\n" << details;
    // No full scan of the table: every access to `events` goes through the index.
    std::size_t at = 0;
    while ((at = details.find("SCAN events", at)) != std::string::npos) {
      const std::size_t line_end = details.find('\n', at);
      const std::string line = details.substr(at, line_end - at);
      EXPECT_NE(line.find("USING"), std::string::npos) << sql << "\n" << details;
      at = line_end;
    }
  }
}

TEST_F(KpiStoreTest, HundredThousandTasks) {
  // Not a timing assertion (the build may be Debug or sanitized): it shows the cost, and the
  // values stay right at this size.
  std::vector<ipc::OutcomeEvent> events;
  events.reserve(100000);
  for (int i = 0; i < 100000; ++i) {
    ipc::OutcomeEvent e;
    e.kind = OutcomeKind::kTask;
    e.producer_id = 5;
    e.sequence = static_cast<std::uint64_t>(i) + 1;
    e.time = kNow - kWeek + 6 * i;  // 600k seconds: all in the week
    e.fields = {{"agent_type", text("build")},
                {"task_type", text("x")},
                {"success", flag(i % 4 != 0)},
                {"duration_seconds", num(3600)},
                {"human_intervention", flag(i % 10 == 0)}};
    events.push_back(std::move(e));
  }
  ASSERT_EQ(store_->insert(events, kNow), 100000u);
  const KpiEngine e = engine();
  const auto started = std::chrono::steady_clock::now();
  const auto results = e.compute(7 * 24h, kNow);
  const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "[ info ] compute() over 100k task events: " << took * 1000 << " ms\n";
  RecordProperty("compute_ms", std::to_string(took * 1000));
  expect_value(find(results, "task_completion_rate").value, 75, "completion");
  expect_value(find(results, "throughput").value, 75000, "throughput");
  expect_value(find(results, "human_intervention_rate").value, 10, "interventions");
}

}  // namespace
