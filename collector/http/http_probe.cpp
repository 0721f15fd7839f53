#include "collector/http/http_probe.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace agentmetrics::collector {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

ProbeResult probe_http(const ListenAddress& address, const std::string& target, std::chrono::milliseconds timeout) {
  std::string host = address.host;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";

  boost::asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, host);
  request.set(http::field::connection, "close");
  beast::flat_buffer buffer;
  // Only the status is wanted: a body beyond a few kilobytes is not read.
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024);
  ProbeResult result;
  auto failed = [&result](const char* step, const beast::error_code& ec) { result.error = std::string(step) + ": " + ec.message(); };

  resolver.async_resolve(host, std::to_string(address.port), [&](const beast::error_code& ec, const tcp::resolver::results_type& found) {
    if (ec) return failed("resolve", ec);
    stream.async_connect(found, [&](const beast::error_code& connect_error, const tcp::endpoint&) {
      if (connect_error) return failed("connect", connect_error);
      http::async_write(stream, request, [&](const beast::error_code& write_error, std::size_t) {
        if (write_error) return failed("write", write_error);
        http::async_read(stream, buffer, parser, [&](const beast::error_code& read_error, std::size_t) {
          if (read_error) return failed("read", read_error);
          result.status = static_cast<int>(parser.get().result_int());
        });
      });
    });
  });
  io.run_for(timeout);
  if (!result.status && result.error.empty()) result.error = "no answer within " + std::to_string(timeout.count()) + " ms";
  return result;
}

}  // namespace agentmetrics::collector
