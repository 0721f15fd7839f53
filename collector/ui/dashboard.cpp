#include "collector/ui/dashboard.h"

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <utility>

#include "collector/common/duration.h"
#include "collector/common/unix_time.h"
#include "collector/kpi/kpi_report.h"
#include "collector/learning/learning_results.h"
#include "collector/learning/sqlite_learning_store.h"
#include "collector/ui/task_history.h"
#include "ipc/timestamp.h"

namespace agentmetrics::ui {
namespace {

using json = nlohmann::ordered_json;
constexpr double kDay = 86400;

json usage_json(const std::vector<kpi::DailyUsage>& days) {
  json out = json::array();
  for (const auto& u : days) {
    out.push_back({{"day", u.day},
                   {"agent_type", u.agent_type},
                   {"model", u.model},
                   {"tasks", u.tasks},
                   {"tokens_input", u.tokens_input},
                   {"tokens_output", u.tokens_output},
                   {"tokens_cache_read", u.tokens_cache_read},
                   {"tokens_cache_creation", u.tokens_cache_creation},
                   {"tasks_with_cost", u.tasks_with_cost},
                   {"cost_usd", u.cost_usd}});
  }
  return out;
}

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

int sparkline_points(std::chrono::seconds window) {
  const auto days = static_cast<int>(static_cast<double>(window.count()) / kDay);
  return std::clamp(days, 6, 30);
}

Dashboard::Dashboard(const store::SqliteEventStore& store, DashboardOptions options)
    : Dashboard(
          store,
          [db = store.handle(), settings = options.learning]() -> std::unique_ptr<learning::LearningStore> {
            try {
              return std::make_unique<learning::SqliteLearningStore>(db, settings);
            } catch (const std::exception& e) {
              // A read-only connection cannot create the tables: nothing has learnt anything yet.
              throw std::runtime_error(std::string("the store has no playbook yet (the collector's reflection worker or cm creates it): ") +
                                       e.what());
            }
          },
          std::move(options)) {}

Dashboard::Dashboard(const store::EventStore& events, LearningOpener learning, DashboardOptions options)
    : events_(events), open_learning_(std::move(learning)), options_(std::move(options)), engine_(events, options_.kpi) {}

Dashboard::~Dashboard() = default;

learning::LearningStore* Dashboard::learning() {
  if (learning_ || !open_learning_) return learning_.get();
  try {
    learning_ = open_learning_();
    reason_ = learning_ ? "" : "this collector has no store for the playbook";
  } catch (const std::exception& e) {
    reason_ = e.what();
  }
  return learning_.get();
}

double Dashboard::now() const { return unix_now(options_.learning.clock); }

json Dashboard::overview(double now_unix, std::chrono::seconds window, const std::optional<std::map<std::string, double>>& firing) {
  if (window < std::chrono::minutes(1)) throw std::invalid_argument("the window must be at least a minute");
  const std::vector<kpi::KpiResult> results = engine_.compute(window, now_unix);
  const auto day_cost = engine_.task_figures(std::chrono::hours(24), now_unix).cost_usd;
  // The numbers `agentmetrics kpi --json` prints, as it prints them.
  json report = json::parse(kpi::kpi_report_json(results, window, now_unix, day_cost).dump());
  const int points = sparkline_points(window);
  const auto series = engine_.value_series(window, now_unix, points);
  json alerts = json::array();
  for (std::size_t i = 0; i < results.size(); ++i) {
    const kpi::KpiResult& r = results[i];
    const kpi::KpiDefinition& d = *r.definition;
    json& k = report["kpis"][i];
    k["display"] = {{"value", r.value ? kpi::format_kpi_value(d, *r.value) : "no data"},
                    {"target", kpi::format_target(d, r.thresholds)},
                    {"alert", kpi::format_alert(d, r.thresholds)},
                    {"trend", kpi::format_trend(d, r.value, r.previous)}};
    json values = json::array();
    for (const auto& v : series[i]) values.push_back(optional_number(v));
    k["series"] = std::move(values);
    const std::string id(d.id);
    std::optional<double> since;
    bool alerting = r.status == kpi::KpiStatus::kAlert;
    if (firing) {
      const auto f = firing->find(id);
      alerting = f != firing->end();
      if (alerting) since = f->second;
    }
    if (alerting) {
      alerts.push_back({{"kpi", id},
                        {"name", std::string(d.name)},
                        {"value", optional_number(r.value)},
                        {"display", k["display"]["value"]},
                        {"threshold", k["display"]["alert"]},
                        {"since", since ? json(ipc::format_timestamp(*since)) : json(nullptr)}});
    }
  }
  report["series_step_seconds"] = static_cast<double>(window.count()) / points;

  json playbook = {{"available", false}};
  json reflections = json::array();
  if (auto* store = learning()) {
    learning::PlaybookListRequest request;
    request.limit = std::clamp(options_.playbook_rules, 1, learning::kMaxPlaybookPage);
    const learning::PlaybookListResult list = store->playbook_list(request);
    json rules = json::array();
    for (const auto& view : list.bullets) rules.push_back(learning::to_json(view));
    playbook = {{"available", true},
                {"half_life_days", options_.learning.reflection.model.half_life_days},
                {"total", list.total},
                {"rules", std::move(rules)}};
    for (const auto& run : store->reflections(options_.reflections)) reflections.push_back(learning::to_json(run));
  } else {
    playbook["reason"] = reason_;
  }

  return {{"window", format_duration(window)},
          {"generated_at", ipc::format_timestamp(now_unix)},
          {"kpi", std::move(report)},
          {"usage", {{"days", usage_json(engine_.usage_by_day(window, now_unix))}}},
          {"tasks", recent_tasks(events_, now_unix - static_cast<double>(window.count()), now_unix, options_.recent_tasks)},
          {"playbook", std::move(playbook)},
          {"reflections", std::move(reflections)},
          {"alerts", std::move(alerts)}};
}

std::optional<json> Dashboard::task(std::int64_t id) {
  auto stored = stored_task(events_, id);
  if (!stored) return std::nullopt;
  // The rules the task event names, and those a hook gave its session (session_rules.h).
  std::vector<std::pair<std::string, std::string>> given;  // (id, via)
  for (const auto& rule : (*stored)["rule_ids"]) given.emplace_back(rule.get<std::string>(), "task");
  auto* store = learning();
  const json& session = (*stored)["fields"].contains("session_id") ? (*stored)["fields"]["session_id"] : json(nullptr);
  if (store && session.is_string() && !session.get<std::string>().empty()) {
    for (const auto& rule : store->given_rules(session.get<std::string>())) {
      auto same = std::find_if(given.begin(), given.end(), [&](const auto& g) { return g.first == rule; });
      if (same == given.end()) {
        given.emplace_back(rule, "hook");
      } else {
        same->second = "task, hook";
      }
    }
  }
  json rules = json::array();
  for (const auto& [rule, via] : given) {
    json entry = {{"id", rule}, {"via", via}, {"rule", nullptr}};
    if (store) {
      if (const auto bullet = store->find(rule)) {
        entry["rule"] = learning::to_json(learning::BulletView{*bullet, bullet->confidence_at(now(), options_.learning.reflection.model)});
      }
    }
    rules.push_back(std::move(entry));
  }
  return json{{"task", std::move(*stored)}, {"rules_given", std::move(rules)}};
}

json Dashboard::why(std::string_view rule_id) {
  auto* store = learning();
  if (!store) throw learning::LearningError(learning::ErrorCategory::kConfig, "NO_PLAYBOOK", reason_);
  return learning::to_json(store->why(rule_id));
}

json Dashboard::report(double now_unix, std::chrono::seconds window) {
  json data = overview(now_unix, window);
  json details = json::object();
  for (const auto& t : data["tasks"]) {
    const std::int64_t id = t["id"].get<std::int64_t>();
    if (auto detail = task(id)) details[std::to_string(id)] = std::move(*detail);
  }
  json whys = json::object();
  for (const auto& rule : data["playbook"].value("rules", json::array())) {
    const auto id = rule["id"].get<std::string>();
    whys[id] = why(id);
  }
  data["task_details"] = std::move(details);
  data["why"] = std::move(whys);
  return data;
}

}  // namespace agentmetrics::ui
