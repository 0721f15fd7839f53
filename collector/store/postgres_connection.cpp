#include "collector/store/postgres_connection.h"

#include <pqxx/except>

#include "collector/store/store_error.h"
#include "collector/store/store_url.h"

namespace agentmetrics::store {
namespace {

// libpq takes its options as URL parameters; a connection the caller did not time-limit gives
// up after 5 s rather than libpq's default of waiting for ever.
std::string with_defaults(const std::string& url) {
  std::string out = url;
  const char* separator = url.find('?') == std::string::npos ? "?" : "&";
  if (url.find("connect_timeout=") == std::string::npos) {
    out += separator;
    out += "connect_timeout=5";
    separator = "&";
  }
  if (url.find("application_name=") == std::string::npos) {
    out += separator;
    out += "application_name=agentmetrics";
  }
  return out;
}

}  // namespace

PostgresConnection::PostgresConnection(std::string url) : url_(std::move(url)), name_(redacted(url_)) {
  if (const std::string problem = store_url_problem(url_); !problem.empty()) {
    throw StoreError(StoreError::Kind::kUnavailable, "the store URL " + problem);
  }
  reconnect();
}

PostgresConnection::~PostgresConnection() = default;

std::string PostgresConnection::describe(const std::string& what) const {
  std::string text = without_password(what, url_);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return "store " + name_ + ": " + text;
}

void PostgresConnection::rethrow_as_store_error() const {
  try {
    throw;
  } catch (const StoreError&) {
    throw;
  } catch (const pqxx::broken_connection& e) {
    throw StoreError(StoreError::Kind::kUnavailable, describe(std::string("connection lost: ") + e.what()));
  } catch (const pqxx::in_doubt_error& e) {
    throw StoreError(StoreError::Kind::kUnavailable, describe(std::string("commit in doubt: ") + e.what()));
  } catch (const std::exception& e) {
    throw StoreError(StoreError::Kind::kOther, describe(e.what()));
  }
}

bool PostgresConnection::is_open() const { return connection_ && connection_->is_open(); }

void PostgresConnection::reconnect() {
  connection_.reset();
  try {
    connection_ = std::make_unique<pqxx::connection>(with_defaults(url_));
  } catch (const std::exception& e) {
    throw StoreError(StoreError::Kind::kUnavailable, describe(std::string("cannot connect: ") + e.what()));
  }
}

pqxx::connection& PostgresConnection::get() {
  if (!is_open()) reconnect();
  return *connection_;
}

}  // namespace agentmetrics::store
