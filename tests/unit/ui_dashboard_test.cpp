// What the /ui page and the HTML report show, over a real store: the usage per day adds up to
// the KPI engine's own figures, a sparkline's slice is the value compute() gives for that
// slice, the overview carries kpi_report_json's numbers and the alerts, a task's detail names
// its rules, a store without a playbook says so, and the report is one file whose
// Content-Security-Policy allows exactly its inline pieces.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "collector/kpi/kpi_report.h"
#include "collector/learning/learning_service.h"
#include "collector/store/sqlite_event_store.h"
#include "collector/ui/dashboard.h"
#include "collector/ui/html_report.h"
#include "collector/ui/ui_assets.h"
#include "ipc/outcome_event.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_clock.h"

namespace {

using namespace agentmetrics;
using namespace std::chrono_literals;
using json = nlohmann::ordered_json;

using agentmetrics::testing::kHour;
using agentmetrics::testing::kNow;

class DashboardTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = store::SqliteEventStore::open(dir_.path() + "/events.db", store::SqliteEventStore::Mode::kReadWrite); }

  void task(double time, const std::string& agent, const std::string& model, bool success, double cost, double tokens_input,
            const std::string& title = "a task", const std::string& rules = "") {
    ipc::OutcomeEvent e;
    e.kind = ipc::OutcomeKind::kTask;
    e.producer_id = 9;
    e.sequence = ++sequence_;
    e.time = time;
    e.fields = {{"agent_type", agent}, {"task_type", std::string("bugfix")}, {"success", success},     {"duration_seconds", 600.0},
                {"cost_usd", cost},    {"tokens_input", tokens_input},       {"tokens_output", 100.0}, {"title", title}};
    if (!model.empty()) e.fields["model"] = model;
    if (!rules.empty()) e.fields["rule_ids"] = rules;
    ASSERT_EQ(ipc::check_event(e), "");
    ASSERT_EQ(store_->insert(std::vector{e}, kNow), 1u);
  }

  // Three days of tasks of two agents and two models, one task naming no model.
  void history() {
    for (int i = 0; i < 12; ++i) {
      task(kNow - 1800 - i * 6 * kHour, i % 2 ? "plan" : "build", i % 3 ? "model-a" : "model-b", i % 3 != 2, 0.25 + i * 0.01, 1000 + i);
    }
    task(kNow - 100, "build", "", true, 1.5, 50);
  }

  static const json& kpi(const json& overview, std::string_view id) {
    for (const auto& k : overview["kpi"]["kpis"]) {
      if (k["id"] == id) return k;
    }
    throw std::runtime_error("no KPI " + std::string(id));
  }

  agentmetrics::testing::TempDir dir_;
  std::unique_ptr<store::SqliteEventStore> store_;
  std::uint64_t sequence_ = 0;
};

TEST_F(DashboardTest, UsagePerDayAddsUpToTheKpiEnginesCostAndTokens) {
  history();
  const kpi::KpiEngine engine(*store_, {});
  const auto days = engine.usage_by_day(7 * 24h, kNow);
  double cost = 0, input = 0;
  std::int64_t tasks = 0;
  bool unnamed_model = false;
  for (const auto& d : days) {
    cost += d.cost_usd;
    input += d.tokens_input;
    tasks += d.tasks;
    unnamed_model = unnamed_model || d.model.empty();
    EXPECT_EQ(d.day.size(), 10u) << d.day;
  }
  const auto results = engine.compute(7 * 24h, kNow);
  const auto& per_task = *std::find_if(results.begin(), results.end(), [](const auto& r) { return r.definition->id == "tokens_per_task"; });
  const auto& per_success =
      *std::find_if(results.begin(), results.end(), [](const auto& r) { return r.definition->id == "cost_per_successful_task"; });
  EXPECT_EQ(tasks, 13);
  EXPECT_NEAR(cost, per_success.details.at("cost_usd"), 1e-9);
  EXPECT_NEAR(input / 13, per_task.details.at("input"), 1e-9);
  EXPECT_TRUE(unnamed_model);
  // Four days are touched (the history reaches back 67.5 hours from 08:00): each day, agent and
  // model once.
  std::set<std::string> keys;
  for (const auto& d : days) EXPECT_TRUE(keys.insert(d.day + d.agent_type + d.model).second) << d.day << d.agent_type << d.model;
}

