// Sidecars sharing one team store on a real PostgreSQL 15: four collectors writing at once, with
// producers and a collector killed mid-run, store every accepted event exactly once; and the
// database stopped under load and started again loses and doubles nothing (the collector spools
// on its disk meanwhile, says so on /health, and replays the spool when the database is back).
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <pqxx/result>
#include <set>
#include <thread>

#include "tests/support/collector_process.h"
#include "tests/support/http_client.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

namespace agentmetrics::testing {
namespace {

using namespace std::chrono_literals;

// Titles of the stored task events, with how many rows each has.
std::map<std::string, int> stored_titles(const std::string& url) {
  std::map<std::string, int> titles;
  try {
    pqxx::connection c(url);
    pqxx::nontransaction tx(c);
    for (const auto& row : tx.exec("SELECT fields->>'title', count(*) FROM events WHERE kind = 'task' GROUP BY 1")) {
      titles[row[0].as<std::string>()] = row[1].as<int>();
    }
  } catch (const pqxx::undefined_table&) {  // no collector has created the schema yet
  }
  return titles;
}

std::size_t total_rows(const std::map<std::string, int>& titles) {
  std::size_t n = 0;
  for (const auto& [title, count] : titles) n += static_cast<std::size_t>(count);
  return n;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(100ms);
  }
  return done();
}

// A sidecar: its own namespace and directory (the spool lives there, so a restarted collector
// finds what it spooled), writing to the team store.
struct Sidecar {
  Sidecar(const std::string& store_url, int index) : ns(unique_namespace("team" + std::to_string(index))), url(store_url) { start(); }
  void start() {
    collector = std::make_unique<CollectorProcess>(ns, std::vector<std::string>{"--store=" + dir.path() + "/events.db"},
                                                   std::map<std::string, std::string>{{"AGENTMETRICS_STORE_URL", url}});
  }
  std::unique_ptr<Process> producer(const std::string& label, long events, int pause_us) const {
    return std::make_unique<Process>(
        std::vector<std::string>{kOutcomeProducerBinary, "--threads", "2", "--events", std::to_string(events), "--pause-us",
                                 std::to_string(pause_us), "--label", label, "--accepted", dir.path() + "/" + label + ".txt"},
        std::map<std::string, std::string>{{"AGENTMETRICS_NAMESPACE", ns}});
  }
  std::vector<std::string> accepted(const std::string& label) const { return read_lines(dir.path() + "/" + label + ".txt"); }
  nlohmann::json health() const { return nlohmann::json::parse(http_get(collector->url("/health")).body, nullptr, false); }

