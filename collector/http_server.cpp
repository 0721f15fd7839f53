#include "http_server.h"

#include <civetweb.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "log.h"

namespace agentmetrics::collector {
namespace {

bool valid_port(std::string_view text) {
  int port = -1;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  return ec == std::errc() && end == text.data() + text.size() && port >= 0 && port <= 65535;
}

int log_civetweb_message(const mg_connection*, const char* message) {
  log(LogLevel::kDebug, "http", {{"detail", message}});
  return 1;  // handled: civetweb prints nothing itself
}

}  // namespace

std::string HttpRequest::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

std::string to_civetweb_listening_port(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("listen address '" + address + "' is not HOST:PORT");
  const std::string host = address.substr(0, colon);
  const std::string port = address.substr(colon + 1);
  if (!valid_port(port)) throw std::invalid_argument("listen address '" + address + "' has no valid port (0-65535)");
  if (host.empty() || host == "0.0.0.0") return port;
  if (host.front() == '[' && host.back() == ']') return host + ":" + port;
  if (host.find(':') != std::string::npos) throw std::invalid_argument("IPv6 address in '" + address + "' must be written [ADDR]:PORT");
  if (host == "localhost") return "127.0.0.1:" + port;
  return host + ":" + port;
}

HttpServer::HttpServer(const HttpOptions& options, std::map<std::string, HttpHandler> routes) : routes_(std::move(routes)) {
  static std::once_flag library_once;
  std::call_once(library_once, [] { mg_init_library(0); });
  const std::string ports = to_civetweb_listening_port(options.listen_address);
  const std::string threads = std::to_string(options.threads);
  const std::string timeout = std::to_string(options.request_timeout_ms);
  const std::string max_request = std::to_string(options.max_request_bytes);
  const char* civet_options[] = {"listening_ports", ports.c_str(), "num_threads", threads.c_str(),
                                 "request_timeout_ms", timeout.c_str(), "keep_alive_timeout_ms", timeout.c_str(),
                                 "enable_keep_alive", "yes", "max_request_size", max_request.c_str(),
                                 "connection_queue", "64", "listen_backlog", "64",
                                 nullptr};
  mg_callbacks callbacks{};
  callbacks.log_message = log_civetweb_message;
  mg_init_data init{};
  init.callbacks = &callbacks;
  init.user_data = this;
  init.configuration_options = civet_options;
  mg_error_data error{};
  char error_text[256] = {0};
  error.text = error_text;
  error.text_buffer_size = sizeof(error_text);
  context_ = mg_start2(&init, &error);
  if (!context_) throw std::runtime_error("cannot listen on " + options.listen_address + ": " + error_text);
  for (const auto& [path, handler] : routes_) mg_set_request_handler(context_, path.c_str(), dispatch, this);
  mg_server_port bound[4]{};
  if (mg_get_server_ports(context_, 4, bound) > 0) port_ = bound[0].port;
}

HttpServer::~HttpServer() {
  if (context_) mg_stop(context_);
}

int HttpServer::dispatch(mg_connection* conn, void* self) {
  // No exception may unwind through civetweb's C frames.
  try {
    return static_cast<HttpServer*>(self)->serve(conn);
  } catch (const std::exception& e) {
    log(LogLevel::kError, "request failed while answering", {{"error", e.what()}});
    return 500;
  }
}

int HttpServer::serve(mg_connection* conn) {
  HttpServer* server = this;
  const mg_request_info* info = mg_get_request_info(conn);
  HttpRequest request;
  request.method = info->request_method ? info->request_method : "";
  request.path = info->local_uri ? info->local_uri : "";
  for (int i = 0; i < info->num_headers; ++i) {
    std::string name = info->http_headers[i].name;
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    request.headers[name] = info->http_headers[i].value ? info->http_headers[i].value : "";
  }
  auto route = server->routes_.find(request.path);
  HttpResponse response;
  if (route == server->routes_.end()) {
    response = HttpResponse{404, "text/plain; charset=utf-8", {}, "not found\n"};
  } else if (request.method != "GET" && request.method != "HEAD") {
    response = HttpResponse{405, "text/plain; charset=utf-8", {{"Allow", "GET, HEAD"}}, "method not allowed\n"};
  } else {
    try {
      response = route->second(request);
    } catch (const std::exception& e) {
      log(LogLevel::kError, "request failed", {{"path", request.path}, {"error", e.what()}});
      response = HttpResponse{500, "text/plain; charset=utf-8", {}, "internal error\n"};
    }
  }
  mg_response_header_start(conn, response.status);
  mg_response_header_add(conn, "Content-Type", response.content_type.c_str(), -1);
  const std::string length = std::to_string(response.body.size());
  if (response.stream) {
    mg_response_header_add(conn, "Transfer-Encoding", "chunked", -1);
  } else {
    mg_response_header_add(conn, "Content-Length", length.c_str(), -1);
  }
  for (const auto& [name, value] : response.headers) mg_response_header_add(conn, name.c_str(), value.c_str(), -1);
  mg_response_header_send(conn);
  if (request.method == "HEAD") return response.status;
  if (response.stream) {
    response.stream([conn](std::string_view piece) {
      return piece.empty() || mg_send_chunk(conn, piece.data(), static_cast<unsigned>(piece.size())) > 0;
    });
    mg_send_chunk(conn, "", 0);  // the last chunk: the body ends here
  } else {
    mg_write(conn, response.body.data(), response.body.size());
  }
  return response.status;
}

}  // namespace agentmetrics::collector
