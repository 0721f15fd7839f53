// The learning side of sidecars sharing one team store, with real processes on a real
// PostgreSQL 15: the task events one sidecar's collector stored are in the history `cm context`
// gives on another machine (another home: its own copy of the playbook, no collector of its own);
// a reflection requested of one sidecar learns from the failures every sidecar stored, one sidecar
// reflects at a time, and another takes over when the one reflecting is killed.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/transaction>
#include <set>
#include <csignal>
#include <thread>

#include "tests/support/collector_process.h"
#include "tests/support/metrics_text.h"
#include "tests/support/postgres_server.h"
#include "tests/support/process.h"
#include "tests/support/raw_http.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace agentmetrics::testing {
namespace {

using namespace std::chrono_literals;

std::size_t stored_tasks(const std::string& url, const std::string& label) {
  try {
    pqxx::connection c(url);
    pqxx::nontransaction tx(c);
    return tx.exec_params1("SELECT count(*) FROM events WHERE kind = 'task' AND fields->>'task_type' = $1", label)[0].as<std::size_t>();
  } catch (const pqxx::undefined_table&) {  // the collector has not created the schema yet
    return 0;
  }
}

nlohmann::json cm_json(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {AM_CM_BINARY, "--json"};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto r = run_command(argv, env);
  EXPECT_EQ(r.code, 0) << r.output;
  auto envelope = nlohmann::json::parse(r.output.substr(std::min(r.output.size(), r.output.find('{'))), nullptr, false);
  EXPECT_FALSE(envelope.is_discarded()) << r.output;
  return envelope;
}

// The environment of a machine with the team store and a home of its own.
std::map<std::string, std::string> machine(const std::string& url, const TempDir& home) {
  return {{"AGENTMETRICS_STORE_URL", url}, {"HOME", home.path()}, {"XDG_CONFIG_HOME", home.path()}, {"XDG_DATA_HOME", home.path()}};
}

// `events` tasks labelled `label` through the collector of namespace `ns`; every third fails in
// the stage and failure type of `failure` (STAGE:TYPE).
void produce(const std::string& ns, const std::string& label, int events, const std::string& failure) {
  Process producer({kOutcomeProducerBinary, "--events", std::to_string(events), "--label", label, "--failure", failure},
                   {{"AGENTMETRICS_NAMESPACE", ns}});
  const auto status = producer.wait(60s);
  ASSERT_TRUE(status) << "the producer did not finish";
  ASSERT_EQ(exit_code(*status), 0) << producer.output();
}

bool eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(100ms);
  }
  return true;
}

void request_reflection(const CollectorProcess& collector) {
  const auto asked = raw_http(collector.port(),
                              "POST /api/reflect HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: "
                              "0\r\nConnection: close\r\n\r\n");
  ASSERT_EQ(asked.status, 202) << asked.body;
}

// The collector's reflection rounds that ended with `result` (ok, error, skipped).
double rounds(const CollectorProcess& collector, const std::string& result) {
  return sample(collector.samples(), "opencode_cass_memory_reflection_runs_total{result=\"" + result + "\"}").value_or(0);
}

double all_rounds(const CollectorProcess& collector) {
  return rounds(collector, "ok") + rounds(collector, "error") + rounds(collector, "skipped");
}

std::int64_t count(const std::string& url, const std::string& sql) {
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  return tx.exec1(sql)[0].as<std::int64_t>();
}

// A request to a sidecar's learning API, as the opencode plugin makes it (loopback, no token).
RawResponse api_get(const CollectorProcess& sidecar, const std::string& path) {
  return raw_http(sidecar.port(), get_request(path, {{"Accept", "application/json"}}));
}

RawResponse api_post(const CollectorProcess& sidecar, const std::string& path, const nlohmann::json& body,
                     const std::string& extra_headers = {}) {
  const std::string text = body.dump();
  return raw_http(sidecar.port(), "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" + extra_headers +
                                      "Content-Length: " + std::to_string(text.size()) + "\r\nConnection: close\r\n\r\n" + text);
}

nlohmann::json data_of(const RawResponse& r) {
  EXPECT_EQ(r.status, 200) << r.body;
  const auto envelope = nlohmann::json::parse(r.body, nullptr, false);
  if (envelope.is_discarded() || !envelope.contains("data")) {
    ADD_FAILURE() << r.body;
    return nlohmann::json::object();
  }
  return envelope["data"];
}

