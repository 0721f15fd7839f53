// The store under producers and clients that would grow it without end or hold it, with the real
// daemon and the real `cm`: a date far in the future, retention by the time of receipt, the cap
// on rules, a paged playbook, and `cm context` while another writer holds the store's lock.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "collector/store/sqlite_event_store.h"
#include "tests/reliability/wait_until.h"
#include "tests/support/collector_process.h"
#include "tests/support/raw_http.h"
#include "tests/support/stored_events.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace agentmetrics;
using namespace agentmetrics::testing;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

double now_unix() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

std::string write_config(const TempDir& dir, const std::string& yaml) {
  std::string path = dir.path() + "/agentmetrics.yml";
  std::ofstream(path) << yaml;
  return path;
}

ipc::OutcomeEvent task_event(std::uint64_t sequence, double time, const std::string& title) {
  ipc::OutcomeEvent e;
  e.kind = ipc::OutcomeKind::kTask;
  e.producer_id = 42;
  e.sequence = sequence;
  e.time = time;
  e.fields = {{"agent_type", std::string("build")},
              {"task_type", std::string("bugfix")},
              {"success", true},
              {"duration_seconds", 60.0},
              {"title", title}};
  return e;
}

// The daemon's answer to a JSON POST from loopback (the learning API needs no token there).
RawResponse post(const CollectorProcess& c, const std::string& path, const json& body) {
  const std::string text = body.dump();
  return raw_http(c.port(), "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
                                std::to_string(text.size()) + "\r\nConnection: close\r\n\r\n" + text);
}

json get_json(const CollectorProcess& c, const std::string& path) {
  const RawResponse r = raw_http(c.port(), get_request(path));
  EXPECT_EQ(r.status, 200) << path << ": " << r.body;
  return json::parse(r.body, nullptr, false);
}

struct CmRun {
  int code = -1;
  std::string out;
  double seconds = 0;
  json data() const { return json::parse(out.substr(std::min(out.size(), out.find('{'))), nullptr, false); }
};

// The real cm on `store`, without the person's configuration.
CmRun cm(const TempDir& home, const std::string& store, std::vector<std::string> args) {
  std::vector<std::string> argv = {AM_CM_BINARY, "--store", store};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto start = Clock::now();
  Process p(argv, {{"HOME", home.path()}, {"XDG_CONFIG_HOME", home.path() + "/config"}, {"AGENTMETRICS_CONFIG", ""}});
  const auto status = p.wait(std::chrono::seconds(30));
  CmRun r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.code = status ? exit_code(*status) : -1;
  r.out = p.output();
  return r;
}

}  // namespace

