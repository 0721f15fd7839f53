// Raw HTTP over a loopback socket, for requests no well-behaved client would send (malformed
// request lines, oversized headers, other methods) and for reading a body exactly as sent
// (compressed bodies, which libcurl would decode).
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace agentmetrics::testing {

struct RawResponse {
  int status = 0;                              // 0 when the server closed without answering
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // decoded from chunks when the response was chunked
  bool closed_by_server = false;               // the server closed the connection before the timeout
};

// Sends `request` as is to 127.0.0.1:`port` and reads until the server closes the connection
// or `timeout` passes (the request should carry "Connection: close").
RawResponse raw_http(int port, const std::string& request, std::chrono::milliseconds timeout = std::chrono::seconds(10));

// "GET <path> HTTP/1.1" with Host, Connection: close and the given headers.
std::string get_request(const std::string& path, const std::map<std::string, std::string>& headers = {});

// Inflates a gzip member; throws std::runtime_error if it is not valid gzip.
std::string gunzip(const std::string& data);

}  // namespace agentmetrics::testing
