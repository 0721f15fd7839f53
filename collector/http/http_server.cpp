#include "collector/http/http_server.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>

// Boost lives in /usr/include, so GCC and clang already treat these as system headers and
// report no warnings from inside them.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "collector/common/log.h"
#include "collector/http/basic_auth.h"
#include "collector/http/request_workers.h"
#include "collector/http/tls_context.h"

namespace agentmetrics::collector {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

// Beast's string_body with a reader that appends what it reads: string_body's resizes the body
// first, writing zeros over every byte it then copies (6% of the OTLP listener's CPU on 400 KB
// exports, beside the copy itself).
struct AppendingStringBody : http::string_body {
  class reader {
   public:
    template <bool isRequest, class Fields>
    explicit reader(http::header<isRequest, Fields>&, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>& length, error_code& ec) {
      ec = {};
      if (!length) return;
      if (*length > body_.max_size()) {
        ec = http::error::buffer_overflow;
        return;
      }
      body_.reserve(static_cast<std::size_t>(*length));
    }

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, error_code& ec) {
      const std::size_t extra = beast::buffer_bytes(buffers);
      if (extra > body_.max_size() - body_.size()) {
        ec = http::error::buffer_overflow;
        return 0;
      }
      ec = {};
      for (const auto b : beast::buffers_range_ref(buffers)) body_.append(static_cast<const char*>(b.data()), b.size());
      return extra;
    }

    void finish(error_code& ec) { ec = {}; }

   private:
    value_type& body_;
  };
};

// How long a connection that is closed after its response is still read (and what comes
// discarded) before it is closed: closing a socket with unread input sends a TCP reset, which
// can destroy the response (a 413 for a body still on its way) before the client reads it.
constexpr auto kLingerTime = std::chrono::seconds(1);

// After a failed accept (mostly: out of file descriptors) the next waits this long; the
// connection stays in the backlog, so retrying at once would spin.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

// The I/O threads only read and write; two keep one busy TLS handshake from delaying the rest.
constexpr int kIoThreads = 2;

std::string to_string(beast::string_view s) { return std::string(s.data(), s.size()); }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Decodes %XX, and '+' as a space in a query; a '%' not followed by two hex digits stays as it
// is.
std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 && hex_digit(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
      i += 2;
    } else if (plus_is_space && text[i] == '+') {
      out += ' ';
    } else {
      out += text[i];
    }
  }
  return out;
}

HttpResponse plain(int status, std::string body) { return HttpResponse{status, "text/plain; charset=utf-8", {}, std::move(body)}; }

// A refusal for lack of room: the client should come back, not give up.
HttpResponse busy(std::string why) {
  HttpResponse response = plain(503, "service busy: " + std::move(why) + "; retry\n");
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

// The status line and header of `response`. A streamed body is chunked (HTTP/1.1) or ends with
// the connection (HTTP/1.0, which has no chunks).
std::string head_of(const HttpResponse& response, const std::vector<std::pair<std::string, std::string>>& extra, bool chunked,
                    bool keep_alive, unsigned version) {
  const auto reason = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(response.status)));
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " + to_string(reason) + "\r\n";
  head += "Content-Type: " + response.content_type + "\r\n";
  if (!response.stream) {
    head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  } else if (chunked) {
    head += "Transfer-Encoding: chunked\r\n";
  }
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  for (const auto& [name, value] : extra) head += name + ": " + value + "\r\n";
  if (!keep_alive) {
    head += "Connection: close\r\n";
  } else if (version < 11) {
    head += "Connection: keep-alive\r\n";  // HTTP/1.0 closes unless told otherwise
  }
  return head + "\r\n";
}

// An IPv4 client of a dual-stack listener arrives as ::ffff:a.b.c.d: it is a.b.c.d, in the logs
// and in the count of its connections.
asio::ip::address unmapped(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  return address;
}

}  // namespace

