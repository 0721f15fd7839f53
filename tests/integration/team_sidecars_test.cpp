// What a team's sidecars share through one PostgreSQL besides the events, with real processes
// on a real postgresql-15: the session import's marks (store/import_marks.h), so sidecars
// importing one shared home directory (`agentmetrics import`, agentmetricsd's watcher; the
// recorded runs of the real agents, tests/data/agents) read and store each session once; the
// page (/ui/api), which shows the team's tasks whichever sidecar recorded them; and the team's
// KPIs, which one sidecar at a time computes, exports and alerts on, another taking over when it
// is killed.
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <set>
#include <thread>

#include "tests/support/alert_receiver.h"
#include "tests/integration/recorded_homes.h"
#include "tests/support/collector_process.h"
#include "tests/support/http_client.h"
#include "tests/support/metrics_text.h"
#include "tests/support/postgres_server.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace agentmetrics::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

long query_count(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec1(sql)[0].as<long>();
}

// A machine of the team: the shared home, its own state directory, the team store.
std::map<std::string, std::string> machine(const std::string& home, const std::string& state, const std::string& url) {
  return {{"HOME", home},
          {"AGENTMETRICS_CONFIG", ""},
          {"XDG_CONFIG_HOME", home + "/.config"},
          {"XDG_STATE_HOME", state},
          {"XDG_DATA_HOME", ""},
          {"CODEX_HOME", ""},
          {"CLAUDE_CONFIG_DIR", ""},
          {"OPENCODE_DB", ""},
          {"AGENTMETRICS_STORE", ""},
          {"AGENTMETRICS_STORE_URL", url}};
}

struct Totals {
  long sessions_new = 0, sessions_updated = 0, sessions_unchanged = 0, files_read = 0, files_unchanged = 0;
};

Totals totals_of(const CommandResult& r) {
  Totals t;
  const auto report = nlohmann::json::parse(r.output.substr(r.output.find('{')));
  for (const auto& [agent, a] : report["agents"].items()) {
    t.sessions_new += a["sessions_new"].get<long>();
    t.sessions_updated += a["sessions_updated"].get<long>();
    t.sessions_unchanged += a["sessions_unchanged"].get<long>();
    t.files_read += a["files_read"].get<long>();
    t.files_unchanged += a["files_unchanged"].get<long>();
  }
  return t;
}

TEST(TeamImport, TwoImportsAtOnceFromOneHomeStoreEachSessionOnceAndAThirdReadsNothing) {
  const std::string url = shared_postgres_server().fresh_database("team_import");
  TempDir dir;
  const std::string home = dir.path() + "/home";
  fs::create_directories(home);
  install_recorded_sessions(home);
  CommandResult first, second;
  std::thread a([&] { first = run_command({kAgentmetricsCliBinary, "import", "--json"}, machine(home, dir.path() + "/a", url)); });
  std::thread b([&] { second = run_command({kAgentmetricsCliBinary, "import", "--json"}, machine(home, dir.path() + "/b", url)); });
  a.join();
  b.join();
  ASSERT_EQ(first.code, 0) << first.output;
  ASSERT_EQ(second.code, 0) << second.output;
  const Totals one = totals_of(first), two = totals_of(second);
  // Each session is new to exactly one of them; the other found it stored with its marks.
  EXPECT_EQ(one.sessions_new + two.sessions_new, 5) << first.output << second.output;
  EXPECT_EQ(one.sessions_updated + two.sessions_updated, 0);
  EXPECT_EQ(query_count(url, "SELECT count(*) FROM events WHERE kind = 'task'"), 5);
  EXPECT_EQ(query_count(url, "SELECT count(*) FROM replaced_events"), 0);
  EXPECT_GT(query_count(url, "SELECT count(*) FROM import_files"), 0);
  EXPECT_EQ(query_count(url, "SELECT count(*) FROM import_sessions"), 1);  // the opencode family
  // Nothing was imported into either machine's own file.
  EXPECT_FALSE(fs::exists(dir.path() + "/a/agentmetrics/events.db"));
  EXPECT_FALSE(fs::exists(dir.path() + "/b/agentmetrics/events.db"));

  // A third machine finds every mark in the team store: it reads no file again.
  const CommandResult third = run_command({kAgentmetricsCliBinary, "import", "--json"}, machine(home, dir.path() + "/c", url));
  ASSERT_EQ(third.code, 0) << third.output;
  const Totals three = totals_of(third);
  EXPECT_EQ(three.files_read, 0) << third.output;
  EXPECT_GT(three.files_unchanged, 0) << third.output;
  EXPECT_EQ(three.sessions_new + three.sessions_updated, 0) << third.output;
  EXPECT_EQ(query_count(url, "SELECT count(*) FROM events WHERE kind = 'task'"), 5);
}