  TempDir dir;
  std::string ns;
  std::string url;
  std::unique_ptr<CollectorProcess> collector;
};

TEST(TeamStore, FourCollectorsWritingAtOnceStoreEveryAcceptedEventOnceThroughKills) {
  const std::string url = shared_postgres_server().fresh_database("exactly_once");
  std::vector<std::unique_ptr<Sidecar>> sidecars;
  for (int i = 0; i < 4; ++i) sidecars.push_back(std::make_unique<Sidecar>(url, i));
  // Each sidecar: a producer that finishes (whose accepted events are known) and one killed
  // mid-run (whose events the rings still hold, to be drained from its abandoned segment).
  std::vector<std::unique_ptr<Process>> finishing, killed;
  for (int i = 0; i < 4; ++i) {
    finishing.push_back(sidecars[i]->producer("done" + std::to_string(i), 2500, 400));
    killed.push_back(sidecars[i]->producer("killed" + std::to_string(i), 1000000, 400));
  }
  std::this_thread::sleep_for(700ms);
  // A collector killed mid-run: what it had not committed is still in its rings, read again by
  // the collector started in its place.
  sidecars[2]->collector->process().signal(SIGKILL);
  // Generous: under ASan a killed collector stayed a zombie for more than 10 s while its
  // threads were torn down.
  ASSERT_TRUE(sidecars[2]->collector->process().wait(60s));
  std::this_thread::sleep_for(300ms);
  for (auto& p : killed) p->signal(SIGKILL);
  sidecars[2]->start();
  for (auto& p : finishing) {
    const auto status = p->wait(120s);
    ASSERT_TRUE(status) << "a producer did not finish";
    ASSERT_EQ(exit_code(*status), 0) << p->output();
  }
  std::set<std::string> accepted;
  for (int i = 0; i < 4; ++i) {
    for (auto& title : sidecars[i]->accepted("done" + std::to_string(i))) accepted.insert(title);
  }
  ASSERT_GT(accepted.size(), 4 * 2 * 1000u) << "most of the finishing producers' events were accepted";

  std::map<std::string, int> titles;
  ASSERT_TRUE(wait_until(
      [&] {
        titles = stored_titles(url);
        return std::all_of(accepted.begin(), accepted.end(), [&](const auto& t) { return titles.contains(t); });
      },
      60s))
      << "accepted events missing from the team store";
  // The killed producers' rings drain too; the count settles.
  std::size_t settled = 0;
  wait_until(
      [&] {
        const std::size_t before = total_rows(titles);
        std::this_thread::sleep_for(1s);
        titles = stored_titles(url);
        settled = total_rows(titles);
        return settled == before;
      },
      30s);
  std::size_t twice = 0, unknown = 0, from_killed = 0;
  for (const auto& [title, copies] : titles) {
    if (copies != 1) ++twice;
    if (title.starts_with("killed")) {
      ++from_killed;
    } else if (!accepted.contains(title)) {
      ++unknown;
    }
  }
  EXPECT_EQ(twice, 0u) << "events stored more than once";
  EXPECT_EQ(unknown, 0u) << "stored events their producer saw dropped";
  EXPECT_GT(from_killed, 0u) << "the killed producers' events reached the store";
  std::printf("accepted=%zu stored=%zu (of which from killed producers %zu)\n", accepted.size(), settled, from_killed);
}

TEST(TeamStore, TheDatabaseStoppedUnderLoadLosesAndDoublesNothing) {
  // A server of its own, since this test stops it.
  PostgresServer server;
  const std::string url = server.url();
  Sidecar sidecar(url, 9);
  // About 1000 events a second for about 14 s, through the outage.
  const auto producer = sidecar.producer("outage", 7000, 2000);
  ASSERT_TRUE(wait_until([&] { return !stored_titles(url).empty(); }, 20s)) << sidecar.collector->process().output();
  server.stop();
  // 10 s down: ten times the writer's retry delay and enough events to fill the rings many times
  // over had they not gone to the spool.
  nlohmann::json health;
  ASSERT_TRUE(wait_until(
      [&] {
        health = sidecar.health();
        return health.is_object() && health["services"].value("store", true) == false && health["store"].value("spooled", 0) > 0;
      },
      8s))
      << health.dump();
  const std::string error = health["store"].value("error", "");
  EXPECT_NE(error.find("postgresql://agentmetrics:***@127.0.0.1"), std::string::npos) << error;
  EXPECT_EQ(error.find(server.password()), std::string::npos) << error;
  std::this_thread::sleep_for(8s);
  const auto spooled_while_down = sidecar.health()["store"].value("spooled", 0);
  server.start();
  const auto status = producer->wait(60s);
  ASSERT_TRUE(status) << "the producer did not finish";
  ASSERT_EQ(exit_code(*status), 0) << producer->output();
  const auto accepted_list = sidecar.accepted("outage");
  const std::set<std::string> accepted(accepted_list.begin(), accepted_list.end());

  std::map<std::string, int> titles;
  ASSERT_TRUE(wait_until(
      [&] {
        titles = stored_titles(url);
        return titles.size() >= accepted.size();
      },
      60s))
      << "stored " << titles.size() << " of " << accepted.size() << "\n"
      << sidecar.collector->process().output();
  std::size_t twice = 0, missing = 0;
  for (const auto& [title, copies] : titles) twice += copies != 1;
  for (const auto& title : accepted) missing += !titles.contains(title);
  EXPECT_EQ(missing, 0u);
  EXPECT_EQ(twice, 0u);
  EXPECT_EQ(titles.size(), accepted.size());
  ASSERT_TRUE(wait_until(
      [&] {
        health = sidecar.health();
        return health["services"].value("store", false) && health["store"].value("spooled", -1) == 0;
      },
      20s))
      << health.dump();
  const std::string metrics = sidecar.collector->scrape();
  EXPECT_NE(metrics.find("agentmetrics_store_spool_replayed_total"), std::string::npos);
  std::printf("accepted=%zu stored=%zu spooled while down=%d\n", accepted.size(), titles.size(), static_cast<int>(spooled_while_down));
  // Hundreds at the least: a sanitizer build's producer writes a few hundred a second.
  EXPECT_GT(spooled_while_down, 200) << "the outage was under load";
}

}  // namespace
}  // namespace agentmetrics::testing