// What a connection is served with: the web configuration of the moment it was accepted.
struct ServingConfig {
  // Throws WebConfigError when the certificate or key is refused.
  explicit ServingConfig(const WebConfig& web)
      : tls(web.tls ? make_tls_context(*web.tls) : nullptr), basic(web.basic_auth_users), headers(web.headers) {}
  const std::shared_ptr<ssl::context> tls;  // null: plain HTTP
  const BasicAuth basic;
  const std::vector<std::pair<std::string, std::string>> headers;
};

// The listening socket, the io_context and its threads, the workers, and what every connection
// shares: the limits and the use each peer and route makes of them.
class HttpListener {
 public:
  HttpListener(const HttpOptions& options, std::map<std::string, HttpRoute> routes);
  ~HttpListener() { stop(); }
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  int port() const { return acceptor_.local_endpoint().port(); }
  void reload(const WebConfig& web);
  std::shared_ptr<const ServingConfig> serving() const {
    std::lock_guard lock(serving_mutex_);
    return serving_;
  }

  // A place for one more request on `route` (its max_concurrent), or false. The request gives
  // it back with release_request.
  bool admit_request(const HttpRoute& route);
  void release_request(const HttpRoute& route);
  void release_connection(const std::string& peer);
  RequestWorkers& workers() { return *workers_; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  const std::map<std::string, HttpRoute> routes;
  const std::chrono::milliseconds timeout;
  const std::chrono::milliseconds response_timeout;
  const std::size_t max_request_bytes;
  const std::size_t max_body_bytes;
  const AccessPolicy access;
  HttpCounters& counters;  // HttpOptions::counters: owned by whoever reads them

 private:
  void listen(const std::string& listen_address);
  void accept();
  void stop();
  bool admit_connection(const std::string& peer);

  const std::size_t max_connections_;
  const std::size_t max_connections_per_peer_;
  // Set by stop() (release), read by workers waiting for a write (acquire): they give up.
  std::atomic<bool> stopping_{false};
  mutable std::mutex serving_mutex_;
  std::shared_ptr<const ServingConfig> serving_;
  std::mutex use_mutex_;
  std::size_t connections_ = 0;
  std::unordered_map<std::string, std::size_t> peer_connections_;
  std::map<const HttpRoute*, int> route_use_;
  std::unique_ptr<RequestWorkers> workers_;
  // Declared after what the connections use: destroying it destroys the handlers still pending,
  // and with them the connections, which give back their places.
  asio::io_context io_;
  // run() returns when io_ has no work; the threads must run until stop() whatever is pending.
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
  std::vector<std::thread> threads_;
};

namespace {

// One client connection: reads a request asynchronously, checks it, runs its handler (on the
// I/O thread for an inline route, else on a worker), writes the response, and reads the next
// on keep-alive. Every step on the I/O side runs on the connection's strand; while a worker
// has the request, the strand has no operation of this connection pending, and the worker
// hands the connection back by posting to the strand.
template <typename Stream>
class Connection : public std::enable_shared_from_this<Connection<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Connection(HttpListener& server, std::shared_ptr<const ServingConfig> serving, tcp::socket socket, std::string peer, bool loopback)
      : server_(server),
        serving_(std::move(serving)),
        stream_(make_stream(std::move(socket))),
        peer_(std::move(peer)),
        loopback_(loopback) {}
  // Its place among the open connections was taken when it was accepted.
  ~Connection() { server_.release_connection(peer_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start() {
    lowest().expires_after(server_.timeout);
    if constexpr (kTls) {
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](error_code ec) {
        if (ec) return log(LogLevel::kDebug, "TLS handshake failed", {{"peer", self->peer_}, {"error", ec.message()}});
        self->read_head();
      });
    } else {
      read_head();
    }
  }

