#include "collector/http/access_policy.h"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "collector/common/header_text.h"

namespace agentmetrics::collector {
namespace {

constexpr std::size_t kMinTokenLength = 16;

bool ip_literal(const std::string& host) {
  unsigned char buf[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 || ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::string machine_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return {};
  return ascii_lower(name);
}

}  // namespace

bool host_allowed(const AccessPolicy& policy, std::string_view host_header) {
  std::string host = ascii_lower(trim_blanks(host_header));
  if (!host.empty() && host.front() == '[') {
    const auto close = host.find(']');
    if (close == std::string::npos) return false;
    host = host.substr(1, close - 1);
  } else if (const auto colon = host.find(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  if (!host.empty() && host.back() == '.') host.pop_back();  // "localhost." is localhost
  if (host.empty()) return false;
  if (ip_literal(host) || host == "localhost") return true;
  if (host == machine_name()) return true;
  return std::any_of(policy.allowed_hosts.begin(), policy.allowed_hosts.end(),
                     [&](const std::string& h) { return ascii_lower(h) == host; });
}

bool constant_time_equal(std::string_view expected, std::string_view given) {
  unsigned char diff = expected.size() == given.size() ? 0 : 1;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const char g = i < given.size() ? given[i] : '\0';
    diff = static_cast<unsigned char>(diff | static_cast<unsigned char>(expected[i] ^ g));
  }
  return diff == 0;
}

const ApiToken* presented_token(const AccessPolicy& policy, std::string_view authorization) {
  const std::string_view value = trim_blanks(authorization);
  if (value.size() <= 7 || ascii_lower(value.substr(0, 7)) != "bearer ") return nullptr;
  const std::string_view given = trim_blanks(value.substr(7));
  const ApiToken* match = nullptr;
  for (const auto& token : policy.tokens) {
    if (constant_time_equal(token.secret, given) && !match) match = &token;
  }
  return match;
}

AccessDecision check_private_access(const AccessPolicy& policy, const AccessRequest& request) {
  AccessDecision d;
  if (!request.authenticated.empty()) {
    d.principal = request.authenticated;
  } else if (!request.authorization.empty()) {
    const ApiToken* match = presented_token(policy, request.authorization);
    if (!match) {
      const bool bearer = ascii_lower(trim_blanks(request.authorization).substr(0, 7)) == "bearer ";
      return {401, "", bearer ? "the bearer token is not one of this collector's" : "only a bearer token is accepted"};
    }
    d.principal = match->name;
  } else if (request.peer_is_loopback && policy.loopback_without_token) {
    d.principal = "loopback";
  } else {
    return {401, "", "a bearer token is needed from beyond loopback"};
  }
  if (request.method == "POST") {
    if (!request.origin.empty() && !origin_allowed(policy, request.origin)) {
      return {403, "", "requests from the web origin " + std::string(request.origin) + " are not accepted"};
    }
    const std::string media = ascii_lower(trim_blanks(request.content_type.substr(0, request.content_type.find(';'))));
    if (request.post_media_types.empty()) {
      if (media != "application/json") return {415, "", "the body must be sent as application/json"};
    } else if (std::find(request.post_media_types.begin(), request.post_media_types.end(), media) == request.post_media_types.end()) {
      std::string accepted;
      for (const auto& t : request.post_media_types) accepted += (accepted.empty() ? "" : " or ") + t;
      return {415, "", "the body must be sent as " + accepted};
    }
  }
  return d;
}

bool origin_allowed(const AccessPolicy& policy, std::string_view origin) {
  return !origin.empty() && std::find(policy.allowed_origins.begin(), policy.allowed_origins.end(), origin) != policy.allowed_origins.end();
}

AccessDecision check_signed_access(const AccessPolicy&, const AccessRequest& request) {
  if (!request.origin.empty()) return {403, "", "a webhook is not accepted from a web page (Origin " + std::string(request.origin) + ")"};
  return {0, "signature", ""};
}

bool transfer_encoding_acceptable(std::string_view transfer_encoding) { return ascii_lower(trim_blanks(transfer_encoding)) == "chunked"; }

std::string read_secret_file(const std::string& path, std::string_view what) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read the " + std::string(what) + " file " + path);
  std::stringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  const auto first = secret.find_first_not_of(" \t\r\n");
  const auto last = secret.find_last_not_of(" \t\r\n");
  secret = first == std::string::npos ? std::string() : secret.substr(first, last - first + 1);
  if (secret.size() < kMinTokenLength) {
    throw std::runtime_error("the " + std::string(what) + " in " + path +
                             " is shorter than 16 characters (make one with: openssl rand -hex 32)");
  }
  return secret;
}

std::vector<ApiToken> read_token_files(const std::vector<std::string>& paths) {
  std::vector<ApiToken> tokens;
  for (const auto& path : paths) {
    std::string secret = read_secret_file(path, "API token");
    const auto slash = path.rfind('/');
    tokens.push_back({slash == std::string::npos ? path : path.substr(slash + 1), std::move(secret)});
  }
  return tokens;
}

}  // namespace agentmetrics::collector
