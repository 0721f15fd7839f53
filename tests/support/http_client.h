// A blocking HTTP GET for tests, on libcurl.
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

}  // namespace agentmetrics::testing