 private:
  Stream make_stream(tcp::socket socket) {
    if constexpr (kTls) {
      return Stream(std::move(socket), *serving_->tls);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void read_head() {
    // The last body's memory is the next body's, up to kKeptBody: a client that posts large
    // bodies (an OTLP exporter) no longer has the allocator map, fault in and unmap them anew
    // for each request.
    std::string body = std::move(request_.body);
    body.clear();
    if (body.capacity() > kKeptBody) body = std::string();
    request_ = HttpRequest{};
    route_ = nullptr;
    credential_.reset();
    parser_.emplace(std::piecewise_construct, std::make_tuple(std::move(body)));
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(server_.max_request_bytes, UINT32_MAX)));
    // No limit yet: beast would refuse a large Content-Length while reading the header, before
    // an unknown path or a refused method could be answered as such. read_body sets it.
    parser_->body_limit(boost::none);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](error_code ec, std::size_t) { self->on_head(ec); });
  }

  void on_head(error_code ec) {
    if (ec) return refuse(ec);
    const auto& message = parser_->get();
    request_.method = to_string(message.method_string());
    const std::string_view target(message.target().data(), message.target().size());
    const auto question = target.find('?');
    request_.path = percent_decode(target.substr(0, question), false);
    if (question != std::string_view::npos) request_.query = target.substr(question + 1);
    for (const auto& field : message) {
      std::string name = to_string(field.name_string());
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      request_.headers[name] = to_string(field.value());
    }
    request_.peer = peer_;
    request_.peer_is_loopback = loopback_;
    // A body whose length cannot be known would be read as the next request (smuggling).
    if (request_.headers.contains("transfer-encoding") && !transfer_encoding_acceptable(request_.header("transfer-encoding"))) {
      must_close_ = true;
      return respond(plain(400, "bad request: the only transfer coding accepted is chunked\n"));
    }
    // HTTP/1.0 may leave Host out; a browser never does.
    if (request_.headers.contains("host") && !host_allowed(server_.access, request_.header("host"))) {
      must_close_ = true;
      log(LogLevel::kWarn, "HTTP request for another host refused", {{"host", request_.header("host")}, {"peer", request_.peer}});
      return respond(plain(421, "misdirected request: this collector does not answer to that Host\n"));
    }
    const auto route = server_.routes.find(request_.path);
    if (route == server_.routes.end()) return respond(plain(404, "not found\n"));
    const auto& methods = route->second.methods;
    route_ = &route->second;
    if (request_.method == "OPTIONS" && route_->access == RouteAccess::kPrivate && !server_.access.allowed_origins.empty()) {
      return respond(preflight());
    }
    if (std::find(methods.begin(), methods.end(), request_.method) == methods.end()) {
      std::string allow;
      for (const auto& m : methods) allow += (allow.empty() ? "" : ", ") + m;
      HttpResponse response = plain(405, "method not allowed\n");
      response.headers.emplace_back("Allow", allow);
      return respond(std::move(response));
    }
    // Refused before its body is read, unless a bcrypt check must come first (on a worker).
    if (!needs_bcrypt()) {
      if (auto refusal = authorize()) return respond(std::move(*refusal));
    }
    // Only a POST's body is read; any other request's is left unread and the connection closes
    // after the response (see respond).
    if (request_.method != "POST" || parser_->is_done()) return dispatch();
    const std::size_t limit = route_->max_body_bytes ? route_->max_body_bytes : server_.max_body_bytes;
    if (parser_->content_length() && *parser_->content_length() > limit) return respond(plain(413, "request body too large\n"));
    if (!beast::iequals(message[http::field::expect], "100-continue")) return read_body(limit);
    // The client waits for this before it sends the body.
    head_ = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(stream_, asio::buffer(head_), [self = this->shared_from_this(), limit](error_code write_ec, std::size_t) {
      if (!write_ec) self->read_body(limit);
    });
  }

  // A CORS preflight, answered only when origins are configured (security.allowedOrigins):
  // granted to one of them, for one of the route's methods, with the headers the API takes.
  HttpResponse preflight() {
    const std::string origin = request_.header("origin");
    const std::string method = request_.header("access-control-request-method");
    const auto& methods = route_->methods;
    if (!origin_allowed(server_.access, origin) || std::find(methods.begin(), methods.end(), method) == methods.end()) {
      log(LogLevel::kWarn, "HTTP request refused", {{"path", request_.path}, {"peer", peer_}, {"status", 403}, {"reason", "preflight"}});
      return plain(403, "this origin may not use the API\n");
    }
    HttpResponse response{204, "text/plain; charset=utf-8", {}, ""};
    std::string allow;
    for (const auto& m : methods) allow += (allow.empty() ? "" : ", ") + m;
    response.headers = {{"Access-Control-Allow-Origin", origin},
                        {"Access-Control-Allow-Methods", allow},
                        {"Access-Control-Allow-Headers", "Content-Type, Authorization"},
                        {"Access-Control-Max-Age", "600"},
                        {"Vary", "Origin"}};
    return response;
  }

  // Basic authentication is on and the request carries a credential not checked before.
  bool needs_bcrypt() {
    if (!serving_->basic.enabled()) return false;
    credential_ = parse_basic_authorization(request_.header("authorization"));
    return credential_ && !serving_->basic.remembered(*credential_);
  }

  // The request's rights (docs/security.md): basic authentication when it is on (a user, or
  // one of the API's bearer tokens), then a private route's own check. Sets the principal;
  // returns the refusal, if any. `bcrypt_passed`: a worker has just checked the credential.
  std::optional<HttpResponse> authorize(bool bcrypt_passed = false) {
    if (route_->access == RouteAccess::kSigned) {
      // A forge's webhook: its handler checks the body's signature, which is its credential
      // (basic authentication does not apply); a browser's request is refused here.
      const std::string origin = request_.header("origin");
      AccessRequest signed_request;
      signed_request.method = request_.method;
      signed_request.origin = origin;
      const AccessDecision decision = check_signed_access(server_.access, signed_request);
      if (decision.status != 0) {
        log(LogLevel::kWarn, "HTTP request refused",
            {{"path", request_.path}, {"peer", peer_}, {"status", decision.status}, {"reason", decision.reason}});
        return plain(decision.status, decision.reason + "\n");
      }
      request_.principal = decision.principal;
      return std::nullopt;
    }
    std::string authenticated;
    if (serving_->basic.enabled()) {
      if (credential_ && (bcrypt_passed || serving_->basic.remembered(*credential_))) {
        authenticated = "basic:" + credential_->user;
      } else if (!presented_token(server_.access, request_.header("authorization"))) {
        log(LogLevel::kWarn, "HTTP request refused", {{"path", request_.path}, {"peer", peer_}, {"status", 401}, {"reason", "basic auth"}});
        HttpResponse refusal = plain(401, "unauthorized\n");
        refusal.headers.emplace_back("WWW-Authenticate", "Basic realm=\"agentmetrics\"");
        return refusal;
      }
    }
    if (route_->access == RouteAccess::kPrivate) {
      const AccessDecision decision =
          check_private_access(server_.access, {request_.method, request_.header("authorization"), authenticated, request_.header("origin"),
                                                request_.header("content-type"), request_.peer_is_loopback, route_->post_media_types});
      if (decision.status != 0) {
        log(LogLevel::kWarn, "HTTP request refused",
            {{"path", request_.path}, {"peer", peer_}, {"status", decision.status}, {"reason", decision.reason}});
        HttpResponse refusal = plain(decision.status, decision.reason + "\n");
        if (decision.status == 401) refusal.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"agentmetrics\"");
        return refusal;
      }
      request_.principal = decision.principal;
    } else {
      request_.principal = authenticated;
    }
    return std::nullopt;
  }

  void read_body(std::size_t limit) {
    parser_->body_limit(limit);  // for a chunked body, whose size is not announced
    // Beast reads no more than the buffer's free room at a time (at least 512 bytes): a large
    // body read through the few hundred bytes the head left took a system call, a timer update
    // and an epoll wait per 512 bytes (800 of each for a 400 KB OTLP export). Room for up to
    // 64 KiB, the most Beast reads at once, kept for the connection's next bodies.
    const std::size_t body = parser_->content_length().value_or(kLargeRead);
    if (body > buffer_.capacity() - buffer_.size()) buffer_.reserve(buffer_.size() + std::min(body, kLargeRead));
    http::async_read(stream_, buffer_, *parser_, [self = this->shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->refuse(ec);
      self->request_.body = std::move(self->parser_->get().body());
      self->dispatch();
    });
  }

  // A request that could not be read: answered when it was malformed or too large, dropped when
  // the client went away or ran out of time (beast has closed the socket then).
  void refuse(error_code ec) {
    if (ec == http::error::header_limit) return respond(plain(431, "request header too large\n"));
    if (ec == http::error::body_limit) return respond(plain(413, "request body too large\n"));
    const bool malformed = ec.category() == make_error_code(http::error::bad_method).category() && ec != http::error::end_of_stream &&
                           ec != http::error::partial_message;
    if (malformed) respond(plain(400, "bad request\n"));
  }

  // An inline route is answered here, on the strand; any other request goes to a worker if it
  // has a place (its peer's and route's share, room in the workers' queue), else gets 503.
  void dispatch() {
    const bool bcrypt = credential_ && serving_->basic.enabled() && !serving_->basic.remembered(*credential_);
    if (route_->inline_handler && !bcrypt) return respond(run_handler());
    if (!server_.admit_request(*route_)) return respond(busy("this path has as many requests as it takes at once"));
    // The place is given back before the answer goes out (so the client's next request finds
    // it), or when the job is dropped at shutdown.
    auto place = std::shared_ptr<void>(nullptr, [server = &server_, route = route_](void*) { server->release_request(*route); });
    const bool posted =
        server_.workers().try_post([self = this->shared_from_this(), place, bcrypt]() mutable { self->work(bcrypt, std::move(place)); });
    if (!posted) respond(busy("every worker is taken"));
  }

  // On a worker: the slow credential check if one is due, then the handler, then the answer
  // handed back to the strand (a streamed one is written from here).
  void work(bool bcrypt, std::shared_ptr<void> place) {
    if (bcrypt) {
      const bool passed = serving_->basic.verify(*credential_);
      std::optional<HttpResponse> refusal;
      if (!passed) {
        log(LogLevel::kWarn, "HTTP request refused", {{"path", request_.path}, {"peer", peer_}, {"status", 401}, {"reason", "basic auth"}});
        refusal = plain(401, "unauthorized\n");
        refusal->headers.emplace_back("WWW-Authenticate", "Basic realm=\"agentmetrics\"");
      } else {
        refusal = authorize(true);
      }
      if (refusal) {
        place.reset();
        return hand_back(std::move(*refusal));
      }
    }
    HttpResponse response = run_handler();
    if (response.stream && request_.method != "HEAD") return stream_from_worker(response, std::move(place));
    place.reset();
    hand_back(std::move(response));
  }

  HttpResponse run_handler() {
    try {
      return route_->handler(request_);
    } catch (const std::exception& e) {
      log(LogLevel::kError, "request failed", {{"path", request_.path}, {"error", e.what()}});
      return plain(500, "internal error\n");
    }
  }

  void hand_back(HttpResponse response) {
    asio::post(lowest().get_executor(),
               [self = this->shared_from_this(), response = std::move(response)]() mutable { self->respond(std::move(response)); });
  }

  // Decides keep-alive and the head; for a HEAD request a streamed body is not run.
  void prepare(const HttpResponse& response, bool& chunked) {
    server_.counters.count_response(response.status);
    const auto& message = parser_->get();
    // A request whose body was not read (all of it) leaves the connection where the next
    // request cannot be found: it closes.
    keep_alive_ = !must_close_ && parser_->is_done() && message.keep_alive();
    chunked = response.stream && message.version() >= 11;
    if (response.stream && !chunked) keep_alive_ = false;  // the body ends with the connection
    std::vector<std::pair<std::string, std::string>> extra = serving_->headers;
    // A configured origin may read the API's answers (its preflight was granted).
    if (route_ && route_->access == RouteAccess::kPrivate && origin_allowed(server_.access, request_.header("origin"))) {
      extra.emplace_back("Access-Control-Allow-Origin", request_.header("origin"));
      extra.emplace_back("Vary", "Origin");
    }
    head_ = head_of(response, extra, chunked, keep_alive_, message.version());
  }

  void respond(HttpResponse response) {
    bool chunked = false;
    prepare(response, chunked);
    body_ = request_.method == "HEAD" || response.stream ? std::string() : std::move(response.body);
    lowest().expires_after(server_.timeout);
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(body_)};
    asio::async_write(stream_, buffers, [self = this->shared_from_this()](error_code ec, std::size_t) {
      if (!ec) self->next();
    });
  }

  // One write of a streamed response, made on the strand while a worker waits for it. Its
  // bytes are owned here, not by the worker, which may give up waiting first.
  struct PendingWrite {
    std::string bytes;
    std::mutex mutex;
    std::condition_variable done_cv;
    std::optional<bool> done;  // whether it was written
  };

  // Runs the handler's stream on this worker, each piece written on the strand (with the
  // socket's deadline: the per-write timeout, never past the response's) before the next is
  // made. False, and the connection closed, once a write fails or the server stops.
  void stream_from_worker(const HttpResponse& response, std::shared_ptr<void> place) {
    bool chunked = false;
    prepare(response, chunked);
    const auto response_deadline = Clock::now() + server_.response_timeout;
    bool open = write_and_wait(std::string(head_), response_deadline);
    try {
      if (open) {
        response.stream([&](std::string_view piece) {
          // An empty chunk would end the body.
          if (!open || piece.empty()) return open;
          if (!chunked) return open = write_and_wait(std::string(piece), response_deadline);
          char size[20];
          const auto end = std::to_chars(size, size + sizeof(size) - 2, piece.size(), 16).ptr;
          std::memcpy(end, "\r\n", 2);
          std::string framed;
          framed.reserve(piece.size() + 24);
          framed.append(size, static_cast<std::size_t>(end + 2 - size)).append(piece).append("\r\n");
          return open = write_and_wait(std::move(framed), response_deadline);
        });
      }
    } catch (const std::exception& e) {
      // The head is out: the client learns of the failure by the body ending early.
      log(LogLevel::kError, "request failed", {{"path", request_.path}, {"error", e.what()}});
      open = false;
    }
    if (open && chunked) open = write_and_wait("0\r\n\r\n", response_deadline);
    place.reset();
    if (open) {
      asio::post(lowest().get_executor(), [self = this->shared_from_this()] { self->next(); });
    } else {
      asio::post(lowest().get_executor(), [self = this->shared_from_this()] { self->lowest().close(); });
    }
  }

  bool write_and_wait(std::string&& bytes, Clock::time_point response_deadline) {
    const auto left = response_deadline - Clock::now();
    if (left <= Clock::duration::zero()) return false;
    auto write = std::make_shared<PendingWrite>();
    write->bytes = std::move(bytes);
    const auto deadline = std::min<Clock::duration>(server_.timeout, left);
    asio::post(lowest().get_executor(), [self = this->shared_from_this(), write, deadline] {
      self->lowest().expires_after(deadline);
      asio::async_write(self->stream_, asio::buffer(write->bytes), [write](error_code ec, std::size_t) {
        std::lock_guard lock(write->mutex);
        write->done = !ec;
        write->done_cv.notify_all();
      });
    });
    std::unique_lock lock(write->mutex);
    // The socket's deadline ends the write; the wake-ups only notice a server that stops.
    while (!write->done) {
      if (server_.stopping()) return false;
      write->done_cv.wait_for(lock, std::chrono::milliseconds(100));
    }
    return *write->done;
  }

  void next() {
    if (!keep_alive_) return linger();
    lowest().expires_after(server_.timeout);
    read_head();
  }

  // Tells the client the response is complete and reads until it closes or kLingerTime.
  void linger() {
    lowest().expires_after(std::min<Clock::duration>(kLingerTime, server_.timeout));
    if constexpr (kTls) {
      stream_.async_shutdown([self = this->shared_from_this()](error_code) { self->lowest().close(); });
    } else {
      error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      discard();
    }
  }

  void discard() {
    lowest().async_read_some(buffer_.prepare(16384), [self = this->shared_from_this()](error_code ec, std::size_t) {
      if (!ec) self->discard();
    });
  }

  HttpListener& server_;
  const std::shared_ptr<const ServingConfig> serving_;  // keeps the TLS context alive
  Stream stream_;
  const std::string peer_;
  const bool loopback_;
  static constexpr std::size_t kLargeRead = 65536;
  static constexpr std::size_t kKeptBody = 1024 * 1024;
  beast::flat_buffer buffer_;                                        // what was read past the current request: the next one
  std::optional<http::request_parser<AppendingStringBody>> parser_;  // a new one per request
  HttpRequest request_;
  const HttpRoute* route_ = nullptr;
  std::optional<BasicCredential> credential_;  // of basic authentication, when it is on
  std::string head_;                           // of the response being written
  std::string body_;
  bool keep_alive_ = false;
  bool must_close_ = false;  // what follows this request cannot be trusted to be a request
};

}  // namespace

