// How a forge proves a delivery is its own. GitHub signs the body: X-Hub-Signature-256 is
// "sha256=" and the hex HMAC-SHA256 of the raw body under the webhook's secret. GitLab sends the
// secret token itself in X-Gitlab-Token. Both are compared in constant time.
#pragma once

#include <string>
#include <string_view>

namespace agentmetrics::intake {

// "sha256=<64 lower-case hex digits>" of `body` under `secret` (OpenSSL's HMAC).
std::string github_signature(std::string_view secret, std::string_view body);
// Whether `header` (X-Hub-Signature-256 as sent; the hex digits in either case) signs `body`.
bool github_signature_valid(std::string_view secret, std::string_view body, std::string_view header);
// Whether `header` (X-Gitlab-Token as sent) is the secret token.
bool gitlab_token_valid(std::string_view secret, std::string_view header);

}  // namespace agentmetrics::intake
