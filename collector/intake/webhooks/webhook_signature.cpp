#include "collector/intake/webhooks/webhook_signature.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

#include "collector/common/header_text.h"
#include "collector/http/access_policy.h"

namespace agentmetrics::intake {

std::string github_signature(std::string_view secret, std::string_view body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(body.data()), body.size(),
            digest, &length)) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256=";
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

bool github_signature_valid(std::string_view secret, std::string_view body, std::string_view header) {
  if (secret.empty()) return false;
  return collector::constant_time_equal(github_signature(secret, body), ascii_lower(trim_blanks(header)));
}

bool gitlab_token_valid(std::string_view secret, std::string_view header) {
  return !secret.empty() && collector::constant_time_equal(secret, header);
}

}  // namespace agentmetrics::intake