HttpListener::HttpListener(const HttpOptions& options, std::map<std::string, HttpRoute> routes_to_serve)
    : routes(std::move(routes_to_serve)),
      timeout(options.request_timeout_ms),
      response_timeout(options.response_timeout_ms),
      max_request_bytes(options.max_request_bytes),
      max_body_bytes(options.max_body_bytes),
      access(options.access),
      counters(*options.counters),
      max_connections_(options.max_connections),
      max_connections_per_peer_(options.max_connections_per_peer),
      serving_(std::make_shared<const ServingConfig>(options.web)),
      workers_(std::make_unique<RequestWorkers>(options.threads, options.max_waiting)),
      io_(kIoThreads),
      work_(io_.get_executor()),
      acceptor_(io_),
      accept_retry_(io_) {
  try {
    listen(options.listen_address);
    accept();
    for (int i = 0; i < kIoThreads; ++i) {
      threads_.emplace_back([this] {
        pthread_setname_np(pthread_self(), "am-http");
        // A handler that throws loses its connection, not the thread.
        for (;;) {
          try {
            io_.run();
            return;
          } catch (const std::exception& e) {
            log(LogLevel::kError, "HTTP connection failed", {{"error", e.what()}});
          }
        }
      });
    }
  } catch (...) {
    stop();
    throw;
  }
}

