#include "collector/store/store_lease.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <pqxx/connection>
#include <pqxx/nontransaction>

#include "collector/store/postgres_connection.h"
#include "collector/store/store_error.h"

namespace agentmetrics::store {
namespace {

// libpq's keepalives: a holder whose machine or network went is dropped by the server after
// about 10 + 3 * 5 s, and its lease is free again.
constexpr const char* kKeepalives = "keepalives=1&keepalives_idle=10&keepalives_interval=5&keepalives_count=3";

std::string with_keepalives(const std::string& url) {
  if (url.find("keepalives") != std::string::npos) return url;  // the operator's own settings
  return url + (url.find('?') == std::string::npos ? "?" : "&") + kKeepalives;
}

class PostgresLease final : public StoreLease {
 public:
  PostgresLease(const std::string& url, std::string_view name) : url_(with_keepalives(url)), key_(lease_key(name)) {}
  ~PostgresLease() override { release(); }

  bool hold() override {
    try {
      if (!connection_) connection_ = std::make_unique<PostgresConnection>(url_);
      pqxx::nontransaction tx(connection_->get());
      if (held_) {
        // Still held while the session that took it answers: a connection opened again (get()
        // does that after a break) is another session, without the lock.
        held_ = tx.exec1("SELECT pg_backend_pid()")[0].as<int>() == backend_;
      } else {
        const auto row = tx.exec1("SELECT pg_try_advisory_lock(" + std::to_string(key_) + "), pg_backend_pid()");
        held_ = row[0].as<bool>();
        backend_ = row[1].as<int>();
      }
      error_.clear();
    } catch (const std::exception& e) {
      // A connection that broke took the lock with it: start again with a new one.
      error_ = connection_ ? connection_->describe(e.what()) : e.what();
      connection_.reset();
      held_ = false;
    }
    return held_;
  }

  void release() override {
    // Unlocked before it returns (the server ends a closed session's locks a moment later).
    if (held_ && connection_ && connection_->is_open()) {
      try {
        pqxx::nontransaction tx(connection_->get());
        tx.exec("SELECT pg_advisory_unlock(" + std::to_string(key_) + ")");
      } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): closing the connection below ends the lock too
      }
    }
    connection_.reset();
    held_ = false;
  }

  const std::string& error() const override { return error_; }

 private:
  std::string url_;
  std::int64_t key_;
  std::unique_ptr<PostgresConnection> connection_;
  bool held_ = false;
  int backend_ = 0;  // the server process of the session holding it
  std::string error_;
};

class FileLease final : public StoreLease {
 public:
  explicit FileLease(std::string path) : path_(std::move(path)) {}
  ~FileLease() override { release(); }

  bool hold() override {
    if (fd_ >= 0) return true;
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
      error_ = "cannot open " + path_ + ": " + std::strerror(errno);
      return false;
    }
    error_.clear();
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK) error_ = "cannot lock " + path_ + ": " + std::strerror(errno);
      ::close(fd);
      return false;
    }
    fd_ = fd;
    return true;
  }

  void release() override {
    if (fd_ >= 0) ::close(fd_);  // and with it the lock
    fd_ = -1;
  }

  const std::string& error() const override { return error_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::string error_;
};

}  // namespace

std::int64_t lease_key(std::string_view name) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const unsigned char c : std::string("agentmetrics lease ") + std::string(name)) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return static_cast<std::int64_t>(hash);
}

std::unique_ptr<StoreLease> open_store_lease(const StoreAddress& address, std::string_view name) {
  if (!address.url.empty()) return std::make_unique<PostgresLease>(address.url, name);
  return std::make_unique<FileLease>(address.path + "." + std::string(name) + ".lease");
}

}  // namespace agentmetrics::store
