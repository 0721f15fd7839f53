#include "collector/http/web_config.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

namespace agentmetrics::collector {
namespace {

// The toolkit's keys of each section; the ones this collector does not honour are listed apart.
const std::set<std::string> kTopKeys = {"tls_server_config", "http_server_config", "basic_auth_users"};
const std::set<std::string> kTlsKeys = {"cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version"};
const std::set<std::string> kTlsUnsupported = {
    "cipher_suites", "curve_preferences", "client_allowed_sans", "prefer_server_cipher_suites", "cert", "key"};

std::string resolved(const std::string& file, const std::string& config_path) {
  if (file.empty() || file.front() == '/') return file;
  const auto slash = config_path.rfind('/');
  return slash == std::string::npos ? file : config_path.substr(0, slash + 1) + file;
}

void check_keys(const YAML::Node& map, const std::string& where, const std::set<std::string>& known,
                const std::set<std::string>& unsupported = {}) {
  if (!map.IsMap()) throw WebConfigError(where, "must be a mapping");
  for (const auto& entry : map) {
    const std::string key = entry.first.as<std::string>();
    const std::string name = where.empty() ? key : where + "." + key;
    if (unsupported.contains(key)) throw WebConfigError(name, "is not supported by agentmetricsd (OpenSSL's defaults apply); remove it");
    if (!known.contains(key)) throw WebConfigError(name, "is not a key of the web configuration file");
  }
}

std::string text(const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) throw WebConfigError(key, "must be a string");
  return node.as<std::string>();
}

int tls_version(const std::string& name, const std::string& key) {
  if (name == "TLS10") return 0x0301;
  if (name == "TLS11") return 0x0302;
  if (name == "TLS12") return 0x0303;
  if (name == "TLS13") return 0x0304;
  throw WebConfigError(key, "must be TLS10, TLS11, TLS12 or TLS13, not " + name);
}

ClientAuth client_auth(const std::string& name, const std::string& key) {
  if (name == "NoClientCert") return ClientAuth::kNone;
  if (name == "RequestClientCert") return ClientAuth::kRequest;
  if (name == "RequireAnyClientCert") return ClientAuth::kRequireAny;
  if (name == "VerifyClientCertIfGiven") return ClientAuth::kVerifyIfGiven;
  if (name == "RequireAndVerifyClientCert") return ClientAuth::kRequireAndVerify;
  throw WebConfigError(key, "must be NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven or " +
                                std::string("RequireAndVerifyClientCert, not ") + name);
}

void require_readable(const std::string& path, const std::string& key) {
  if (::access(path.c_str(), R_OK) != 0) throw WebConfigError(key, "cannot read " + path);
}

TlsServerConfig read_tls(const YAML::Node& node, const std::string& config_path) {
  check_keys(node, "tls_server_config", kTlsKeys, kTlsUnsupported);
  TlsServerConfig tls;
  if (node["cert_file"]) tls.cert_file = resolved(text(node["cert_file"], "tls_server_config.cert_file"), config_path);
  if (node["key_file"]) tls.key_file = resolved(text(node["key_file"], "tls_server_config.key_file"), config_path);
  if (tls.cert_file.empty() || tls.key_file.empty()) throw WebConfigError("tls_server_config", "needs both cert_file and key_file");
  require_readable(tls.cert_file, "tls_server_config.cert_file");
  require_readable(tls.key_file, "tls_server_config.key_file");
  if (node["client_auth_type"])
    tls.client_auth =
        client_auth(text(node["client_auth_type"], "tls_server_config.client_auth_type"), "tls_server_config.client_auth_type");
  if (node["client_ca_file"]) {
    tls.client_ca_file = resolved(text(node["client_ca_file"], "tls_server_config.client_ca_file"), config_path);
    require_readable(tls.client_ca_file, "tls_server_config.client_ca_file");
  }
  const bool verifies = tls.client_auth == ClientAuth::kVerifyIfGiven || tls.client_auth == ClientAuth::kRequireAndVerify;
  if (verifies && tls.client_ca_file.empty())
    throw WebConfigError("tls_server_config.client_ca_file", "is needed to verify client certificates");
  if (node["min_version"])
    tls.min_version = tls_version(text(node["min_version"], "tls_server_config.min_version"), "tls_server_config.min_version");
  if (node["max_version"])
    tls.max_version = tls_version(text(node["max_version"], "tls_server_config.max_version"), "tls_server_config.max_version");
  if (tls.max_version != 0 && tls.max_version < tls.min_version)
    throw WebConfigError("tls_server_config.max_version", "is below min_version");
  return tls;
}

void read_http_server_config(const YAML::Node& node, WebConfig& config) {
  check_keys(node, "http_server_config", {"headers", "http2"});
  if (node["http2"] && node["http2"].as<bool>(false))
    throw WebConfigError("http_server_config.http2", "agentmetricsd serves HTTP/1.1 only; set it false or remove it");
  if (!node["headers"]) return;
  if (!node["headers"].IsMap()) throw WebConfigError("http_server_config.headers", "must be a mapping of header names to values");
  for (const auto& header : node["headers"]) {
    const std::string name = header.first.as<std::string>();
    const std::string value = text(header.second, "http_server_config.headers." + name);
    const auto bad = [](char c) { return c == '\r' || c == '\n' || c == '\0'; };
    if (name.empty() || std::any_of(name.begin(), name.end(), bad) || std::any_of(value.begin(), value.end(), bad))
      throw WebConfigError("http_server_config.headers." + name, "must be one line");
    config.headers.emplace_back(name, value);
  }
}

}  // namespace

WebConfig load_web_config(const std::string& path) {
  WebConfig config;
  if (path.empty()) return config;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw WebConfigError("file", "cannot read " + path + ": " + e.what());
  }
  if (root.IsNull()) return config;
  try {
    check_keys(root, "", kTopKeys);
    if (root["tls_server_config"] && !root["tls_server_config"].IsNull()) config.tls = read_tls(root["tls_server_config"], path);
    if (root["http_server_config"] && !root["http_server_config"].IsNull()) read_http_server_config(root["http_server_config"], config);
    if (const YAML::Node users = root["basic_auth_users"]; users && !users.IsNull()) {
      if (!users.IsMap()) throw WebConfigError("basic_auth_users", "must be a mapping of user names to bcrypt hashes");
      for (const auto& user : users) {
        const std::string name = user.first.as<std::string>();
        const std::string hash = text(user.second, "basic_auth_users." + name);
        if (hash.size() != 60 || hash.rfind("$2", 0) != 0)
          throw WebConfigError("basic_auth_users." + name, "must be a bcrypt hash ($2y$..., as htpasswd -nBC 10 USER writes)");
        if (name.find(':') != std::string::npos) throw WebConfigError("basic_auth_users." + name, "a user name cannot contain ':'");
        config.basic_auth_users[name] = hash;
      }
    }
  } catch (const YAML::Exception& e) {
    throw WebConfigError("file", path + ": " + e.what());
  }
  return config;
}

}  // namespace agentmetrics::collector