TEST_F(DashboardTest, ASparklineSliceIsTheValueOfThatSlice) {
  history();
  const kpi::KpiEngine engine(*store_, {});
  const auto series = engine.value_series(7 * 24h, kNow, 7);
  const auto last_day = engine.compute(24h, kNow);
  for (std::size_t i = 0; i < last_day.size(); ++i) {
    ASSERT_EQ(series[i].size(), 7u);
    EXPECT_EQ(series[i].back().has_value(), last_day[i].value.has_value()) << last_day[i].definition->id;
    if (last_day[i].value) {
      EXPECT_NEAR(*series[i].back(), *last_day[i].value, 1e-9) << last_day[i].definition->id;
    }
  }
  EXPECT_THROW(engine.value_series(7 * 24h, kNow, 0), std::invalid_argument);
  EXPECT_THROW(engine.value_series(60s, kNow, 100), std::invalid_argument);
}

TEST_F(DashboardTest, TheOverviewCarriesTheKpiReportAndTheAlerts) {
  history();
  ui::Dashboard dashboard(*store_, {});
  const json overview = dashboard.overview(kNow, 7 * 24h);
  const kpi::KpiEngine engine(*store_, {});
  const auto results = engine.compute(7 * 24h, kNow);
  const auto report = kpi::kpi_report_json(results, 7 * 24h, kNow, engine.task_figures(24h, kNow).cost_usd);
  ASSERT_EQ(overview["kpi"]["kpis"].size(), report["kpis"].size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    const json& k = overview["kpi"]["kpis"][i];
    EXPECT_EQ(k["id"], report["kpis"][i]["id"].get<std::string>());
    EXPECT_EQ(k["value"].dump(), report["kpis"][i]["value"].dump()) << k["id"];
    EXPECT_EQ(k["series"].size(), 7u);
    EXPECT_EQ(k["display"]["value"], results[i].value ? kpi::format_kpi_value(*results[i].definition, *results[i].value) : "no data");
  }
  EXPECT_EQ(overview["window"], "7d");
  EXPECT_EQ(overview["tasks"].size(), 13u);
  EXPECT_EQ(overview["tasks"][0]["cost_usd"], 1.5);  // the newest first
  EXPECT_TRUE(overview["tasks"][0]["model"].is_null());
  // Without the KPI thread's word, the alerts are the KPIs whose status is alert.
  std::size_t alerting = 0;
  for (const auto& r : results) alerting += r.status == kpi::KpiStatus::kAlert ? 1 : 0;
  ASSERT_GT(alerting, 0u);  // 9 successes a week are below throughput's alert threshold
  EXPECT_EQ(overview["alerts"].size(), alerting);
  EXPECT_TRUE(overview["alerts"][0]["since"].is_null());
  // With it, the KPI thread's alerts, with their start.
  const json fired = dashboard.overview(kNow, 7 * 24h, std::map<std::string, double>{{"throughput", kNow - 60}});
  ASSERT_EQ(fired["alerts"].size(), 1u);
  EXPECT_EQ(fired["alerts"][0]["kpi"], "throughput");
  EXPECT_EQ(fired["alerts"][0]["since"], "2027-01-15T07:59:00Z");
  EXPECT_THROW(dashboard.overview(kNow, 30s), std::invalid_argument);
}

