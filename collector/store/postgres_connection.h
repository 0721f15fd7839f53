// One connection to a team store on PostgreSQL (libpqxx over libpq). Its errors are StoreErrors
// whose messages name the store by its URL without the password; a connection that broke
// (the server restarted, the network went) is opened again by the next reconnect().
#pragma once

#include <memory>
#include <pqxx/connection>
#include <string>

namespace agentmetrics::store {

class PostgresConnection {
 public:
  // Connects now (libpq's connect_timeout is 5 s unless the URL says otherwise). Throws
  // StoreError (kUnavailable) naming the redacted URL and libpq's reason.
  explicit PostgresConnection(std::string url);
  ~PostgresConnection();
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  // The open connection; reconnects first when the last one broke. Throws StoreError.
  pqxx::connection& get();
  bool is_open() const;
  // Closes a broken connection and opens a new one. Throws StoreError.
  void reconnect();
  // The URL without its password, for messages.
  const std::string& name() const { return name_; }
  // `what` (an exception's text) without the URL's password, prefixed by the store's name.
  std::string describe(const std::string& what) const;
  // Throws the exception being handled as a StoreError naming the store: kUnavailable when
  // the connection was lost or a commit is in doubt (the caller retries; keys keep one copy).
  [[noreturn]] void rethrow_as_store_error() const;

 private:
  std::string url_;
  std::string name_;
  std::unique_ptr<pqxx::connection> connection_;
};

}  // namespace agentmetrics::store
