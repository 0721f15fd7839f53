#include "tests/support/postgres_server.h"

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <pqxx/connection>
#include <pqxx/nontransaction>
#include <random>
#include <stdexcept>
#include <thread>

#include "tests/support/prometheus_server.h"

namespace agentmetrics::testing {
namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin/";

std::string random_password() {
  std::random_device random;
  std::string out;
  for (int i = 0; i < 24; ++i) out += "0123456789abcdef"[random() % 16];
  return out;
}

// Who runs the server when this process is root: the package's `postgres` user, else nobody.
std::string server_user() {
  if (::geteuid() != 0) return {};
  for (const char* name : {"postgres", "nobody"}) {
    if (::getpwnam(name)) return name;
  }
  throw std::runtime_error("PostgresServer: running as root and neither a postgres nor a nobody user exists");
}

void chown_tree(const std::string& path, const std::string& user) {
  const passwd* pw = ::getpwnam(user.c_str());
  if (!pw) throw std::runtime_error("PostgresServer: no user " + user);
  if (::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0) throw std::runtime_error("PostgresServer: cannot chown " + path);
}

}  // namespace

PostgresServer::PostgresServer(Options options)
    : options_(std::move(options)), password_(random_password()), port_(free_port()), user_(server_user()) {
  data_dir_ = dir_.path() + "/data";
  if (!options_.data_parent.empty()) {
    std::string root = options_.data_parent + "/am-postgres-XXXXXX";
    if (!::mkdtemp(root.data())) throw std::runtime_error("PostgresServer: cannot make a directory in " + options_.data_parent);
    data_root_ = root;
    data_dir_ = data_root_ + "/data";
  }
  const std::string password_file = dir_.path() + "/password";
  std::ofstream(password_file) << password_ << "\n";
  if (!user_.empty()) {
    chown_tree(dir_.path(), user_);
    chown_tree(password_file, user_);
    if (!data_root_.empty()) chown_tree(data_root_, user_);
  }
  const CommandResult init = run_command(
      as_server_user({std::string(kBin) + "initdb", "-D", data_dir_, "-U", "agentmetrics", "--pwfile=" + password_file,
                      "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"}),
      {}, std::chrono::seconds(60));
  std::filesystem::remove(password_file);
  if (init.code != 0) throw std::runtime_error("initdb failed: " + init.output);
  start();
  pqxx::connection admin(url("postgres"));
  pqxx::nontransaction(admin).exec("CREATE DATABASE agentmetrics");
}

PostgresServer::~PostgresServer() {
  if (process_) stop();
  if (!data_root_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(data_root_, ignored);
  }
}

std::vector<std::string> PostgresServer::as_server_user(std::vector<std::string> argv) const {
  if (user_.empty()) return argv;
  std::vector<std::string> out = {"setpriv", "--reuid=" + user_, "--regid=" + user_, "--clear-groups", "--"};
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

std::string PostgresServer::url(const std::string& database) const {
  return "postgresql://agentmetrics:" + password_ + "@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresServer::fresh_database(const std::string& name) const {
  pqxx::connection admin(url("postgres"));
  pqxx::nontransaction tx(admin);
  tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name) + " WITH (FORCE)");
  tx.exec("CREATE DATABASE " + tx.quote_name(name));
  return url(name);
}

void PostgresServer::start() {
  if (process_) return;
  std::vector<std::string> argv = {std::string(kBin) + "postgres",
                                   "-D",
                                   data_dir_,
                                   "-p",
                                   std::to_string(port_),
                                   "-c",
                                   "listen_addresses=127.0.0.1",
                                   "-c",
                                   "unix_socket_directories=" + dir_.path(),
                                   "-c",
                                   "max_connections=200"};
  if (!options_.durable) {
    for (const char* setting : {"fsync=off", "synchronous_commit=off", "full_page_writes=off"}) {
      argv.emplace_back("-c");
      argv.emplace_back(setting);
    }
  }
  process_ = std::make_unique<Process>(as_server_user(argv));
  wait_until_ready();
}

void PostgresServer::stop() {
  if (!process_) return;
  process_->signal(SIGINT);  // fast shutdown: sessions are ended, the data is checkpointed
  if (!process_->wait(std::chrono::seconds(30))) process_->signal(SIGKILL);
  earlier_log_ += process_->output();
  process_.reset();
}

std::string PostgresServer::log() const { return earlier_log_ + (process_ ? process_->output() : std::string()); }

void PostgresServer::wait_until_ready() const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::string last_error;
  while (std::chrono::steady_clock::now() < deadline) {
    if (auto exited = process_->wait(std::chrono::milliseconds(0))) {
      throw std::runtime_error("postgres exited at start (status " + std::to_string(*exited) + "): " + process_->output());
    }
    try {
      pqxx::connection probe(url("postgres"));
      return;
    } catch (const std::exception& e) {
      last_error = e.what();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("postgres did not accept connections within 30 s: " + last_error + "\n" + process_->output());
}

PostgresServer& shared_postgres_server() {
  static PostgresServer server;
  return server;
}

}  // namespace agentmetrics::testing
