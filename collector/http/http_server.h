// The collector's HTTP listener, on Boost.Beast and Boost.Asio. Routes map an exact path to a
// handler that returns a whole response (or streams it in chunks).
//
// Requests are read asynchronously: a connection waiting for a client's request, however slow
// or silent the client, costs a socket and a timer, never a thread. HttpOptions::threads threads
// run the I/O and the handlers; a handler runs synchronously on one of them, so at most
// `threads` handlers run at once. Every read has a deadline of request_timeout_ms from the
// connection's accept (or the previous response), and every write of a response one of its own,
// so neither a silent client nor one that does not read holds a thread for longer.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collector/http/access_policy.h"
#include "collector/http/listen_address.h"

namespace agentmetrics::collector {

struct HttpRequest {
  std::string method;
  std::string path;
  std::string query;                           // after the '?', undecoded (query_parameters() decodes)
  std::string body;                            // POST only, at most HttpOptions::max_body_bytes
  std::map<std::string, std::string> headers;  // lower-case names
  std::string peer;                            // the client's address, as text
  bool peer_is_loopback = false;
  std::string principal;  // on a private route: "loopback" or the name of the token presented
  std::string header(const std::string& lower_name) const;
  // Every query parameter, decoded; of a name given twice, the first.
  std::map<std::string, std::string> query_parameters() const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the body is not `body`: it is written piece by piece by `stream` and sent in
  // chunks (Transfer-Encoding: chunked), each sent before `write` returns, so a large body
  // never exists whole. `write` returns false once the client is gone or has not taken a chunk
  // within HttpOptions::request_timeout_ms.
  std::function<void(const std::function<bool(std::string_view)>& write)> stream = nullptr;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

// Public: readable as the listener is (metrics, health). Private: the learning API, which
// AccessPolicy guards (access_policy.h). Signed: a forge's webhook, whose handler checks the
// body's signature; the listener only refuses what a browser sends (check_signed_access).
enum class RouteAccess { kPublic, kPrivate, kSigned };

// A path's handler and the methods it answers (others get 405).
struct HttpRoute {
  HttpHandler handler;
  std::vector<std::string> methods = {"GET", "HEAD"};
  RouteAccess access = RouteAccess::kPublic;
  std::size_t max_body_bytes = 0;  // a POST body beyond this gets 413; 0: HttpOptions::max_body_bytes
};

struct HttpOptions {
  std::string listen_address = ":9090";   // HOST:PORT, [V6]:PORT or :PORT (all interfaces)
  int threads = 8;                        // handlers running at once; waiting connections take none
  int request_timeout_ms = 10000;         // to send a request, and to take each write of a response
  std::size_t max_request_bytes = 16384;  // request line and headers; larger gets 431
  std::size_t max_body_bytes = 65536;     // a POST body; larger gets 413
  AccessPolicy access;                    // the Host check on every path; the private routes' rights
};

class HttpListener;  // http_server.cpp: the sockets and the threads that serve them

class HttpServer {
 public:
  // Starts listening; throws std::invalid_argument for a malformed listen address and
  // std::runtime_error naming the address and the reason if it cannot listen there.
  HttpServer(const HttpOptions& options, std::map<std::string, HttpRoute> routes);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port actually bound (useful with port 0).
  int port() const { return port_; }

 private:
  std::unique_ptr<HttpListener> listener_;
  int port_ = 0;
};

}  // namespace agentmetrics::collector