void HttpListener::reload(const WebConfig& web) {
  auto next = std::make_shared<const ServingConfig>(web);  // throws before anything changes
  std::lock_guard lock(serving_mutex_);
  serving_ = std::move(next);
}

void HttpListener::listen(const std::string& listen_address) {
  const ListenAddress address = parse_listen_address(listen_address);
  error_code ec;
  tcp::endpoint endpoint;
  if (address.host.empty()) {
    // Every interface: IPv6's any address, which takes IPv4 too unless v6_only; IPv4's where
    // the system has no IPv6.
    acceptor_.open(tcp::v6(), ec);
    if (!ec) acceptor_.set_option(asio::ip::v6_only(false), ec);
    if (ec) {
      error_code ignored;
      acceptor_.close(ignored);
      ec = {};
      endpoint = tcp::endpoint(tcp::v4(), address.port);
      acceptor_.open(tcp::v4(), ec);
    } else {
      endpoint = tcp::endpoint(tcp::v6(), address.port);
    }
  } else {
    tcp::resolver resolver(io_);
    const auto found =
        resolver.resolve(address.host, std::to_string(address.port), tcp::resolver::passive | tcp::resolver::numeric_service, ec);
    if (!ec) endpoint = found.begin()->endpoint();
    if (!ec) acceptor_.open(endpoint.protocol(), ec);
  }
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(tcp::socket::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + listen_address + ": " + ec.message());
}