// The rule `id` as sidecar `sidecar`'s /api/playbook lists it (null when absent).
nlohmann::json listed_rule(const CollectorProcess& sidecar, const std::string& id) {
  const auto listed = data_of(api_get(sidecar, "/api/playbook?all=true"));
  for (const auto& rule : listed["bullets"]) {
    if (rule["id"] == id) return rule;
  }
  return nullptr;
}

bool gives_rule(const nlohmann::json& context, const std::string& prefix) {
  for (const auto& rule : context["relevantBullets"]) {
    if (rule["content"].get<std::string>().rfind(prefix, 0) == 0) return true;
  }
  return false;
}

constexpr const char* kLearnedRule = "SELECT count(*) FROM bullets WHERE content LIKE 'Recurring timeout in the deploy stage:%'";

TEST(TeamLearning, ATaskStoredThroughOneSidecarIsInTheHistoryCmContextGivesOnAnotherMachine) {
  const std::string url = shared_postgres_server().fresh_database("team_history");
  // Machine B asks first, before anything is stored: its answer has no past tasks.
  TempDir home_b;
  const std::map<std::string, std::string> machine_b = {
      {"AGENTMETRICS_STORE_URL", url}, {"HOME", home_b.path()}, {"XDG_CONFIG_HOME", home_b.path()}, {"XDG_DATA_HOME", home_b.path()}};
  // Sidecar A: its collector writes to the team store; a producer records 30 tasks through its rings.
  TempDir dir_a;
  const std::string ns = unique_namespace("teamlearn");
  CollectorProcess collector(ns, {"--store=" + dir_a.path() + "/events.db"}, {{"AGENTMETRICS_STORE_URL", url}});
  Process producer({kOutcomeProducerBinary, "--threads", "1", "--events", "30", "--pause-us", "1000", "--label", "kubernetes", "--accepted",
                    dir_a.path() + "/accepted.txt"},
                   {{"AGENTMETRICS_NAMESPACE", ns}});
  const auto status = producer.wait(60s);
  ASSERT_TRUE(status) << "the producer did not finish";
  ASSERT_EQ(exit_code(*status), 0) << producer.output();
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (stored_tasks(url, "kubernetes") < 30 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(100ms);
  ASSERT_EQ(stored_tasks(url, "kubernetes"), 30u) << "sidecar A's tasks did not reach the team store";

  const auto envelope = cm_json({"context", "kubernetes", "--limit", "10"}, machine_b);
  ASSERT_TRUE(envelope["success"].get<bool>()) << envelope.dump();
  std::set<std::string> titles;
  for (const auto& h : envelope["data"]["historySnippets"]) titles.insert(h["title"].get<std::string>());
  EXPECT_EQ(titles.size(), 10u) << envelope.dump();
  for (const auto& t : titles) EXPECT_EQ(t.rfind("kubernetes-0-", 0), 0u) << t;
  EXPECT_FALSE(envelope["data"].contains("degraded")) << envelope.dump();
  // Indexed once: asking again on another machine indexes nothing more and answers the same.
  TempDir home_c;
  auto machine_c = machine_b;
  machine_c["HOME"] = machine_c["XDG_CONFIG_HOME"] = machine_c["XDG_DATA_HOME"] = home_c.path();
  const auto again = cm_json({"context", "kubernetes", "--limit", "10"}, machine_c);
  EXPECT_EQ(again["data"]["historySnippets"], envelope["data"]["historySnippets"]);
  pqxx::connection c(url);
  pqxx::nontransaction tx(c);
  EXPECT_EQ(tx.exec1("SELECT count(*) FROM history_tasks")[0].as<int>(), 30);
  EXPECT_EQ(tx.exec1("SELECT value FROM learning_state WHERE key = 'history_count'")[0].as<int>(), 30);
}

TEST(TeamLearning, AReflectionLearnsFromTheFailuresEverySidecarStoredAndEveryMachineSeesTheRule) {
  const std::string url = shared_postgres_server().fresh_database("team_reflect");
  TempDir dir_a, dir_b, home_c;
  const std::string ns_a = unique_namespace("teamrefa"), ns_b = unique_namespace("teamrefb");
  CollectorProcess a(ns_a, {"--store=" + dir_a.path() + "/events.db"}, {{"AGENTMETRICS_STORE_URL", url}});
  CollectorProcess b(ns_b, {"--store=" + dir_b.path() + "/events.db"}, {{"AGENTMETRICS_STORE_URL", url}});
  // Two failed deploys through each sidecar: two are fewer than the three a rule needs, four are not.
  produce(ns_a, "alpha", 6, "deploy:timeout");
  produce(ns_b, "beta", 6, "deploy:timeout");
  ASSERT_TRUE(eventually([&] { return stored_tasks(url, "alpha") == 6 && stored_tasks(url, "beta") == 6; }))
      << "the sidecars' tasks did not reach the team store";

  const double before = all_rounds(a);
  request_reflection(a);
  ASSERT_TRUE(eventually([&] { return all_rounds(a) > before; })) << "sidecar A did not reflect";
  ASSERT_GE(rounds(a, "ok"), 1) << a.scrape();
  EXPECT_EQ(count(url, kLearnedRule), 1) << "the rule learned from both sidecars' failures is in the team's playbook";
  EXPECT_EQ(count(url, "SELECT min(evidence_count) FROM bullets WHERE content LIKE 'Recurring timeout in the deploy stage:%'"), 4);
  EXPECT_EQ(count(url, "SELECT count(*) FROM patterns WHERE kind = 'failure' AND data LIKE '%\"occurrence_count\":4%'"), 1);
  EXPECT_GE(count(url, "SELECT count(*) FROM reflection_runs WHERE status = 'ok'"), 1);

  // Another machine, with no collector of its own, is given the rule by cm context.
  const auto context = cm_json({"context", "the deploy keeps timing out"}, machine(url, home_c));
  ASSERT_TRUE(context["success"].get<bool>()) << context.dump();
  bool found = false;
  for (const auto& rule : context["data"]["relevantBullets"])
    found = found || rule["content"].get<std::string>().rfind("Recurring timeout in the deploy stage:", 0) == 0;
  EXPECT_TRUE(found) << context.dump();
  // So does sidecar B's learning API, which its agent's plugin asks.
  EXPECT_TRUE(
      gives_rule(data_of(api_get(b, "/api/context?task=the%20deploy%20keeps%20timing%20out")), "Recurring timeout in the deploy stage:"))
      << "sidecar B's /api/context did not give the rule sidecar A learned";

  // Sidecar B reflects over the same history: the occurrences counted already are not counted again.
  const double before_b = all_rounds(b);
  request_reflection(b);
  ASSERT_TRUE(eventually([&] { return all_rounds(b) > before_b; })) << "sidecar B did not reflect";
  EXPECT_GE(rounds(b, "ok"), 1) << b.scrape();
  EXPECT_EQ(count(url, kLearnedRule), 1);
  EXPECT_EQ(count(url, "SELECT min(evidence_count) FROM bullets WHERE content LIKE 'Recurring timeout in the deploy stage:%'"), 4);
}

TEST(TeamLearning, TheSidecarsLearningApisWorkOnTheTeamsPlaybook) {
  const std::string url = shared_postgres_server().fresh_database("team_api");
  TempDir dir_a, dir_b;
  CollectorProcess a(unique_namespace("teamapia"), {"--store=" + dir_a.path() + "/events.db"}, {{"AGENTMETRICS_STORE_URL", url}});
  CollectorProcess b(unique_namespace("teamapib"), {"--store=" + dir_b.path() + "/events.db"}, {{"AGENTMETRICS_STORE_URL", url}});

  // A rule added through sidecar A's API is in the team store, and sidecar B's /api/context gives it.
  const auto added =
      data_of(api_post(a, "/api/playbook", {{"content", "Pin the base image digest in every Dockerfile"}, {"tags", {"docker"}}}));
  const std::string id = added.value("id", "");
  ASSERT_FALSE(id.empty()) << added.dump();
  EXPECT_EQ(count(url, "SELECT count(*) FROM bullets WHERE content = 'Pin the base image digest in every Dockerfile'"), 1);
  const auto context = data_of(api_get(b, "/api/context?task=update%20the%20Dockerfile%20base%20image"));
  EXPECT_TRUE(gives_rule(context, "Pin the base image digest")) << context.dump();

  // A mark through B and an outcome through A move the counts both sidecars list.
  data_of(api_post(b, "/api/mark", {{"id", id}, {"kind", "helpful"}, {"session_id", "ses-b"}}));
  data_of(api_post(a, "/api/outcome", {{"outcome", "success"}, {"rules", {id}}, {"session_id", "ses-a"}}));
  for (const CollectorProcess* sidecar : {&a, &b}) {
    const auto rule = listed_rule(*sidecar, id);
    ASSERT_TRUE(rule.is_object()) << "the rule is missing from a sidecar's /api/playbook";
    EXPECT_EQ(rule["helpful"], 2) << rule.dump();
    EXPECT_EQ(rule["harmful"], 0) << rule.dump();
  }
  EXPECT_EQ(count(url, "SELECT count(*) FROM feedback WHERE kind = 'helpful'"), 2);
  const auto stats = data_of(api_get(b, "/api/stats"));
  EXPECT_EQ(stats["active"], 1) << stats.dump();
  EXPECT_EQ(stats["feedback"]["helpful"], 2) << stats.dump();

  // The routes' rules hold on a team store as on a file: a page of another origin changes nothing.
  const auto foreign = api_post(b, "/api/playbook/remove", {{"id", id}}, "Origin: http://evil.example\r\n");
  EXPECT_EQ(foreign.status, 403) << foreign.body;
  EXPECT_EQ(listed_rule(a, id)["state"], "active");
  // Removed through B, it is retired for A too.
  data_of(api_post(b, "/api/playbook/remove", {{"id", id}}));
  EXPECT_EQ(listed_rule(a, id)["state"], "retired");
  EXPECT_FALSE(gives_rule(data_of(api_get(a, "/api/context?task=update%20the%20Dockerfile%20base%20image")), "Pin the base image digest"));
}

TEST(TeamLearning, OneSidecarReflectsAtATimeAndAnotherTakesOverWhenItIsKilled) {
  const std::string url = shared_postgres_server().fresh_database("team_reflect_lease");
  TempDir dir_a, dir_b, home_c;
  const std::string ns_a = unique_namespace("teamleasea");
  auto a = std::make_unique<CollectorProcess>(ns_a, std::vector<std::string>{"--store=" + dir_a.path() + "/events.db"},
                                              std::map<std::string, std::string>{{"AGENTMETRICS_STORE_URL", url}});
  CollectorProcess b(unique_namespace("teamleaseb"), {"--store=" + dir_b.path() + "/events.db"}, {{"AGENTMETRICS_STORE_URL", url}});
  produce(ns_a, "gamma", 9, "deploy:timeout");
  ASSERT_TRUE(eventually([&] { return stored_tasks(url, "gamma") == 9; }));

  // Sidecar A's reflection is held inside the lease: this test locks the table it records its
  // run in, so A waits there, holding the lease, until the test lets go.
  // The team's learning tables are made by the first process that opens its learning store,
  // which the sidecars may not have done yet: a cm command does.
  const auto made = run_command({AM_CM_BINARY, "--json", "playbook", "list"}, machine(url, home_c));
  ASSERT_EQ(made.code, 0) << made.output;
  pqxx::connection blocker(url);
  pqxx::work lock(blocker);
  lock.exec("LOCK TABLE reflection_runs IN EXCLUSIVE MODE");
  request_reflection(*a);
  ASSERT_TRUE(eventually([&] {
    return count(url,
                 "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO reflection_runs%'") == 1;
  })) << "sidecar A did not start its reflection";

  // The others say that another is reflecting, and do nothing.
  const auto busy = run_command({AM_CM_BINARY, "--json", "reflect"}, machine(url, home_c));
  EXPECT_EQ(busy.code, 4) << busy.output;
  EXPECT_NE(busy.output.find("REFLECTION_BUSY"), std::string::npos) << busy.output;
  const double skipped = rounds(b, "skipped");
  request_reflection(b);
  ASSERT_TRUE(eventually([&] { return rounds(b, "skipped") > skipped; })) << b.scrape();
  EXPECT_EQ(rounds(b, "ok"), 0);
  EXPECT_EQ(count(url, kLearnedRule), 0);

  // A dies holding the lease; at its next round B takes it over and learns the rule.
  a->process().signal(SIGKILL);
  ASSERT_TRUE(a->process().wait(10s));
  a.reset();
  lock.commit();
  ASSERT_TRUE(eventually([&] {
    const double done = all_rounds(b);
    request_reflection(b);
    return eventually([&] { return all_rounds(b) > done; }) && rounds(b, "ok") >= 1;
  })) << b.scrape();
  EXPECT_EQ(rounds(b, "error"), 0) << b.scrape();
  EXPECT_EQ(count(url, kLearnedRule), 1);
  EXPECT_EQ(count(url, "SELECT count(*) FROM reflection_runs WHERE status = 'ok'"), 1);
  EXPECT_EQ(count(url, "SELECT count(*) FROM reflection_runs WHERE status = 'running'"), 0) << "A's run went with it";
}

}  // namespace
}  // namespace agentmetrics::testing
