// A team store's URL (checked, never shown with its password) and the connection to a real
// PostgreSQL 15 started on loopback for this test program.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <pqxx/nontransaction>

#include "collector/config/config.h"
#include "collector/store/postgres_connection.h"
#include "collector/store/store_error.h"
#include "collector/store/store_url.h"
#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::store {
namespace {

using testing::shared_postgres_server;

TEST(StoreUrl, AcceptsPostgresUrlsOnly) {
  EXPECT_EQ(store_url_problem("postgresql://am:pw@db.example:5432/agentmetrics"), "");
  EXPECT_EQ(store_url_problem("postgres://am@10.0.0.7/agentmetrics?sslmode=require"), "");
  EXPECT_EQ(store_url_problem("postgresql:///agentmetrics?host=/run/postgresql"), "");
  EXPECT_NE(store_url_problem("/var/lib/agentmetrics/events.db"), "");
  EXPECT_NE(store_url_problem("mysql://am:pw@db/agentmetrics"), "");
  EXPECT_NE(store_url_problem("http://db:5432/"), "");
  EXPECT_NE(store_url_problem("postgresql:///agentmetrics"), "") << "no host: the local default socket is not a team store";
  EXPECT_NE(store_url_problem("postgresql://am:pw@db/agent metrics"), "");
  EXPECT_NE(store_url_problem("postgresql://am:pw@db/x\n"), "");
  EXPECT_NE(store_url_problem("postgresql://db/" + std::string(5000, 'a')), "");
}

TEST(StoreUrl, RedactsThePasswordWhereverItIs) {
  EXPECT_EQ(redacted("postgresql://am:s3cr%40t@db:5432/agentmetrics"), "postgresql://am:***@db:5432/agentmetrics");
  EXPECT_EQ(redacted("postgres://am@db/x?sslmode=require&password=hunter22"), "postgres://am@db/x?sslmode=require&password=***");
  EXPECT_EQ(redacted("postgresql://am:pw1@db/x?password=pw2"), "postgresql://am:***@db/x?password=***");
  EXPECT_EQ(redacted("postgresql://am@db/x"), "postgresql://am@db/x");
  // An '@' in the path or query is not the authority's.
  EXPECT_EQ(redacted("postgresql://db/x?user=a@b"), "postgresql://db/x?user=a@b");
  const std::string url = "postgresql://am:topsecret@db/x";
  EXPECT_EQ(without_password("FATAL: password authentication failed (topsecret) for " + url, url),
            "FATAL: password authentication failed (***) for postgresql://am:***@db/x");
}

TEST(StoreUrlConfig, FromTheFileAndTheEnvironmentAndCheckedWithoutShowingThePassword) {
  const testing::TempDir dir;
  const std::string file = dir.path() + "/agentmetrics.yaml";
  std::ofstream(file) << "store:\n  url: postgresql://am:filesecret@db:5432/agentmetrics\n";
  ::unsetenv(kStoreUrlEnv);
  EXPECT_EQ(collector::load_configuration(file).store.url, "postgresql://am:filesecret@db:5432/agentmetrics");
  ::setenv(kStoreUrlEnv, "postgres://am:envsecret@team-db/agentmetrics", 1);
  EXPECT_EQ(collector::load_configuration(file).store.url, "postgres://am:envsecret@team-db/agentmetrics");
  ::setenv(kStoreUrlEnv, "mysql://am:envsecret@team-db/agentmetrics", 1);
  try {
    (void)collector::load_configuration(file);
    ADD_FAILURE() << "a mysql:// URL was taken";
  } catch (const collector::ConfigError& e) {
    EXPECT_EQ(e.key(), "store.url");
    EXPECT_EQ(std::string(e.what()).find("envsecret"), std::string::npos) << e.what();
  }
  ::unsetenv(kStoreUrlEnv);
}

TEST(PostgresConnection, ConnectsToTheRealServer) {
  auto& server = shared_postgres_server();
  PostgresConnection connection(server.url());
  EXPECT_EQ(connection.name().find(server.password()), std::string::npos);
  pqxx::nontransaction tx(connection.get());
  EXPECT_EQ(tx.exec1("SELECT current_database()")[0].as<std::string>(), "agentmetrics");
  EXPECT_EQ(tx.exec1("SHOW server_version_num")[0].as<std::string>().substr(0, 2), "15");
}

TEST(PostgresConnection, AWrongPasswordFailsWithoutShowingIt) {
  auto& server = shared_postgres_server();
  const std::string url = "postgresql://agentmetrics:notThePassword42@127.0.0.1:" + std::to_string(server.port()) + "/agentmetrics";
  try {
    PostgresConnection connection(url);
    ADD_FAILURE() << "connected with a wrong password";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::kUnavailable);
    const std::string text = e.what();
    EXPECT_NE(text.find("password authentication failed"), std::string::npos) << text;
    EXPECT_NE(text.find("agentmetrics:***@127.0.0.1"), std::string::npos) << text;
    EXPECT_EQ(text.find("notThePassword42"), std::string::npos) << text;
  }
}

TEST(PostgresConnection, ReconnectsWhenTheServerIsBack) {
  testing::PostgresServer server;  // its own, since this one is stopped
  PostgresConnection connection(server.url());
  server.stop();
  EXPECT_THROW(connection.reconnect(), StoreError);
  EXPECT_FALSE(connection.is_open());
  server.start();
  pqxx::nontransaction tx(connection.get());
  EXPECT_EQ(tx.exec1("SELECT 1")[0].as<int>(), 1);
}

}  // namespace
}  // namespace agentmetrics::store
