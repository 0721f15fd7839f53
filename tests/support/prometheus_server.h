// A real Prometheus server (Debian's package) on loopback, scraping the given targets every
// second, and what the tests ask of its HTTP API.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::testing {

// A loopback TCP port free at the time of asking.
int free_port();
// Percent-encodes everything but unreserved characters (RFC 3986).
std::string url_encode(const std::string& s);

// A scrape job of 127.0.0.1:port; `settings` are more of the job's YAML lines (indented by
// four spaces), e.g. "    scheme: https\n".
struct ScrapeJob {
  std::string name;
  int port;
  std::string settings = {};
};

class PrometheusServer {
 public:
  // One scrape job each; waits until Prometheus is ready. `flags` are added to its command
  // line (--enable-feature=native-histograms).
  explicit PrometheusServer(const std::vector<ScrapeJob>& jobs, const std::vector<std::string>& flags = {});

  std::string url(const std::string& path) const;
  // The whole answer of the instant-query API: {"status": ..., "data": {"result": [...]}} or
  // {"status": "error", "errorType": ..., "error": ...}.
  nlohmann::json query(const std::string& promql) const;
  // The instant query's result vector (empty on error).
  nlohmann::json result(const std::string& promql) const;
  // Polls a query for up to 30 s until it returns `want` series; returns the last result.
  nlohmann::json wait_for(const std::string& promql, std::size_t want) const;

 private:
  TempDir dir_;
  int port_;
  std::unique_ptr<Process> process_;
};

}  // namespace agentmetrics::testing
