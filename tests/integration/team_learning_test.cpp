// The learning side of sidecars sharing one team store, with real processes on a real
// PostgreSQL 15: the task events one sidecar's collector stored are in the history `cm context`
// gives on another machine (another home: its own copy of the playbook, no collector of its own).
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <set>
#include <thread>

#include "tests/support/collector_process.h"
#include "tests/support/postgres_server.h"
#include "tests/support/process.h"
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

}  // namespace
}  // namespace agentmetrics::testing
