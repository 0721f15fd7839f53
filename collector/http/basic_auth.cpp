#include "collector/http/basic_auth.h"

#include <crypt.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <memory>
#include <vector>

#include "collector/common/header_text.h"
#include "collector/http/access_policy.h"

namespace agentmetrics::collector {
namespace {

constexpr std::size_t kRemembered = 256;
// A valid bcrypt hash of nothing anyone sends: what an unknown user's password is checked
// against, so that an unknown user takes as long as a known one.
constexpr const char* kDecoyHash = "$2y$10$79etg4/Dqbw3c5IfXM2xtOoT0LSN4MsdbhKVVpwc3M2.abJY/I6.u";

}  // namespace

std::optional<BasicCredential> parse_basic_authorization(std::string_view authorization) {
  const std::string_view value = trim_blanks(authorization);
  if (value.size() < 7 || ascii_lower(value.substr(0, 6)) != "basic ") return std::nullopt;
  const std::string_view encoded = trim_blanks(value.substr(6));
  if (encoded.empty() || encoded.size() > 4096 || encoded.size() % 4 != 0) return std::nullopt;
  std::vector<unsigned char> decoded(encoded.size() / 4 * 3 + 1);
  const int n = EVP_DecodeBlock(decoded.data(), reinterpret_cast<const unsigned char*>(encoded.data()), static_cast<int>(encoded.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding's bytes as zeros.
  std::size_t length = static_cast<std::size_t>(n);
  for (std::size_t i = encoded.size(); i > 0 && encoded[i - 1] == '=' && length > 0; --i) --length;
  const std::string text(reinterpret_cast<const char*>(decoded.data()), length);
  const auto colon = text.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return BasicCredential{text.substr(0, colon), text.substr(colon + 1)};
}

BasicAuth::BasicAuth(std::map<std::string, std::string> users) : users_(std::move(users)) {}

BasicAuth::Digest BasicAuth::digest_of(const BasicCredential& credential) {
  Digest digest{};
  const std::string joined = credential.user + '\0' + credential.password;
  SHA256(reinterpret_cast<const unsigned char*>(joined.data()), joined.size(), digest.data());
  return digest;
}

bool BasicAuth::remembered(const BasicCredential& credential) const {
  const Digest digest = digest_of(credential);
  std::lock_guard lock(mutex_);
  return passed_.contains(digest);
}

bool BasicAuth::verify(const BasicCredential& credential) const {
  const auto user = users_.find(credential.user);
  const std::string& hash = user == users_.end() ? std::string(kDecoyHash) : user->second;
  // crypt_data is about 32 KiB: not on an I/O or worker thread's stack.
  const auto data = std::make_unique<crypt_data>();
  const char* computed = ::crypt_r(credential.password.c_str(), hash.c_str(), data.get());
  const bool ok = user != users_.end() && computed != nullptr && computed[0] != '*' && constant_time_equal(hash, computed);
  if (ok) {
    std::lock_guard lock(mutex_);
    if (passed_.size() >= kRemembered) passed_.clear();
    passed_.insert(digest_of(credential));
  }
  return ok;
}

}  // namespace agentmetrics::collector