bool HttpListener::admit_connection(const std::string& peer) {
  std::lock_guard lock(use_mutex_);
  std::size_t& peer_connections = peer_connections_[peer];
  if (connections_ >= max_connections_ || peer_connections >= max_connections_per_peer_) {
    if (peer_connections == 0) peer_connections_.erase(peer);
    return false;
  }
  ++connections_;
  ++peer_connections;
  return true;
}

void HttpListener::release_connection(const std::string& peer) {
  std::lock_guard lock(use_mutex_);
  --connections_;
  const auto it = peer_connections_.find(peer);
  if (it != peer_connections_.end() && --it->second == 0) peer_connections_.erase(it);
}

bool HttpListener::admit_request(const HttpRoute& route) {
  if (route.max_concurrent <= 0) return true;
  std::lock_guard lock(use_mutex_);
  int& use = route_use_[&route];
  if (use >= route.max_concurrent) return false;
  ++use;
  return true;
}

void HttpListener::release_request(const HttpRoute& route) {
  if (route.max_concurrent <= 0) return;
  std::lock_guard lock(use_mutex_);
  --route_use_[&route];
}

void HttpListener::accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping()) return;  // the listener is closing
      log(LogLevel::kWarn, "cannot accept an HTTP connection", {{"error", ec.message()}});
      accept_retry_.expires_after(kAcceptRetryDelay);
      accept_retry_.async_wait([this](error_code) { accept(); });
      return;
    }
    accept();  // the next connection is awaited whatever becomes of this one
    error_code peer_ec;
    const auto endpoint = socket.remote_endpoint(peer_ec);
    if (peer_ec) return;  // gone already
    const asio::ip::address address = unmapped(endpoint.address());
    std::string peer = address.to_string();
    // Beyond the limits a connection is closed at once (`socket` closes as it goes).
    if (!admit_connection(peer)) {
      counters.connections_refused.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    auto serving = this->serving();
    if (serving->tls) {
      std::make_shared<Connection<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(serving), std::move(socket), std::move(peer),
                                                                         address.is_loopback())
          ->start();
    } else {
      std::make_shared<Connection<beast::tcp_stream>>(*this, std::move(serving), std::move(socket), std::move(peer), address.is_loopback())
          ->start();
    }
  });
}