TEST_F(DashboardTest, ATasksDetailNamesItsRulesAndThePlaybookIsListed) {
  learning::LearningService service(store_->handle());
  learning::NewBullet rule;
  rule.content = "Run the failing test alone first";
  const std::string id = service.playbook_add(rule).rule.bullet.id;
  task(kNow - 60, "build", "model-a", true, 0.5, 10, "with rules", id + ", b-gone");
  ui::Dashboard dashboard(*store_, {});
  const json overview = dashboard.overview(kNow, 24h);
  ASSERT_TRUE(overview["playbook"]["available"].get<bool>());
  ASSERT_EQ(overview["playbook"]["rules"].size(), 1u);
  EXPECT_EQ(overview["playbook"]["rules"][0]["content"], rule.content);
  EXPECT_EQ(overview["tasks"][0]["rule_count"], 2);
  const auto detail = dashboard.task(overview["tasks"][0]["id"].get<std::int64_t>());
  ASSERT_TRUE(detail.has_value());
  ASSERT_EQ((*detail)["rules_given"].size(), 2u);
  EXPECT_EQ((*detail)["rules_given"][0]["rule"]["content"], rule.content);
  EXPECT_EQ((*detail)["rules_given"][0]["via"], "task");
  EXPECT_TRUE((*detail)["rules_given"][1]["rule"].is_null());
  EXPECT_FALSE(dashboard.task(999999).has_value());
  EXPECT_EQ(dashboard.why(id)["rule"]["id"], id);
  EXPECT_THROW(dashboard.why("b-none"), learning::LearningError);
}

TEST_F(DashboardTest, AStoreWithoutAPlaybookSaysSoAndIsNotWritten) {
  history();
  store_.reset();
  auto read_only = store::SqliteEventStore::open(dir_.path() + "/events.db", store::SqliteEventStore::Mode::kReadOnly);
  ui::Dashboard dashboard(*read_only, {});
  const json overview = dashboard.overview(kNow, 7 * 24h);
  EXPECT_FALSE(overview["playbook"]["available"].get<bool>());
  EXPECT_NE(overview["playbook"]["reason"].get<std::string>().find("no playbook yet"), std::string::npos);
  EXPECT_EQ(overview["tasks"].size(), 13u);
  EXPECT_THROW(dashboard.why("b-1"), learning::LearningError);
}

TEST_F(DashboardTest, TheReportIsOneFileWhosePolicyAllowsOnlyItsInlinePieces) {
  history();
  task(kNow - 10, "build", "model-a", false, 0.1, 1, "</script><script>alert(1)</script>");
  ui::Dashboard dashboard(*store_, {});
  const json data = dashboard.report(kNow, 7 * 24h);
  EXPECT_EQ(data["task_details"].size(), data["tasks"].size());
  const std::string page = ui::render_html_report(data);
  // Nothing to load: no file is referred to, and the policy allows no source but the hashes.
  EXPECT_EQ(page.find(" src="), std::string::npos);
  EXPECT_EQ(page.find("href=\"ui/"), std::string::npos);
  EXPECT_NE(page.find("default-src 'none'"), std::string::npos);
  for (const char* name : {"app.js", "uPlot.iife.min.js", "app.css", "uPlot.min.css"}) {
    const auto* asset = ui::find_ui_asset(name);
    ASSERT_NE(asset, nullptr) << name;
    EXPECT_NE(page.find(ui::csp_hash_source(asset->bytes)), std::string::npos) << name;
    EXPECT_NE(page.find(asset->bytes), std::string::npos) << name;
  }
  // A title cannot close the data's script element.
  EXPECT_EQ(page.find("</script><script>alert(1)"), std::string::npos);
  EXPECT_NE(page.find("\\u003c/script>\\u003cscript>alert(1)"), std::string::npos);
}

TEST(CspHashSource, IsTheBase64OfTheSha256) {
  EXPECT_EQ(ui::csp_hash_source(""), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
  EXPECT_EQ(ui::csp_hash_source("abc"), "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='");
}

}  // namespace
