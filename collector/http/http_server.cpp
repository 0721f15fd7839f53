#include "collector/http/http_server.h"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>

// Boost lives in /usr/include, so GCC and clang already treat these as system headers and
// report no warnings from inside them.
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
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

#include "collector/common/log.h"

namespace agentmetrics::collector {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

// Beyond this many open connections a new one is accepted and closed at once. Each costs a
// file descriptor and a few KiB (buffer, parser, timer), and the daemon's descriptors are also
// its segments' and its store's: a flood of connections must not take those.
constexpr std::size_t kMaxConnections = 1024;

// How long a connection that is closed after its response is still read (and what comes
// discarded) before it is closed: closing a socket with unread input sends a TCP reset, which
// can destroy the response (a 413 for a body still on its way) before the client reads it.
constexpr auto kLingerTime = std::chrono::seconds(1);

// After a failed accept (mostly: out of file descriptors) the next waits this long; the
// connection stays in the backlog, so retrying at once would spin.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

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

// The status line and header of `response`. A streamed body is chunked (HTTP/1.1) or ends with
// the connection (HTTP/1.0, which has no chunks).
std::string head_of(const HttpResponse& response, bool chunked, bool keep_alive, unsigned version) {
  const auto reason = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(response.status)));
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " + to_string(reason) + "\r\n";
  head += "Content-Type: " + response.content_type + "\r\n";
  if (!response.stream) {
    head += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  } else if (chunked) {
    head += "Transfer-Encoding: chunked\r\n";
  }
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  if (!keep_alive) {
    head += "Connection: close\r\n";
  } else if (version < 11) {
    head += "Connection: keep-alive\r\n";  // HTTP/1.0 closes unless told otherwise
  }
  return head + "\r\n";
}

// Sends all of `parts` on the socket `fd`, waiting for room in its send buffer until
// `deadline`. False once the client is gone, has not read in time, or the server stops
// (`stop_fd` readable). It blocks the calling thread, which is what a streamed body wants:
// each piece is sent before the handler makes the next.
bool send_all(int fd, int stop_fd, std::array<iovec, 3> parts, std::size_t count, Clock::time_point deadline) {
  std::size_t first = 0;
  while (first < count) {
    if (parts[first].iov_len == 0) {
      ++first;
      continue;
    }
    msghdr message{};
    message.msg_iov = &parts[first];
    message.msg_iovlen = count - first;
    // MSG_DONTWAIT: the wait is the poll below, which has the deadline and sees the stop.
    const ssize_t sent = ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent >= 0) {
      for (auto left = static_cast<std::size_t>(sent); left > 0; ++first) {
        if (left < parts[first].iov_len) {
          parts[first].iov_base = static_cast<char*>(parts[first].iov_base) + left;
          parts[first].iov_len -= left;
          break;
        }
        left -= parts[first].iov_len;
      }
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd waits[2] = {{fd, POLLOUT, 0}, {stop_fd, POLLIN, 0}};
    if (::poll(waits, 2, static_cast<int>(std::min<long long>(left, 1 << 30))) < 0 && errno != EINTR) return false;
    if (waits[1].revents != 0) return false;
  }
  return true;
}

// A writable view of `text` for sendmsg, which only reads through it.
iovec part(std::string_view text) { return iovec{const_cast<char*>(text.data()), text.size()}; }

}  // namespace

// The listening socket, the io_context and its threads, and what every connection shares.
class HttpListener {
 public:
  HttpListener(const HttpOptions& options, std::map<std::string, HttpRoute> routes);
  ~HttpListener() { stop(); }
  HttpListener(const HttpListener&) = delete;
  HttpListener& operator=(const HttpListener&) = delete;

  int port() const { return acceptor_.local_endpoint().port(); }

  const std::map<std::string, HttpRoute> routes;
  const std::chrono::milliseconds timeout;
  const std::size_t max_request_bytes;
  const std::size_t max_body_bytes;
  const AccessPolicy access;
  // Connections open now: taken by the accept handler, given back by ~Connection on any
  // thread. Relaxed is enough: the count only decides whether to take a connection, no other
  // data is published through it, and fetch_add makes each place taken exactly once even when
  // two accept handlers overlap.
  std::atomic<std::size_t> open_connections{0};
  // An eventfd, readable once the server stops: it wakes the threads waiting in send_all for a
  // slow client, which the io_context cannot interrupt. Its write and poll are system calls,
  // which order themselves; nothing else is published through it.
  const int stop_fd;

 private:
  void listen(const std::string& listen_address);
  void accept();
  void stop();

  // Declared after what the connections use: destroying it destroys the handlers still pending,
  // and with them the connections, which give back their place in open_connections.
  asio::io_context io_;
  // run() returns when io_ has no work; the threads must run until stop() whatever is pending.
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  tcp::acceptor acceptor_;
  asio::steady_timer accept_retry_;
  std::vector<std::thread> threads_;
};

