// Basic authentication against bcrypt hashes (the web configuration's basic_auth_users), checked
// with libxcrypt's crypt_r. A bcrypt check costs tens of milliseconds of CPU by design, so a
// credential that passed is remembered by its SHA-256: a scraper's every request does not pay
// it again, and the I/O threads can answer a remembered one at once (the listener runs the
// slow check on a worker). An unknown user costs the same check as a known one, so timing does
// not tell which users exist.
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace agentmetrics::collector {

struct BasicCredential {
  std::string user;
  std::string password;
};

// The user and password of an `Authorization: Basic ...` header; nothing for another scheme or
// a malformed one.
std::optional<BasicCredential> parse_basic_authorization(std::string_view authorization);

class BasicAuth {
 public:
  explicit BasicAuth(std::map<std::string, std::string> users = {});

  bool enabled() const { return !users_.empty(); }
  // Whether this exact credential passed verify() before. Cheap; any thread.
  bool remembered(const BasicCredential& credential) const;
  // The bcrypt check (slow); a success is remembered. Any thread.
  bool verify(const BasicCredential& credential) const;

 private:
  using Digest = std::array<unsigned char, 32>;
  static Digest digest_of(const BasicCredential& credential);

  std::map<std::string, std::string> users_;
  mutable std::mutex mutex_;
  mutable std::set<Digest> passed_;  // at most kRemembered; forgotten all at once when full
};

}  // namespace agentmetrics::collector
