// The web configuration file of Prometheus exporters (exporter-toolkit's --web.config.file),
// which agentmetricsd reads for TLS and basic authentication so that a deployment sets them up
// the way it does for every other exporter:
//
//   tls_server_config:
//     cert_file: server.crt            # relative paths are relative to this file
//     key_file: server.key
//     client_auth_type: RequireAndVerifyClientCert   # or NoClientCert (default), RequestClientCert,
//                                                    # RequireAnyClientCert, VerifyClientCertIfGiven
//     client_ca_file: clients-ca.crt
//     min_version: TLS12                # TLS10 .. TLS13; default TLS12
//     max_version: TLS13
//   http_server_config:
//     headers: {Strict-Transport-Security: max-age=31536000}
//   basic_auth_users:
//     prometheus: $2y$10$...           # bcrypt hashes (htpasswd -nBC 10 prometheus)
//
// Keys the toolkit has that this collector does not honour (cipher_suites, curve_preferences,
// client_allowed_sans, http2: true) are refused with their name rather than ignored: a
// deployment must not believe a restriction holds that does not.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace agentmetrics::collector {

enum class ClientAuth { kNone, kRequest, kRequireAny, kVerifyIfGiven, kRequireAndVerify };

struct TlsServerConfig {
  std::string cert_file;
  std::string key_file;
  ClientAuth client_auth = ClientAuth::kNone;
  std::string client_ca_file;
  int min_version = 0x0303;  // TLS 1.2, as the toolkit's default
  int max_version = 0;       // 0: the newest OpenSSL has
};

struct WebConfig {
  std::optional<TlsServerConfig> tls;
  std::map<std::string, std::string> basic_auth_users;       // user -> bcrypt hash
  std::vector<std::pair<std::string, std::string>> headers;  // added to every response
};

// A problem in the web configuration file: the key (e.g. "tls_server_config.min_version") and
// what is wrong.
class WebConfigError : public std::runtime_error {
 public:
  WebConfigError(const std::string& key, const std::string& problem) : std::runtime_error(key + ": " + problem) {}
};

// Reads and checks the file (the files it names must exist and be readable; the certificate and
// key are loaded by make_tls_context). An empty path gives the default: plain HTTP, no users.
WebConfig load_web_config(const std::string& path);

}  // namespace agentmetrics::collector
