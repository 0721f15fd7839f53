// The collector's HTTP listener, on civetweb. Routes map an exact path to a handler that
// returns a whole response; civetweb parses requests and enforces the connection limits.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

struct mg_context;
struct mg_connection;

namespace agentmetrics::collector {

struct HttpRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // lower-case names; only the ones handlers use
  std::string header(const std::string& lower_name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the body is not `body`: it is written piece by piece by `stream` and sent in
  // chunks (Transfer-Encoding: chunked), so a large body never exists whole. The writer it is
  // given returns false once the client is gone.
  std::function<void(const std::function<bool(std::string_view)>& write)> stream = nullptr;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpOptions {
  std::string listen_address = ":9090";  // HOST:PORT, [V6]:PORT or :PORT (all interfaces)
  int threads = 8;                     // connections served at once; more wait in the queue
  int request_timeout_ms = 10000;      // a client slower than this is disconnected
  std::size_t max_request_bytes = 16384;  // request line and headers; larger gets 413
};

class HttpServer {
 public:
  // Starts listening; throws std::runtime_error with civetweb's reason if it cannot.
  HttpServer(const HttpOptions& options, std::map<std::string, HttpHandler> routes);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port actually bound (useful with port 0).
  int port() const { return port_; }

 private:
  static int dispatch(mg_connection* conn, void* self);
  int serve(mg_connection* conn);

  std::map<std::string, HttpHandler> routes_;
  mg_context* context_ = nullptr;
  int port_ = 0;
};

// "HOST:PORT" as civetweb wants it ("127.0.0.1:9090", "[::1]:9090", "9090" for all
// interfaces). Throws std::invalid_argument with the reason.
std::string to_civetweb_listening_port(const std::string& listen_address);

}  // namespace agentmetrics::collector