// The GitHub backfill of two machines of the team: the facts go to the team store, once.
TEST(TeamIngest, TheGithubBackfillWritesTheTeamStoreOnce) {
  const std::string url = shared_postgres_server().fresh_database("team_ingest");
  TempDir dir;
  const std::string home = dir.path() + "/home";
  fs::create_directories(home);
  // The saved answers are years old: a retention that keeps them.
  const std::string config = dir.path() + "/agentmetrics.yaml";
  std::ofstream(config) << "store:\n  retention: 10000w\n";
  const std::string rest = std::string(AM_WEBHOOK_DATA_DIR) + "/github-rest/";
  const std::vector<std::string> ingest = {kAgentmetricsCliBinary,
                                           "ingest",
                                           "github",
                                           rest + "pulls.json",
                                           rest + "pull.json",
                                           rest + "deployments.json",
                                           rest + "deployment-statuses.json",
                                           "--config",
                                           config,
                                           "--json"};
  const CommandResult first = run_command(ingest, machine(home, dir.path() + "/a", url));
  ASSERT_EQ(first.code, 0) << first.output;
  const auto summary = nlohmann::json::parse(first.output.substr(first.output.find('{')), nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << first.output;
  EXPECT_EQ(summary["stored"], 3) << summary.dump();
  EXPECT_EQ(summary["store"].get<std::string>().rfind("postgresql://", 0), 0u) << summary.dump();
  EXPECT_EQ(query_count(url, "SELECT count(*) FROM events WHERE kind IN ('pull_request', 'deployment')"), 3);
  EXPECT_FALSE(fs::exists(dir.path() + "/a/agentmetrics/events.db")) << "the machine's own file was written";
  // Another machine backfilling the same answers stores nothing again.
  const CommandResult second = run_command(ingest, machine(home, dir.path() + "/b", url));
  ASSERT_EQ(second.code, 0) << second.output;
  EXPECT_EQ(nlohmann::json::parse(second.output.substr(second.output.find('{')))["stored"], 0) << second.output;
  EXPECT_EQ(query_count(url, "SELECT count(*) FROM events WHERE kind IN ('pull_request', 'deployment')"), 3);
}

TEST(TeamImport, TwoSidecarsWatchingOneHomeCountEachSessionOnce) {
  const std::string url = shared_postgres_server().fresh_database("team_watch");
  TempDir dir;
  const std::string home = dir.path() + "/home";
  fs::create_directories(home);
  install_recorded_sessions(home);
  const std::string config = dir.path() + "/config.yaml";
  std::ofstream(config) << "import:\n"
                        << "  sources: [claude-code, codex]\n"
                        << "  paths: {claude-code: " << home << "/.claude, codex: " << home << "/.codex}\n"
                        << "  settle: 1s\n"
                        << "store:\n  retention: 3650d\n";  // the recorded sessions are from 2026-12
  std::vector<std::unique_ptr<CollectorProcess>> sidecars;
  for (int i = 0; i < 2; ++i) {
    const std::string own = dir.path() + "/sidecar" + std::to_string(i);
    fs::create_directories(own);
    sidecars.push_back(std::make_unique<CollectorProcess>(unique_namespace("teamwatch" + std::to_string(i)),
                                                          std::vector<std::string>{"--config=" + config, "--store=" + own + "/events.db"},
                                                          std::map<std::string, std::string>{{"AGENTMETRICS_STORE_URL", url}}));
  }
  // Both finished their first pass over the four sessions of Claude Code and Codex.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  double counted = 0, passes = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    counted = passes = 0;
    double first_passes = 2;
    for (auto& s : sidecars) {
      const Samples samples = s->samples();
      counted += sample(samples, "agentmetrics_session_import_sessions_total").value_or(0);
      const double p = sample(samples, "agentmetrics_session_import_passes_total").value_or(0);
      passes += p;
      first_passes = std::min(first_passes, p);
    }
    if (first_passes >= 1 && query_count(url, "SELECT count(*) FROM events WHERE kind = 'task'") >= 4) break;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(query_count(url, "SELECT count(*) FROM events WHERE kind = 'task'"), 4);
  EXPECT_EQ(query_count(url, "SELECT count(*) FROM replaced_events"), 0);
  // The sessions the sidecars counted (and whose tokens they added to their agent series): each
  // once, by one of them, so that Prometheus's sum over the team is right.
  EXPECT_EQ(counted, 4) << "passes " << passes;
  for (auto& s : sidecars) EXPECT_EQ(s->stop(), 0);
}

TEST(TeamPage, ATaskRecordedThroughOneSidecarShowsOnAnothersPage) {
  const std::string url = shared_postgres_server().fresh_database("team_page");
  TempDir dir;
  std::vector<std::unique_ptr<CollectorProcess>> sidecars;
  std::vector<std::string> namespaces;
  for (int i = 0; i < 2; ++i) {
    namespaces.push_back(unique_namespace("teampage" + std::to_string(i)));
    sidecars.push_back(std::make_unique<CollectorProcess>(
        namespaces.back(), std::vector<std::string>{"--store=" + dir.path() + "/sidecar" + std::to_string(i) + "/events.db"},
        std::map<std::string, std::string>{{"AGENTMETRICS_STORE_URL", url}}));
  }
  // Tasks recorded by an agent next to the first sidecar only.
  Process producer({kOutcomeProducerBinary, "--threads", "1", "--events", "4", "--label", "through-first"},
                   {{"AGENTMETRICS_NAMESPACE", namespaces[0]}});
  const auto status = producer.wait(30s);
  ASSERT_TRUE(status);
  ASSERT_EQ(exit_code(*status), 0) << producer.output();

  // The second sidecar's page lists them, with what the first stored.
  nlohmann::json overview;
  const auto titles = [&] {
    std::set<std::string> seen;
    for (const auto& t : overview.value("tasks", nlohmann::json::array())) {
      if (t["title"].is_string()) seen.insert(t["title"].get<std::string>());
    }
    return seen;
  };
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    const HttpResult r = http_get(sidecars[1]->url("/ui/api/overview?window=1d"));
    overview = r.status == 200 ? nlohmann::json::parse(r.body, nullptr, false) : nlohmann::json();
    if (titles().size() == 4) break;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(titles(), (std::set<std::string>{"through-first-0-0", "through-first-0-1", "through-first-0-2", "through-first-0-3"}))
      << overview.dump();
  // The usage and the KPIs count them too, and one task opens with every field.
  double tasks_used = 0;
  for (const auto& day : overview["usage"]["days"]) tasks_used += day["tasks"].get<double>();
  EXPECT_EQ(tasks_used, 4);
  ASSERT_FALSE(overview["tasks"].empty());
  const auto id = overview["tasks"][0]["id"].get<long>();
  const HttpResult task = http_get(sidecars[1]->url("/ui/api/task?id=" + std::to_string(id)));
  ASSERT_EQ(task.status, 200) << task.body;
  EXPECT_EQ(nlohmann::json::parse(task.body)["task"]["fields"]["agent_type"], "soak");
  // The playbook panel is the team's: a rule added through the first sidecar's learning API, and
  // a reflection the first sidecar ran, show on the second's page, with the rule's why.
  const HttpResult added = http_post(sidecars[0]->url("/api/playbook"), R"({"content": "Pin the base image digest in every Dockerfile"})",
                                     {{"Content-Type", "application/json"}});
  ASSERT_EQ(added.status, 200) << added.body;
  const std::string rule = nlohmann::json::parse(added.body)["data"]["id"];
  const HttpResult reflect = http_post(sidecars[0]->url("/api/reflect"), "", {{"Content-Type", "application/json"}});
  ASSERT_EQ(reflect.status, 202) << reflect.body;
  const auto listed = [&] {
    for (const auto& r : overview["playbook"].value("rules", nlohmann::json::array())) {
      if (r["id"] == rule) return true;
    }
    return false;
  };
  const auto reflection_done = [&] {
    for (const auto& r : overview.value("reflections", nlohmann::json::array())) {
      if (r["status"] == "ok") return true;
    }
    return false;
  };
  const auto reflected = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < reflected) {
    const HttpResult r = http_get(sidecars[1]->url("/ui/api/overview?window=1d"));
    overview = r.status == 200 ? nlohmann::json::parse(r.body, nullptr, false) : nlohmann::json();
    if (listed() && reflection_done()) break;
    std::this_thread::sleep_for(200ms);
  }
  EXPECT_EQ(overview["playbook"]["available"], true) << overview["playbook"].dump();
  EXPECT_TRUE(listed()) << overview["playbook"].dump();
  EXPECT_TRUE(reflection_done()) << "the first sidecar's reflection is not on the second's page: "
                                 << overview.value("reflections", nlohmann::json()).dump();
  const HttpResult why = http_get(sidecars[1]->url("/ui/api/why?id=" + rule));
  ASSERT_EQ(why.status, 200) << why.body;
  EXPECT_EQ(nlohmann::json::parse(why.body)["rule"]["content"], "Pin the base image digest in every Dockerfile") << why.body;
  for (auto& s : sidecars) EXPECT_EQ(s->stop(), 0);
}

