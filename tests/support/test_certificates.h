// Certificates for TLS tests, made by the openssl command as an operator makes them: an
// authority ("ca") and a server certificate for 127.0.0.1 and localhost signed by it, client
// certificates (valid, expired, and one from another authority), and htpasswd's bcrypt hashes.
#pragma once

#include <string>
#include <vector>

namespace agentmetrics::testing {

class TestCertificates {
 public:
  // Makes in `dir`: ca.crt/.key, server.crt/.key, client.crt/.key, expired.crt/.key (signed by
  // ca, valid in January 2020 only), other-ca.crt/.key and stranger.crt/.key (signed by
  // other-ca). Throws std::runtime_error with openssl's output if a step fails.
  explicit TestCertificates(std::string dir);
  std::string path(const std::string& file) const { return dir_ + "/" + file; }

 private:
  void make_authority(const std::string& name);
  void request(const std::string& name);
  void sign(const std::string& authority, const std::string& name, const std::vector<std::string>& extra);

  std::string dir_;
};

// htpasswd's bcrypt hash of `password` (cost 10), as a web configuration's basic_auth_users
// takes it.
std::string bcrypt_hash(const std::string& user, const std::string& password);

}  // namespace agentmetrics::testing
