#include "collector/http/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>

#include "collector/common/log.h"

namespace agentmetrics::collector {
namespace {

namespace ssl = boost::asio::ssl;

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// Logs a server certificate that is outside its validity period.
void warn_if_not_valid_now(const std::string& cert_file) {
  std::FILE* file = std::fopen(cert_file.c_str(), "r");
  if (!file) return;
  X509* cert = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  if (!cert) return;
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) {
    log(LogLevel::kWarn, "the TLS certificate has expired; clients will refuse it", {{"cert_file", cert_file}});
  } else if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0) {
    log(LogLevel::kWarn, "the TLS certificate is not valid yet; clients will refuse it", {{"cert_file", cert_file}});
  }
  X509_free(cert);
}

// Accepts whatever certificate the client presents (RequestClientCert, RequireAnyClientCert:
// asked for, not verified).
int accept_any(int, X509_STORE_CTX*) { return 1; }

}  // namespace

std::shared_ptr<ssl::context> make_tls_context(const TlsServerConfig& tls) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1)
    throw WebConfigError("tls_server_config.cert_file", tls.cert_file + ": " + openssl_error());
  if (SSL_CTX_use_PrivateKey_file(ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    throw WebConfigError("tls_server_config.key_file", tls.key_file + ": " + openssl_error());
  if (SSL_CTX_check_private_key(ctx) != 1)
    throw WebConfigError("tls_server_config.key_file", "does not belong to the certificate in " + tls.cert_file);
  SSL_CTX_set_min_proto_version(ctx, tls.min_version);
  if (tls.max_version != 0) SSL_CTX_set_max_proto_version(ctx, tls.max_version);
  if (!tls.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(ctx, tls.client_ca_file.c_str(), nullptr) != 1)
      throw WebConfigError("tls_server_config.client_ca_file", tls.client_ca_file + ": " + openssl_error());
    // The CA names the server sends, so a client with several certificates picks the right one.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.client_ca_file.c_str())) SSL_CTX_set_client_CA_list(ctx, names);
  }
  switch (tls.client_auth) {
    case ClientAuth::kNone: SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr); break;
    case ClientAuth::kRequest: SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, accept_any); break;
    case ClientAuth::kRequireAny: SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any); break;
    case ClientAuth::kVerifyIfGiven: SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr); break;
    case ClientAuth::kRequireAndVerify: SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr); break;
  }
  warn_if_not_valid_now(tls.cert_file);
  return context;
}

}  // namespace agentmetrics::collector
