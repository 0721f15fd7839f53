// Who may use which route of the listener (docs/security.md). Reading metrics and writing the
// agents' memory are different rights:
//   - every request must name this collector in its Host header (an IP literal, localhost, this
//     machine's name or a configured name): after DNS rebinding a web page's requests carry the
//     attacker's name, and get 421;
//   - a private route (the learning API: past tasks, the rules agents obey) needs a bearer token,
//     or a peer on loopback when no token is presented and loopback_without_token holds;
//   - a request that changes state (POST on a private route) must be of one of the route's
//     media types (application/json by default; OTLP takes application/x-protobuf too), none of
//     which a cross-origin page can send without a CORS preflight, which is not granted, and
//     must not carry an Origin other than the configured ones;
//   - a signed route (a forge's webhook) proves itself by its body's signature, checked by its
//     handler, and carries no Origin at all.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace agentmetrics::collector {

struct ApiToken {
  std::string name;  // recorded as the principal of what it does (the token file's name)
  std::string secret;
};

struct AccessPolicy {
  std::vector<ApiToken> tokens;
  bool loopback_without_token = true;
  std::vector<std::string> allowed_hosts;    // besides IP literals, localhost and this machine's name
  std::vector<std::string> allowed_origins;  // e.g. "https://grafana.example.com"; none by default
};

// Host names the collector answers to: `host_header` without its port.
bool host_allowed(const AccessPolicy& policy, std::string_view host_header);

// The outcome of checking a request to a private route: status 0 and the principal ("loopback"
// or a token's name), or the status to answer (401, 403, 415) and why.
struct AccessDecision {
  int status = 0;
  std::string principal;
  std::string reason;
};

struct AccessRequest {
  std::string_view method;
  std::string_view authorization;  // the header, as sent
  // Who passed the listener's basic authentication ("basic:<user>"), if it is on: such a
  // request needs no token.
  std::string_view authenticated;
  std::string_view origin;
  std::string_view content_type;
  bool peer_is_loopback = false;
  // The media types a POST may have; empty: application/json. Never one a page may send
  // cross-origin without a preflight (text/plain, a form).
  std::span<const std::string> post_media_types = {};
};

AccessDecision check_private_access(const AccessPolicy& policy, const AccessRequest& request);

// The token an `Authorization: Bearer ...` header presents, if it is one of `policy`'s. Every
// token is compared, so the time does not tell which one nearly matched.
const ApiToken* presented_token(const AccessPolicy& policy, std::string_view authorization);

// Whether `origin` is one of the configured web origins (never for an empty one).
bool origin_allowed(const AccessPolicy& policy, std::string_view origin);

// A signed route (a forge's webhook) is authenticated by its handler, from the body's signature
// or token; the listener refuses only a request with an Origin (403): forges send none, and a
// browser sends one with every cross-origin POST. The principal is "signature".
AccessDecision check_signed_access(const AccessPolicy& policy, const AccessRequest& request);

// RFC 9112 6.1: the only transfer coding understood is a lone final "chunked"; anything else
// in Transfer-Encoding makes the body's length unknowable, and the request is refused.
bool transfer_encoding_acceptable(std::string_view transfer_encoding);

// Equal in a time that depends only on `expected`'s length.
bool constant_time_equal(std::string_view expected, std::string_view given);

// Reads a file holding one secret (surrounding whitespace dropped). Throws std::runtime_error
// naming `what` and the file when it cannot be read or holds fewer than 16 characters.
std::string read_secret_file(const std::string& path, std::string_view what);

// Reads each file as one token (surrounding whitespace dropped), named after the file. Throws
// std::runtime_error naming a file that cannot be read or holds fewer than 16 characters.
std::vector<ApiToken> read_token_files(const std::vector<std::string>& paths);

}  // namespace agentmetrics::collector
