// The OpenSSL context of a TLS listener, made from the web configuration's tls_server_config:
// the certificate chain and key, the protocol versions, and whether and how client
// certificates are asked for and verified.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "collector/http/web_config.h"

namespace agentmetrics::collector {

// Throws WebConfigError naming the key whose file OpenSSL refused. A certificate that has
// expired or is not valid yet is logged as a warning and still served, as other exporters do:
// the clients decide.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const TlsServerConfig& tls);

}  // namespace agentmetrics::collector
