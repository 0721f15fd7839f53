// The collector's HTTP listener, on Boost.Beast and Boost.Asio, plain or TLS. Routes map an
// exact path to a handler that returns a whole response (or streams it in chunks).
//
// Two kinds of threads. The I/O threads only read requests and write responses, asynchronously:
// a connection waiting for a slow or silent client costs a socket and a timer, never a thread.
// Handlers run on a pool of `threads` workers, so one that blocks (a scrape streamed to a slow
// reader, a query waiting for the store) holds a worker and nothing else. A route marked
// `inline_handler` (the probes: /health, /readiness; the OTLP exports, on a listener of their
// own) is answered on the I/O thread at once, never waits behind other work and costs no
// hand-off to a worker and back. When the workers are all taken and their queue is full, or a
// route's own limit is reached (the scrape and the learning API have one, so neither can take
// every worker), a request gets 503 with Retry-After at once rather than a place in a queue
// without end.
//
// Limits against a client that takes more than its share: open connections in all and per
// peer address; a deadline to send each request (request_timeout_ms from the accept or the
// previous response); a deadline for each write of a response, and for a streamed body as a
// whole (response_timeout_ms); request line, header and body sizes.
//
// TLS and basic authentication follow the exporter toolkit's web configuration (web_config.h),
// which reload() replaces for the connections accepted after it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "collector/http/access_policy.h"
#include "collector/http/http_counters.h"
#include "collector/http/listen_address.h"
#include "collector/http/web_config.h"

namespace agentmetrics::collector {

struct HttpRequest {
  std::string method;
  std::string path;
  std::string query;                           // after the '?', undecoded (query_parameters() decodes)
  std::string body;                            // POST only, at most HttpOptions::max_body_bytes
  std::map<std::string, std::string> headers;  // lower-case names
  std::string peer;                            // the client's address, as text
  bool peer_is_loopback = false;
  // On a private route: "loopback", the name of the token presented, or "basic:<user>"; on any
  // route when basic authentication is on: who passed it.
  std::string principal;
  std::string header(const std::string& lower_name) const;
  // Every query parameter, decoded; of a name given twice, the first.
  std::map<std::string, std::string> query_parameters() const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the body is not `body`: it is written piece by piece by `stream` (on a worker)
  // and sent in chunks (Transfer-Encoding: chunked), each sent before `write` returns, so a
  // large body never exists whole. `write` returns false once the client is gone, has not taken
  // a chunk within HttpOptions::request_timeout_ms, or the response has taken longer than
  // HttpOptions::response_timeout_ms.
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
  // A handler that never blocks: run on the I/O thread, so it is answered even when every worker
  // is taken (the probes), without two thread hand-offs (the OTLP exports). It holds the I/O
  // thread, and the other connections that thread serves, while it runs; a route limit
  // (max_concurrent) does not apply to it. A credential that needs bcrypt is still checked on a
  // worker first.
  bool inline_handler = false;
  std::size_t max_body_bytes = 0;  // a POST body; 0: HttpOptions::max_body_bytes
  int max_concurrent = 0;          // requests of this route running or waiting at once; 0: no limit of its own
  // A private route's POST media types (access_policy.h); empty: application/json.
  std::vector<std::string> post_media_types = {};
};

struct HttpOptions {
  std::string listen_address = ":9090";        // HOST:PORT, [V6]:PORT or :PORT (all interfaces)
  int threads = 8;                             // handlers running at once; waiting connections take none
  std::size_t max_waiting = 64;                // handlers waiting for a worker; beyond: 503
  int request_timeout_ms = 10000;              // to send a request, and to take each write of a response
  int response_timeout_ms = 60000;             // to take the whole of a streamed response
  std::size_t max_request_bytes = 16384;       // request line and headers; larger gets 431
  std::size_t max_body_bytes = 65536;          // a POST body; larger gets 413
  std::size_t max_connections = 1024;          // open at once; beyond, a new one is closed at once
  std::size_t max_connections_per_peer = 256;  // open at once from one address
  AccessPolicy access;                         // the Host check on every path; the private routes' rights
  WebConfig web;                               // TLS, basic authentication, extra headers
  // Where the listener counts its answers and refusals: set by its owner, who reads them (from
  // a scrape that may come before the server's constructor has returned); must outlive it.
  HttpCounters* counters = nullptr;
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
  // Takes a new web configuration (TLS, users, headers) for the connections accepted from now
  // on. Throws WebConfigError (and keeps the old one) when its certificate or key is refused.
  void reload(const WebConfig& web);
  // Its answers by status and the connections it closed at once: HttpOptions::counters, or its own.
  const HttpCounters& counters() const { return *counters_; }

 private:
  std::unique_ptr<HttpCounters> own_counters_;
  HttpCounters* counters_;
  std::unique_ptr<HttpListener> listener_;
  int port_ = 0;
};

}  // namespace agentmetrics::collector
