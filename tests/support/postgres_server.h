// A real PostgreSQL server (Debian's postgresql-15) for the tests: initdb in a temporary
// directory, the server on a free loopback port (and its socket in that directory), stopped and
// removed on destruction. PostgreSQL refuses to run as root, so when the tests run as root (as
// CI does) initdb and the server run as the `postgres` user (or `nobody`) through setpriv.
#pragma once

#include <memory>
#include <string>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::testing {

class PostgresServer {
 public:
  struct Options {
    // fsync and synchronous commits off: the tests' servers are thrown away, and this makes a
    // server start in about a second. The benchmark keeps them on, as a real server would.
    bool durable = false;
    // Where the data directory goes (a directory of its own is made there and removed after);
    // empty: beside the socket, on tmpfs. A benchmark gives a disk, where fsync costs.
    std::string data_parent;
  };
  PostgresServer() : PostgresServer(Options{}) {}
  explicit PostgresServer(Options options);
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  // postgresql://agentmetrics:<password>@127.0.0.1:<port>/<database>; the `agentmetrics`
  // database exists from the start.
  std::string url(const std::string& database = "agentmetrics") const;
  // Creates a database of that name (dropped first when it exists) and returns its URL: one per
  // test, so that tests sharing the server start empty.
  std::string fresh_database(const std::string& name) const;
  const std::string& password() const { return password_; }
  int port() const { return port_; }

  // Stops the server (fast shutdown: open connections are ended) and starts it again on the
  // same port and data, as an outage would.
  void stop();
  void start();
  bool running() const { return process_ != nullptr; }
  // What the server wrote to its log so far.
  std::string log() const;

 private:
  std::vector<std::string> as_server_user(std::vector<std::string> argv) const;
  void wait_until_ready() const;

  Options options_;
  TempDir dir_;
  std::string data_root_;  // made for data_parent, removed with the server
  std::string data_dir_;
  std::string password_;
  int port_;
  std::string user_;  // empty: this process's own
  std::unique_ptr<Process> process_;
  std::string earlier_log_;
};

// One server for the whole test program, started on first use.
PostgresServer& shared_postgres_server();

}  // namespace agentmetrics::testing
