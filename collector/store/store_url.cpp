#include "collector/store/store_url.h"

#include <algorithm>
#include <cctype>

namespace agentmetrics::store {
namespace {

constexpr std::size_t kMaxUrl = 4096;

std::string_view after_scheme(std::string_view url) {
  for (const std::string_view scheme : {"postgresql://", "postgres://"}) {
    if (url.starts_with(scheme)) return url.substr(scheme.size());
  }
  return {};
}

struct Span {
  std::size_t begin = std::string_view::npos;
  std::size_t end = std::string_view::npos;
  bool found() const { return begin != std::string_view::npos; }
};

// Where the password of the authority (user:password@) lies in `url`.
Span authority_password(std::string_view url) {
  const std::string_view rest = after_scheme(url);
  if (rest.empty()) return {};
  const std::size_t start = url.size() - rest.size();
  const std::size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  const std::size_t at = rest.rfind('@', authority_end == rest.size() ? std::string_view::npos : authority_end);
  if (at == std::string_view::npos || at > authority_end) return {};
  const std::size_t colon = rest.find(':');
  if (colon == std::string_view::npos || colon > at) return {};
  return {start + colon + 1, start + at};
}

// Where the value of a `password=` query parameter lies.
Span parameter_password(std::string_view url) {
  const std::size_t query = url.find('?');
  if (query == std::string_view::npos) return {};
  for (std::size_t at = query + 1; at < url.size();) {
    const std::size_t end = std::min(url.find('&', at), url.size());
    if (url.substr(at, end - at).starts_with("password=")) return {at + 9, end};
    at = end + 1;
  }
  return {};
}

std::string replace(std::string_view url, Span span) {
  return std::string(url.substr(0, span.begin)) + "***" + std::string(url.substr(span.end));
}

}  // namespace

std::string store_url_problem(std::string_view url) {
  if (url.size() > kMaxUrl) return "is longer than 4096 bytes";
  if (std::any_of(url.begin(), url.end(), [](unsigned char c) { return std::iscntrl(c) || c == ' '; }))
    return "contains blanks or control characters";
  const std::string_view rest = after_scheme(url);
  if (rest.empty()) return "must be a postgresql:// or postgres:// URL";
  const std::string_view authority = rest.substr(0, std::min(rest.find_first_of("/?#"), rest.size()));
  const std::string_view host = authority.substr(authority.rfind('@') == std::string_view::npos ? 0 : authority.rfind('@') + 1);
  // A URL without a host is libpq's default socket, which is the host's own server; a team store
  // needs a host, or a socket directory given as host= in the query.
  if (host.empty() && url.find("host=") == std::string_view::npos) return "names no host (postgresql://user:password@host:5432/database)";
  return {};
}

std::string redacted(std::string_view url) {
  std::string out(url);
  if (const Span p = parameter_password(out); p.found()) out = replace(out, p);
  if (const Span p = authority_password(out); p.found()) out = replace(out, p);
  return out;
}

std::string without_password(std::string message, std::string_view url) {
  for (const Span p : {authority_password(url), parameter_password(url)}) {
    if (!p.found() || p.end == p.begin) continue;
    const std::string password(url.substr(p.begin, p.end - p.begin));
    for (std::size_t at = message.find(password); at != std::string::npos; at = message.find(password, at + 3)) {
      message.replace(at, password.size(), "***");
    }
  }
  return message;
}

}  // namespace agentmetrics::store
