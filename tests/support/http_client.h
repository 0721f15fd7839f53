// Blocking HTTP GET and POST for tests, on libcurl.
#pragma once

#include <map>
#include <string>

namespace agentmetrics::testing {

struct HttpResult {
  long status = 0;  // 0 when the request failed (connection refused, timeout)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;
};

HttpResult http_get(const std::string& url, const std::map<std::string, std::string>& request_headers = {});
// A POST of `body` as it is (libcurl adds no Content-Type the headers do not name).
HttpResult http_post(const std::string& url, const std::string& body, const std::map<std::string, std::string>& request_headers = {});

}  // namespace agentmetrics::testing
