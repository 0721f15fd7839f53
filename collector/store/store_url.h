// A team store's address: `store.url` or $AGENTMETRICS_STORE_URL, a PostgreSQL connection URI
// (postgresql://user:password@host:port/database?sslmode=...). The URL carries a password, so
// it is never written out as it is: every message that names the store uses redacted().
#pragma once

#include <string>
#include <string_view>

namespace agentmetrics::store {

// The environment variable that names the team store; it overrides store.url.
inline constexpr const char* kStoreUrlEnv = "AGENTMETRICS_STORE_URL";

// Empty when `url` is a usable PostgreSQL URI, else what is wrong with it (which never quotes
// the password). Checked: the scheme (postgresql:// or postgres://), a host or a socket
// directory, no blanks or control characters, at most 4096 bytes.
std::string store_url_problem(std::string_view url);

// `url` with its password (in the authority or a `password=` parameter) replaced by "***".
std::string redacted(std::string_view url);

// `message` with every occurrence of the URL's password replaced by "***", for the errors of
// libpq, which may quote the connection string it was given.
std::string without_password(std::string message, std::string_view url);

}  // namespace agentmetrics::store