// `agentmetrics record --at 2999-...`: stored as happening when the store received it, and
// counted.
TEST(StoreBounds, AFutureDatedEventIsStoredAsReceivedAndCounted) {
  const std::string ns = unique_namespace("future");
  CollectorProcess collector(ns);
  const double before = now_unix();
  Process record({kAgentmetricsCliBinary, "record", "task", "--agent_type", "clock", "--task_type", "ahead", "--success", "true",
                  "--duration_seconds", "5", "--at", "2999-01-01T00:00:00Z"},
                 {{"AGENTMETRICS_NAMESPACE", ns}});
  const auto done = record.wait(std::chrono::seconds(20));
  ASSERT_TRUE(done);
  ASSERT_EQ(exit_code(*done), 0) << record.output();
  const auto events = wait_for_stored_events(collector.store_path(), 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_GE(events[0].time, before);
  EXPECT_LE(events[0].time, now_unix()) << "a time after its receipt was kept";
  const Samples s =
      scrape_until(collector, [](const Samples& got) { return sample(got, "agentmetrics_outcome_events_stored_total") == 1; });
  EXPECT_EQ(sample(s, "agentmetrics_outcome_events_future_dated_total"), 1);
}

// Retention removes what the store received before its cutoff, whatever the events claim: an
// event dated 2999 (as a store written before dates were clamped holds it) goes with the others
// received two hours ago under `retention: 1h`; an old event backfilled now stays.
TEST(StoreBounds, RetentionGoesByTheTimeOfReceipt) {
  TempDir dir;
  const std::string store = dir.path() + "/events.db";
  const double now = now_unix();
  {
    auto s = store::SqliteEventStore::open(store, store::SqliteEventStore::Mode::kReadWrite);
    s->insert(std::vector{task_event(1, now - 7300, "far future"), task_event(2, now - 7300, "two hours ago")}, now - 7200);
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(s->handle(), "UPDATE events SET time = 32503680000 WHERE sequence = 1", nullptr, nullptr, &error), SQLITE_OK);
    s->insert(std::vector{task_event(3, now - 3 * 86400, "backfilled")}, now);
  }
  const std::string config = write_config(dir, "store:\n  retention: 1h\n");
  CollectorProcess collector(unique_namespace("retention"), {"--store=" + store, "--config=" + config});
  const Samples s =
      scrape_until(collector, [](const Samples& got) { return sample(got, "agentmetrics_outcome_events_retired_total") >= 2; });
  EXPECT_EQ(sample(s, "agentmetrics_outcome_events_retired_total"), 2);
  const auto left = stored_events(store);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].fields["title"], "backfilled");
}

// cass_memory.maxRules: at the cap a new manual rule is refused (PLAYBOOK_FULL) unless a manual
// rule of low confidence gives way, which is retired ("capacity"). GET /api/playbook and `cm
// playbook list` answer a page at a time, with the total and where the next page starts.
TEST(StoreBounds, TheRuleCapHoldsAndThePlaybookIsPaged) {
  TempDir dir;
  const std::string config = write_config(dir, "cass_memory:\n  maxRules: 150\n");
  CollectorProcess collector(unique_namespace("rules"), {"--config=" + config});
  int added = 0, refused = 0;
  for (int i = 0; i < 160; ++i) {
    // Words of their own, so that no rule merges into another as a near duplicate.
    const std::string word = {static_cast<char>('a' + i / 26 % 26), static_cast<char>('a' + i % 26), 'x'};
    const RawResponse r =
        post(collector, "/api/playbook", {{"content", "Check the " + word + " module before merging " + word + " changes"}});
    if (r.status == 200) {
      EXPECT_NE(r.body.find("\"action\":\"added\""), std::string::npos) << r.body;
      ++added;
    } else {
      ++refused;
      EXPECT_EQ(r.status, 400);
      EXPECT_NE(r.body.find("PLAYBOOK_FULL"), std::string::npos) << r.body;
    }
  }
  EXPECT_EQ(added, 150);
  EXPECT_EQ(refused, 10);

  json page = get_json(collector, "/api/playbook");
  EXPECT_EQ(page["data"]["total"], 150);
  EXPECT_EQ(page["data"]["count"], 100) << "the default page";
  EXPECT_EQ(page["data"]["next_offset"], 100);
  EXPECT_EQ(page["data"]["bullets"].size(), 100u);
  page = get_json(collector, "/api/playbook?offset=100&limit=80");
  EXPECT_EQ(page["data"]["count"], 50);
  EXPECT_TRUE(page["data"]["next_offset"].is_null());
  EXPECT_EQ(raw_http(collector.port(), get_request("/api/playbook?limit=5000")).status, 400);

  // A rule marked harmful twice falls to low confidence: the next rule takes its place.
  const std::string weak = page["data"]["bullets"][0]["id"];
  for (int i = 0; i < 2; ++i) EXPECT_EQ(post(collector, "/api/mark", {{"id", weak}, {"feedback", "harmful"}}).status, 200);
  EXPECT_EQ(post(collector, "/api/playbook", {{"content", "A rule that finds room"}}).status, 200);
  page = get_json(collector, "/api/playbook?include_retired=true&limit=1000");
  EXPECT_EQ(page["data"]["total"], 151);
  bool weak_retired = false;
  for (const auto& b : page["data"]["bullets"]) weak_retired = weak_retired || (b["id"] == weak && b["retired_reason"] == "capacity");
  EXPECT_TRUE(weak_retired) << page.dump().substr(0, 2000);

  // The real cm pages the same way.
  collector.stop();
  const CmRun last = cm(dir, collector.store_path(), {"playbook", "list", "--json", "--limit", "40", "--offset", "120"});
  ASSERT_EQ(last.code, 0) << last.out;
  EXPECT_EQ(last.data()["data"]["total"], 150);
  EXPECT_EQ(last.data()["data"]["count"], 30);
  EXPECT_TRUE(last.data()["data"]["next_offset"].is_null());
  const CmRun human = cm(dir, collector.store_path(), {"playbook", "list"});
  EXPECT_NE(human.out.find("150 rules, 1 to 100 shown"), std::string::npos) << human.out.substr(0, 300);
  EXPECT_NE(human.out.find("more: --offset 100"), std::string::npos);
}

