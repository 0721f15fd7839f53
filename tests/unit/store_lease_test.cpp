// The store's leases (store/store_lease.h) on a real postgresql-15 and on a real file: one holder
// at a time; taken over when the holder releases it, when its process is killed (another real
// client, psql or flock(1), holding the same lock), and kept through nothing: a holder whose
// server went away stops holding, says why without the password, and takes it again after.
#include "collector/store/store_lease.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "tests/support/postgres_server.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::testing {
namespace {

using namespace std::chrono_literals;
using store::open_store_lease;

// Waits until `process` wrote `text` (it holds the lock it was started to take).
bool wrote_within(const Process& process, const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (process.output().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// Tries until `lease` holds (or not), for a state another process changes.
bool holds_within(store::StoreLease& lease, bool wanted, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (lease.hold() == wanted) return true;
    std::this_thread::sleep_for(50ms);
  }
  return lease.hold() == wanted;
}

TEST(StoreLease, OnPostgresOneHoldsAtATimeAndTheNextTakesItWhenItIsReleased) {
  const std::string url = shared_postgres_server().fresh_database("lease_basic");
  auto first = open_store_lease({url, ""}, "kpi");
  auto second = open_store_lease({url, ""}, "kpi");
  auto other = open_store_lease({url, ""}, "reflection");
  EXPECT_TRUE(first->hold());
  EXPECT_FALSE(second->hold());
  EXPECT_TRUE(second->error().empty()) << second->error();  // held elsewhere is not an error
  EXPECT_TRUE(other->hold());                               // another name, another lease
  EXPECT_TRUE(first->hold());                               // still its
  first->release();
  EXPECT_TRUE(second->hold());
  EXPECT_FALSE(first->hold());
  second.reset();  // destroyed: released
  EXPECT_TRUE(first->hold());
  EXPECT_NE(store::lease_key("kpi"), store::lease_key("reflection"));
}

TEST(StoreLease, OnPostgresAHolderKilledLeavesItToTheNext) {
  const std::string url = shared_postgres_server().fresh_database("lease_killed");
  // Another process holds the same advisory lock, as a sidecar's lease would. Its server process
  // checks for the client while it sleeps (a sidecar's lease connection is idle, and its server
  // process sees the connection close at once).
  Process holder({"/usr/lib/postgresql/15/bin/psql", url, "-v", "ON_ERROR_STOP=1", "-c", "SET client_connection_check_interval = 100", "-c",
                  "SELECT pg_advisory_lock(" + std::to_string(store::lease_key("kpi")) + ")", "-c", "SELECT pg_sleep(120)"});
  ASSERT_TRUE(wrote_within(holder, "(1 row)", 20s)) << holder.output();
  auto lease = open_store_lease({url, ""}, "kpi");
  EXPECT_FALSE(lease->hold()) << holder.output();
  EXPECT_FALSE(lease->hold());
  holder.signal(SIGKILL);
  ASSERT_TRUE(holder.wait(10s));
  EXPECT_TRUE(holds_within(*lease, true, 10s)) << lease->error();
}

TEST(StoreLease, OnPostgresAHolderWhoseServerWentStopsHoldingAndTakesItAgain) {
  PostgresServer server;  // of its own: this test stops it
  auto lease = open_store_lease({server.url(), ""}, "kpi");
  ASSERT_TRUE(lease->hold()) << lease->error();
  server.stop();
  EXPECT_FALSE(lease->hold());
  EXPECT_NE(lease->error().find("127.0.0.1"), std::string::npos) << lease->error();
  EXPECT_EQ(lease->error().find(server.password()), std::string::npos) << lease->error();
  EXPECT_FALSE(lease->hold());  // still down
  server.start();
  EXPECT_TRUE(holds_within(*lease, true, 10s)) << lease->error();
  EXPECT_TRUE(lease->error().empty());
}

TEST(StoreLease, OnOneMachineAFileLockBesideTheStore) {
  TempDir dir;
  const std::string store = dir.path() + "/events.db";
  auto first = open_store_lease({"", store}, "kpi");
  auto second = open_store_lease({"", store}, "kpi");
  EXPECT_TRUE(first->hold());
  EXPECT_FALSE(second->hold());
  EXPECT_TRUE(first->hold());
  first->release();
  EXPECT_TRUE(second->hold());
  second.reset();
  // Another process holds the lock file, and is killed.
  Process holder({"/usr/bin/flock", "--no-fork", "-x", store + ".kpi.lease", "-c", "echo locked; exec sleep 120"});
  ASSERT_TRUE(wrote_within(holder, "locked", 20s)) << holder.output();
  EXPECT_FALSE(first->hold());
  holder.signal(SIGKILL);
  ASSERT_TRUE(holder.wait(10s));
  // flock(1) without a fork became the shell, and the shell sleep: killed, the lock went.
  EXPECT_TRUE(holds_within(*first, true, 10s));
  // A directory that cannot hold the file: not held, and why.
  auto nowhere = open_store_lease({"", dir.path() + "/missing/events.db"}, "kpi");
  EXPECT_FALSE(nowhere->hold());
  EXPECT_NE(nowhere->error().find("missing"), std::string::npos) << nowhere->error();
}

}  // namespace
}  // namespace agentmetrics::testing