namespace {

// One client connection: reads a request asynchronously, runs its handler on the calling io
// thread, writes the response, and reads the next on keep-alive. Every step runs on the
// connection's strand, so its steps and beast's timeout handler never run at once.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(HttpListener& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {}
  // The place in open_connections was taken for it when it was accepted.
  ~Connection() { server_.open_connections.fetch_sub(1, std::memory_order_relaxed); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  void start() {
    stream_.expires_after(server_.timeout);
    read_head();
  }

 private:
  void read_head() {
    request_ = HttpRequest{};
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(server_.max_request_bytes, UINT32_MAX)));
    // No limit yet: beast would refuse a large Content-Length while reading the header, before
    // an unknown path or a refused method could be answered as such. read_body sets it.
    parser_->body_limit(boost::none);
    http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](error_code ec, std::size_t) { self->on_head(ec); });
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
    error_code peer_ec;
    const auto peer = stream_.socket().remote_endpoint(peer_ec);
    if (!peer_ec) {
      request_.peer = peer.address().to_string();
      request_.peer_is_loopback =
          peer.address().is_loopback() || (peer.address().is_v6() && peer.address().to_v6().is_v4_mapped() &&
                                           asio::ip::make_address_v4(asio::ip::v4_mapped, peer.address().to_v6()).is_loopback());
    }
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
    if (std::find(methods.begin(), methods.end(), request_.method) == methods.end()) {
      std::string allow;
      for (const auto& m : methods) allow += (allow.empty() ? "" : ", ") + m;
      HttpResponse response = plain(405, "method not allowed\n");
      response.headers.emplace_back("Allow", allow);
      return respond(std::move(response));
    }
    if (route->second.access == RouteAccess::kPrivate) {
      const AccessDecision decision =
          check_private_access(server_.access, {request_.method, request_.header("authorization"), request_.header("origin"),
                                                request_.header("content-type"), request_.peer_is_loopback});
      if (decision.status != 0) {
        log(LogLevel::kWarn, "HTTP request refused",
            {{"path", request_.path}, {"peer", request_.peer}, {"status", decision.status}, {"reason", decision.reason}});
        HttpResponse refusal = plain(decision.status, decision.reason + "\n");
        if (decision.status == 401) refusal.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"agentmetrics\"");
        return respond(std::move(refusal));
      }
      request_.principal = decision.principal;
    }
    if (route->second.access == RouteAccess::kSigned) {
      const AccessDecision decision = check_signed_access(server_.access, {request_.method, {}, request_.header("origin"), {}, false});
      if (decision.status != 0) {
        log(LogLevel::kWarn, "HTTP request refused",
            {{"path", request_.path}, {"peer", request_.peer}, {"status", decision.status}, {"reason", decision.reason}});
        return respond(plain(decision.status, decision.reason + "\n"));
      }
    }
    route_ = &route->second;
    body_limit_ = route_->max_body_bytes ? route_->max_body_bytes : server_.max_body_bytes;
    // Only a POST's body is read; any other request's is left unread and the connection closes
    // after the response (see respond).
    if (request_.method != "POST" || parser_->is_done()) return serve();
    if (parser_->content_length() && *parser_->content_length() > body_limit_) {
      return respond(plain(413, "request body too large\n"));
    }
    if (!beast::iequals(message[http::field::expect], "100-continue")) return read_body();
    // The client waits for this before it sends the body.
    head_ = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(stream_, asio::buffer(head_), [self = shared_from_this()](error_code write_ec, std::size_t) {
      if (!write_ec) self->read_body();
    });
  }

  void read_body() {
    parser_->body_limit(body_limit_);  // for a chunked body, whose size is not announced
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->refuse(ec);
      self->request_.body = std::move(self->parser_->get().body());
      self->serve();
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

  void serve() {
    HttpResponse response;
    try {
      response = route_->handler(request_);
    } catch (const std::exception& e) {
      log(LogLevel::kError, "request failed", {{"path", request_.path}, {"error", e.what()}});
      response = plain(500, "internal error\n");
    }
    respond(std::move(response));
  }

  void respond(HttpResponse response) {
    const auto& message = parser_->get();
    // A request whose body was not read (all of it) leaves the connection where the next
    // request cannot be found: it closes.
    keep_alive_ = !must_close_ && parser_->is_done() && message.keep_alive();
    const bool chunked = response.stream && message.version() >= 11;
    if (response.stream && !chunked) keep_alive_ = false;  // the body ends with the connection
    head_ = head_of(response, chunked, keep_alive_, message.version());
    const bool head_only = request_.method == "HEAD";
    if (response.stream && !head_only) return send_stream(response, chunked);
    body_ = head_only ? std::string() : std::move(response.body);
    stream_.expires_after(server_.timeout);
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(head_), asio::buffer(body_)};
    asio::async_write(stream_, buffers, [self = shared_from_this()](error_code ec, std::size_t) {
      if (!ec) self->next();
    });
  }

  // Runs the handler's stream on this thread, each piece sent (or given up on) before the
  // next is made. The socket has no asynchronous operation meanwhile.
  void send_stream(const HttpResponse& response, bool chunked) {
    const int fd = stream_.socket().native_handle();
    const auto send = [&](std::array<iovec, 3> parts, std::size_t count) {
      return send_all(fd, server_.stop_fd, parts, count, Clock::now() + server_.timeout);
    };
    bool open = send({part(head_)}, 1);
    try {
      if (open) {
        response.stream([&](std::string_view piece) {
          // An empty chunk would end the body.
          if (!open || piece.empty()) return open;
          if (!chunked) return open = send({part(piece)}, 1);
          char size[20];
          const auto end = std::to_chars(size, size + sizeof(size) - 2, piece.size(), 16).ptr;
          std::memcpy(end, "\r\n", 2);
          return open = send({part(std::string_view(size, static_cast<std::size_t>(end + 2 - size))), part(piece), part("\r\n")}, 3);
        });
      }
    } catch (const std::exception& e) {
      // The head is out: the client learns of the failure by the body ending early.
      log(LogLevel::kError, "request failed", {{"path", request_.path}, {"error", e.what()}});
      open = false;
    }
    if (open && chunked) open = send({part("0\r\n\r\n")}, 1);
    // Otherwise the connection closes with the last reference to it, when this handler returns.
    if (open) next();
  }

  void next() {
    if (!keep_alive_) return linger();
    stream_.expires_after(server_.timeout);
    read_head();
  }

  // Tells the client the response is complete (FIN) and reads until it closes or kLingerTime.
  void linger() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::min<Clock::duration>(kLingerTime, server_.timeout));
    discard();
  }

  void discard() {
    stream_.async_read_some(buffer_.prepare(16384), [self = shared_from_this()](error_code ec, std::size_t) {
      if (!ec) self->discard();
    });
  }

  HttpListener& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;                                      // what was read past the current request: the next one
  std::optional<http::request_parser<http::string_body>> parser_;  // a new one per request
  HttpRequest request_;
  const HttpRoute* route_ = nullptr;
  std::size_t body_limit_ = 0;  // the route's
  std::string head_;            // of the response being written
  std::string body_;
  bool keep_alive_ = false;
  bool must_close_ = false;  // what follows this request cannot be trusted to be a request
};

}  // namespace