void HttpListener::stop() {
  // Workers streaming to a slow client stop waiting; the running handlers finish and the
  // waiting ones are dropped (their connections close); then the I/O threads leave run(), and
  // the pending handlers, and with them the connections, go with io_.
  stopping_.store(true, std::memory_order_release);
  error_code ignored;
  acceptor_.close(ignored);
  workers_.reset();
  io_.stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

namespace {
HttpOptions counting_into(HttpOptions options, HttpCounters* counters) {
  options.counters = counters;
  return options;
}
}  // namespace

HttpServer::HttpServer(const HttpOptions& options, std::map<std::string, HttpRoute> routes)
    : own_counters_(options.counters ? nullptr : std::make_unique<HttpCounters>()),
      counters_(options.counters ? options.counters : own_counters_.get()),
      listener_(std::make_unique<HttpListener>(counting_into(options, counters_), std::move(routes))),
      port_(listener_->port()) {}

HttpServer::~HttpServer() = default;

void HttpServer::reload(const WebConfig& web) { listener_->reload(web); }

std::string HttpRequest::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::map<std::string, std::string> HttpRequest::query_parameters() const {
  std::map<std::string, std::string> parameters;
  for (std::size_t start = 0; start <= query.size();) {
    const std::size_t end = std::min(query.find('&', start), query.size());
    const std::string_view pair = std::string_view(query).substr(start, end - start);
    const std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos)
      parameters.emplace(percent_decode(pair.substr(0, equals), true), percent_decode(pair.substr(equals + 1), true));
    start = end + 1;
  }
  return parameters;
}

}  // namespace agentmetrics::collector
