// The same events give the same KPIs on SQLite and on a team's PostgreSQL: `agentmetrics kpi
// --json`, the real command, once over a SQLite file and once over a real PostgreSQL 15 (through
// $AGENTMETRICS_STORE_URL), every value alike within a relative 1e-9 (the two databases add the
// same numbers in different orders).
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "collector/store/postgres_event_store.h"
#include "collector/store/sqlite_event_store.h"
#include "tests/support/postgres_server.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace agentmetrics::testing {
namespace {

// Events of every kind with every field the schema has (optional ones most of the time), at
// random times over the last 60 days, from a fixed seed: every KPI and its previous window
// have data.
std::vector<ipc::OutcomeEvent> events_of_every_kind(double now) {
  std::mt19937_64 rng(20261206);
  const auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  std::vector<ipc::OutcomeEvent> events;
  std::uint64_t sequence = 0;
  for (const auto& kind : ipc::outcome_kinds()) {
    for (int i = 0; i < 300; ++i) {
      ipc::OutcomeEvent e;
      e.kind = kind.kind;
      e.producer_id = 42;
      e.sequence = ++sequence;
      e.time = std::floor(now - uniform(60, 60 * 86400.0));
      for (const auto& field : kind.fields) {
        if (!field.required && uniform(0, 1) < 0.3) continue;
        switch (field.type) {
          case ipc::FieldType::kText:
          case ipc::FieldType::kLabel: e.fields[std::string(field.name)] = std::string(field.name) + "-" + std::to_string(rng() % 7); break;
          case ipc::FieldType::kCount: e.fields[std::string(field.name)] = std::floor(uniform(0, 2000)); break;
          case ipc::FieldType::kPercent: e.fields[std::string(field.name)] = uniform(0, 100); break;
          case ipc::FieldType::kSeconds: e.fields[std::string(field.name)] = uniform(1, 20000); break;
          case ipc::FieldType::kTime: e.fields[std::string(field.name)] = std::floor(e.time - uniform(0, 10 * 86400.0)); break;
          case ipc::FieldType::kBool: e.fields[std::string(field.name)] = rng() % 3 != 0; break;
        }
      }
      if (ipc::check_event(e).empty()) events.push_back(std::move(e));
    }
  }
  return events;
}

// Compares two reports, numbers within a relative 1e-9; `where` names the place for a failure.
void expect_alike(const nlohmann::json& a, const nlohmann::json& b, const std::string& where) {
  if (a.is_number() && b.is_number()) {
    const double x = a.get<double>(), y = b.get<double>();
    EXPECT_LE(std::fabs(x - y), 1e-9 * std::max(1.0, std::max(std::fabs(x), std::fabs(y)))) << where << ": " << x << " vs " << y;
    return;
  }
  ASSERT_EQ(a.type(), b.type()) << where << ": " << a.dump() << " vs " << b.dump();
  if (a.is_object()) {
    ASSERT_EQ(a.size(), b.size()) << where << ": " << a.dump() << " vs " << b.dump();
    for (const auto& [key, value] : a.items()) {
      ASSERT_TRUE(b.contains(key)) << where << "." << key;
      expect_alike(value, b[key], where + "." + key);
    }
  } else if (a.is_array()) {
    ASSERT_EQ(a.size(), b.size()) << where;
    for (std::size_t i = 0; i < a.size(); ++i) expect_alike(a[i], b[i], where + "[" + std::to_string(i) + "]");
  } else {
    EXPECT_EQ(a, b) << where;
  }
}

nlohmann::json kpi_report(const std::vector<std::string>& store_args, const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {kAgentmetricsCliBinary, "kpi", "--json", "--window", "30d"};
  argv.insert(argv.end(), store_args.begin(), store_args.end());
  const CommandResult r = run_command(argv, env);
  EXPECT_EQ(r.code, 0) << r.output;
  auto report = nlohmann::json::parse(r.output, nullptr, false);
  EXPECT_TRUE(report.is_object()) << r.output;
  if (report.is_object()) report.erase("generated_at");
  return report;
}

TEST(TeamStoreKpis, TheSameEventsGiveTheSameKpisOnSqliteAndPostgres) {
  const TempDir dir;
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  const auto events = events_of_every_kind(now);
  ASSERT_GT(events.size(), 2000u);
  const std::string sqlite_path = dir.path() + "/events.db";
  store::SqliteEventStore::open(sqlite_path, store::SqliteEventStore::Mode::kReadWrite)->insert(events, now);
  const std::string url = shared_postgres_server().fresh_database("kpi_parity");
  store::PostgresEventStore::open(url)->insert(events, now);

  // Neither run may find a configuration or a store of the machine's.
  const std::map<std::string, std::string> env = {{"HOME", dir.path()},
                                                  {"XDG_CONFIG_HOME", dir.path()},
                                                  {"AGENTMETRICS_CONFIG", ""},
                                                  {"AGENTMETRICS_STORE", ""},
                                                  {"AGENTMETRICS_STORE_URL", ""}};
  const nlohmann::json on_sqlite = kpi_report({"--store", sqlite_path}, env);
  auto team_env = env;
  team_env["AGENTMETRICS_STORE_URL"] = url;
  const nlohmann::json on_postgres = kpi_report({}, team_env);
  ASSERT_TRUE(on_sqlite.contains("kpis")) << on_sqlite.dump();
  std::size_t with_value = 0;
  for (const auto& k : on_sqlite["kpis"]) with_value += k.contains("value") && !k["value"].is_null();
  EXPECT_GE(with_value, 20u) << "most KPIs have data: " << on_sqlite.dump();
  expect_alike(on_sqlite, on_postgres, "report");
}

}  // namespace
}  // namespace agentmetrics::testing