HttpListener::HttpListener(const HttpOptions& options, std::map<std::string, HttpRoute> routes_to_serve)
    : routes(std::move(routes_to_serve)),
      timeout(options.request_timeout_ms),
      max_request_bytes(options.max_request_bytes),
      max_body_bytes(options.max_body_bytes),
      access(options.access),
      stop_fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      io_(options.threads),
      work_(io_.get_executor()),
      acceptor_(io_),
      accept_retry_(io_) {
  if (stop_fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  try {
    listen(options.listen_address);
    accept();
    for (int i = 0; i < std::max(1, options.threads); ++i) {
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

void HttpListener::accept() {
  acceptor_.async_accept(asio::make_strand(io_), [this](error_code ec, tcp::socket socket) {
    if (ec) {
      log(LogLevel::kWarn, "cannot accept an HTTP connection", {{"error", ec.message()}});
      accept_retry_.expires_after(kAcceptRetryDelay);
      accept_retry_.async_wait([this](error_code) { accept(); });
      return;
    }
    accept();  // the next connection is awaited whatever becomes of this one
    if (open_connections.fetch_add(1, std::memory_order_relaxed) >= kMaxConnections) {
      open_connections.fetch_sub(1, std::memory_order_relaxed);
      return;  // `socket` closes as it goes
    }
    std::make_shared<Connection>(*this, std::move(socket))->start();
  });
}

void HttpListener::stop() {
  // The threads leave run() as soon as their handler returns; one waiting for a slow client in
  // send_all is woken by stop_fd. The pending handlers, and with them the connections, go with
  // io_ after the threads have.
  io_.stop();
  eventfd_write(stop_fd, 1);  // cannot fail: the counter is far from its maximum
  for (auto& t : threads_) t.join();
  threads_.clear();
  ::close(stop_fd);
}

HttpServer::HttpServer(const HttpOptions& options, std::map<std::string, HttpRoute> routes)
    : listener_(std::make_unique<HttpListener>(options, std::move(routes))), port_(listener_->port()) {}

HttpServer::~HttpServer() = default;

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
