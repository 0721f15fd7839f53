// TLS and basic authentication the way Prometheus exporters do them (--web.config.file), tried
// with real clients: certificates made by the openssl command, a bcrypt hash made by htpasswd,
// curl and a real Prometheus on the other end. A wrong password, a missing or expired client
// certificate and a certificate of another authority are refused; a reload takes a new file.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/support/collector_process.h"
#include "tests/support/prometheus_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certificates.h"
#include "tests/support/test_paths.h"

namespace agentmetrics::testing {
namespace {

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

class WebConfigTest : public ::testing::Test {
 protected:
  std::string path(const std::string& file) const { return certificates_.path(file); }

  // The HTTP status curl got ("000" when there was no HTTP answer) and its output.
  CommandResult curl(const std::string& url, std::vector<std::string> options) {
    std::vector<std::string> argv = {"curl", "-sS", "-o", "/dev/null", "-D", "-", "-w", "status=%{http_code}\n", "--max-time", "10"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back(url);
    return run_command(argv);
  }
  static std::string status_of(const CommandResult& r) {
    const auto at = r.output.rfind("status=");
    return at == std::string::npos ? "" : r.output.substr(at + 7, 3);
  }

  std::unique_ptr<CollectorProcess> start(const std::string& web_config) {
    write_file(path("web.yml"), web_config);
    return std::make_unique<CollectorProcess>(unique_namespace("web"), std::vector<std::string>{"--web.config.file=" + path("web.yml")});
  }

  std::string https(const CollectorProcess& c, const std::string& p) const { return "https://127.0.0.1:" + std::to_string(c.port()) + p; }

  TempDir dir_;
  TestCertificates certificates_{dir_.path()};
  const std::string hash_ = bcrypt_hash("prometheus", "s3cret-scrape");
};

TEST_F(WebConfigTest, TlsAndBasicAuthAreServedAsExportersServeThem) {
  auto collector = start(
      "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
      "basic_auth_users:\n  prometheus: " +
      hash_ + "\n");
  EXPECT_NE(collector->process().output().find("tls=true basic_auth=true"), std::string::npos) << collector->process().output();
  const std::vector<std::string> trust = {"--cacert", path("ca.crt")};
  auto with = [&](std::vector<std::string> more) {
    more.insert(more.begin(), trust.begin(), trust.end());
    return more;
  };
  EXPECT_EQ(status_of(curl(https(*collector, "/metrics"), with({"-u", "prometheus:s3cret-scrape"}))), "200");
  EXPECT_EQ(status_of(curl(https(*collector, "/health"), with({"-u", "prometheus:s3cret-scrape"}))), "200");
  const CommandResult wrong = curl(https(*collector, "/metrics"), with({"-u", "prometheus:guess"}));
  EXPECT_EQ(status_of(wrong), "401") << wrong.output;
  const CommandResult unknown = curl(https(*collector, "/metrics"), with({"-u", "root:s3cret-scrape"}));
  EXPECT_EQ(status_of(unknown), "401") << unknown.output;
  const CommandResult none = curl(https(*collector, "/health"), trust);
  EXPECT_EQ(status_of(none), "401") << none.output;
  EXPECT_NE(none.output.find("WWW-Authenticate: Basic"), std::string::npos) << none.output;
  // The learning API needs the same credential, and takes it as its principal.
  EXPECT_EQ(status_of(curl(https(*collector, "/api/stats"), with({"-u", "prometheus:s3cret-scrape"}))), "200");
  // The OTLP/HTTP receiver takes the same configuration. Its exports are answered on the I/O
  // thread once the credential is known; the first one waits for the bcrypt check on a worker.
  const std::string otlp = "https://127.0.0.1:" + std::to_string(collector->otlp_port("http")) + "/v1/metrics";
  const std::vector<std::string> empty_export = {"-H", "Content-Type: application/json", "--data-binary", "{}"};
  auto exporting = [&](std::vector<std::string> credential) {
    auto args = with(empty_export);
    args.insert(args.end(), credential.begin(), credential.end());
    return status_of(curl(otlp, args));
  };
  EXPECT_EQ(exporting({"-u", "prometheus:guess"}), "401");
  EXPECT_EQ(exporting({}), "401");
  EXPECT_EQ(exporting({"-u", "prometheus:s3cret-scrape"}), "200");
  EXPECT_EQ(exporting({"-u", "prometheus:s3cret-scrape"}), "200");
  EXPECT_EQ(exporting({"-u", "prometheus:guess"}), "401");
  // Plain HTTP on the TLS port gets no HTTP answer.
  EXPECT_EQ(status_of(curl(collector->url("/metrics"), {"-u", "prometheus:s3cret-scrape"})), "000");
  // A client that does not trust the certificate refuses it.
  EXPECT_EQ(status_of(curl(https(*collector, "/metrics"), {"-u", "prometheus:s3cret-scrape"})), "000");
}

TEST_F(WebConfigTest, AClientCertificateIsRequiredAndVerified) {
  auto collector = start(
      "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
      "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n  min_version: TLS12\n");
  const std::vector<std::string> trust = {"--cacert", path("ca.crt")};
  auto as = [&](const std::string& who) {
    std::vector<std::string> o = trust;
    o.insert(o.end(), {"--cert", path(who + ".crt"), "--key", path(who + ".key")});
    return o;
  };
  EXPECT_EQ(status_of(curl(https(*collector, "/metrics"), as("client"))), "200");
  EXPECT_EQ(status_of(curl(https(*collector, "/metrics"), trust)), "000") << "no client certificate";
  EXPECT_EQ(status_of(curl(https(*collector, "/metrics"), as("expired"))), "000") << "an expired client certificate";
  EXPECT_EQ(status_of(curl(https(*collector, "/metrics"), as("stranger"))), "000") << "a certificate of another authority";
  // TLS 1.1 is below the configured minimum.
  std::vector<std::string> old = as("client");
  old.insert(old.end(), {"--tls-max", "1.1"});
  EXPECT_EQ(status_of(curl(https(*collector, "/metrics"), old)), "000");
}

TEST_F(WebConfigTest, PrometheusScrapesOverTlsWithBasicAuth) {
  auto collector = start(
      "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
      "basic_auth_users:\n  prometheus: " +
      hash_ + "\n");
  const std::string tls = "    scheme: https\n    tls_config:\n      ca_file: " + path("ca.crt") + "\n";
  PrometheusServer prometheus(std::vector<ScrapeJob>{
      {"good", collector->port(), tls + "    basic_auth:\n      username: prometheus\n      password: s3cret-scrape\n"},
      {"wrong_password", collector->port(), tls + "    basic_auth:\n      username: prometheus\n      password: guess\n"},
  });
  const auto up = prometheus.wait_for("up{job=\"good\"} == 1", 1);
  EXPECT_EQ(up.size(), 1u) << up.dump();
  EXPECT_EQ(prometheus.wait_for("up{job=\"wrong_password\"} == 0", 1).size(), 1u);
  EXPECT_EQ(prometheus.wait_for("agentmetrics_segments_attached{job=\"good\"}", 1).size(), 1u);
}

TEST_F(WebConfigTest, TheWebConfigurationIsReadAgainOnSighup) {
  const std::string other = bcrypt_hash("grafana", "an0ther-secret");
  auto collector = start("basic_auth_users:\n  prometheus: " + hash_ + "\n");
  EXPECT_EQ(status_of(curl(collector->url("/metrics"), {"-u", "prometheus:s3cret-scrape"})), "200");
  write_file(path("web.yml"), "basic_auth_users:\n  grafana: " + other + "\n");
  collector->process().signal(SIGHUP);
  for (int i = 0; i < 100 && collector->process().output().find("web configuration reloaded") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(status_of(curl(collector->url("/metrics"), {"-u", "prometheus:s3cret-scrape"})), "401");
  EXPECT_EQ(status_of(curl(collector->url("/metrics"), {"-u", "grafana:an0ther-secret"})), "200");
  // A file that cannot be honoured changes nothing.
  write_file(path("web.yml"), "tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n");
  collector->process().signal(SIGHUP);
  for (int i = 0; i < 100 && collector->process().output().find("web configuration not reloaded") == std::string::npos; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_NE(collector->process().output().find("web configuration not reloaded"), std::string::npos);
  EXPECT_EQ(status_of(curl(collector->url("/metrics"), {"-u", "grafana:an0ther-secret"})), "200");
}

TEST_F(WebConfigTest, AWebConfigurationThatCannotBeHonouredIsRefusedAtStart) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n",
       "tls_server_config.cipher_suites"},
      {"tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n", "tls_server_config.cert_file"},
      {"tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n", "tls_server_config.key_file"},
      {"tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n",
       "tls_server_config.client_ca_file"},
      {"basic_auth_users:\n  prometheus: plaintext\n", "basic_auth_users.prometheus"},
      {"tls_config:\n  cert_file: server.crt\n", "tls_config"},
  };
  for (const auto& [text, key] : cases) {
    write_file(path("web.yml"), text);
    const CommandResult r = run_command({kCollectorBinary, "--web.config.file=" + path("web.yml"), "--web.listen-address=127.0.0.1:0",
                                         "--namespace=" + unique_namespace("webbad"), "--store=" + path("events.db")});
    EXPECT_EQ(r.code, 2) << text << r.output;
    EXPECT_NE(r.output.find(key), std::string::npos) << r.output;
  }
}

}  // namespace
}  // namespace agentmetrics::testing