// Another process holds the store's write lock (a long import, a stuck writer): `cm context`
// answers from what is indexed at once, and says so, instead of waiting SQLite's 5 s.
TEST(StoreBounds, CmContextOnALockedStoreAnswersFromWhatIsIndexedAndSaysItIsDegraded) {
  TempDir dir;
  const std::string store = dir.path() + "/events.db";
  ASSERT_EQ(cm(dir, store, {"playbook", "add", "Run the parser tests before pushing a parser change"}).code, 0);
  {
    auto s = store::SqliteEventStore::open(store, store::SqliteEventStore::Mode::kReadWrite);
    s->insert(std::vector{task_event(1, now_unix() - 60, "Fix the parser crash")}, now_unix());
  }
  ASSERT_EQ(cm(dir, store, {"context", "parser", "--json"}).code, 0);  // indexes the first task
  {
    auto s = store::SqliteEventStore::open(store, store::SqliteEventStore::Mode::kReadWrite);
    s->insert(std::vector{task_event(2, now_unix() - 30, "Speed up the parser")}, now_unix());
  }
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t writer = ::fork();
  if (writer == 0) {
    sqlite3* db = nullptr;
    sqlite3_open(store.c_str(), &db);
    const bool locked = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
    (void)!::write(ready[1], locked ? "1" : "0", 1);
    for (;;) ::pause();
  }
  char locked = 0;
  ASSERT_EQ(::read(ready[0], &locked, 1), 1);
  ASSERT_EQ(locked, '1');

  const CmRun r = cm(dir, store, {"context", "parser", "--json"});
  ::kill(writer, SIGKILL);
  ::waitpid(writer, nullptr, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  ASSERT_EQ(r.code, 0) << r.out;
  // Well within the busy timeout it used to wait out (how fast it answers is bench/cm_context_bench's).
  EXPECT_LT(r.seconds, store::SqliteEventStore::kBusyTimeoutMs / 2000.0) << "it waited for the lock";
  const json data = r.data()["data"];
  EXPECT_EQ(data["degraded"], true) << r.out;
  EXPECT_NE(data["degraded_reason"].get<std::string>().find("locked by another writer"), std::string::npos);
  ASSERT_EQ(data["relevantBullets"].size(), 1u);
  ASSERT_EQ(data["historySnippets"].size(), 1u) << "what was indexed is searched";
  EXPECT_EQ(data["historySnippets"][0]["title"], "Fix the parser crash");

  // The lock gone, the new task is indexed and nothing is degraded.
  const CmRun after = cm(dir, store, {"context", "parser", "--json"});
  EXPECT_FALSE(after.data()["data"].contains("degraded")) << after.out;
  EXPECT_EQ(after.data()["data"]["historySnippets"].size(), 2u);
}