// How many of `sidecars` export the sample `key` with `value`, and which (the last one found).
int exporting(const std::vector<std::unique_ptr<CollectorProcess>>& sidecars, const std::string& key, double value, int* which = nullptr) {
  int n = 0;
  for (std::size_t i = 0; i < sidecars.size(); ++i) {
    if (!sidecars[i]) continue;
    if (sample(sidecars[i]->samples(), key) == value) {
      ++n;
      if (which) *which = static_cast<int>(i);
    }
  }
  return n;
}

TEST(TeamKpis, OneSidecarAtATimeComputesExportsAndAlertsOnTheTeamsKpis) {
  const std::string url = shared_postgres_server().fresh_database("team_kpis");
  TempDir dir;
  AlertReceiver receiver(dir.path());
  ASSERT_NE(receiver.port(), 0);
  const std::string config = dir.path() + "/config.yaml";
  std::ofstream(config) << "kpi:\n  refreshInterval: 1s\n";
  std::vector<std::unique_ptr<CollectorProcess>> sidecars;
  std::vector<std::string> namespaces;
  for (int i = 0; i < 3; ++i) {
    namespaces.push_back(unique_namespace("teamkpi" + std::to_string(i)));
    sidecars.push_back(std::make_unique<CollectorProcess>(
        namespaces.back(),
        std::vector<std::string>{"--config=" + config, "--store=" + dir.path() + "/sidecar" + std::to_string(i) + "/events.db"},
        std::map<std::string, std::string>{{"AGENTMETRICS_STORE_URL", url}, {"ALERT_WEBHOOK_URL", receiver.url()}}));
  }
  // A coverage under the alert threshold, recorded next to the last sidecar.
  const CommandResult recorded =
      run_command({kAgentmetricsCliBinary, "record", "coverage", "--percent", "60"}, {{"AGENTMETRICS_NAMESPACE", namespaces[2]}});
  ASSERT_EQ(recorded.code, 0) << recorded.output;
  const std::string status = "opencode_kpi_status{group=\"quality\",kpi=\"code_coverage\",window=\"24h\"}";
  const auto settle = [&](int wanted_holders) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (exporting(sidecars, status, 2) == 1 && exporting(sidecars, "agentmetrics_kpi_lease_held", 1) == wanted_holders) return;
      std::this_thread::sleep_for(200ms);
    }
  };
  settle(1);
  // One sidecar exports the team's KPIs; the others none, and say so.
  int holder = -1;
  EXPECT_EQ(exporting(sidecars, "agentmetrics_kpi_lease_held", 1, &holder), 1);
  EXPECT_EQ(exporting(sidecars, "agentmetrics_kpi_lease_held", 0), 2);
  EXPECT_EQ(exporting(sidecars, status, 2), 1);
  ASSERT_GE(holder, 0);
  for (std::size_t i = 0; i < sidecars.size(); ++i) {
    const std::string text = sidecars[i]->scrape();
    EXPECT_EQ(text.find("opencode_kpi_value{") != std::string::npos, static_cast<int>(i) == holder) << "sidecar " << i;
  }
  // Every sidecar's page shows the alert: the holder's as it sent it, the others' judged from
  // the KPI's status.
  for (const auto& sidecar : sidecars) {
    const HttpResult page = http_get(sidecar->url("/ui/api/overview?window=24h"));
    ASSERT_EQ(page.status, 200) << page.body;
    const auto alerts = nlohmann::json::parse(page.body)["alerts"];
    EXPECT_TRUE(std::any_of(alerts.begin(), alerts.end(), [](const auto& a) { return a["kpi"] == "code_coverage"; })) << alerts.dump();
  }
  // One alert, not one a sidecar: wait past several refreshes of every sidecar.
  std::this_thread::sleep_for(4s);
  auto bodies = receiver.bodies();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0]["status"], "firing");
  const std::string fingerprint = bodies[0]["alerts"][0]["fingerprint"];

  // The holder is killed: another takes over within a few refreshes, and says the alert again
  // under the same labels (Alertmanager keeps one).
  const auto killed_at = std::chrono::steady_clock::now();
  sidecars[static_cast<std::size_t>(holder)]->process().signal(SIGKILL);
  ASSERT_TRUE(sidecars[static_cast<std::size_t>(holder)]->process().wait(60s));
  sidecars[static_cast<std::size_t>(holder)].reset();
  settle(1);
  const double takeover = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed_at).count();
  int next = -1;
  EXPECT_EQ(exporting(sidecars, "agentmetrics_kpi_lease_held", 1, &next), 1);
  EXPECT_EQ(exporting(sidecars, status, 2), 1);
  EXPECT_NE(next, holder);
  bodies = receiver.wait_for(2);
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_EQ(bodies[1]["status"], "firing");
  EXPECT_EQ(bodies[1]["alerts"][0]["fingerprint"], fingerprint);
  std::printf("[ figures ] KPIs exported again by another sidecar %.1f s after their holder was killed\n", takeover);

  // Recovered: resolved once, by the new holder.
  const CommandResult better = run_command({kAgentmetricsCliBinary, "record", "coverage", "--percent", "90"},
                                           {{"AGENTMETRICS_NAMESPACE", namespaces[static_cast<std::size_t>(next)]}});
  ASSERT_EQ(better.code, 0) << better.output;
  bodies = receiver.wait_for(3);
  std::this_thread::sleep_for(3s);
  bodies = receiver.bodies();
  ASSERT_EQ(bodies.size(), 3u);
  EXPECT_EQ(bodies[2]["status"], "resolved");
  for (auto& s : sidecars) {
    if (s) {
      EXPECT_EQ(s->stop(), 0);
    }
  }
}

}  // namespace
}  // namespace agentmetrics::testing
