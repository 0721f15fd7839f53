#include "tests/support/prometheus_server.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"

namespace agentmetrics::testing {

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  const bool bound =
      ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 && ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  ::close(fd);
  if (!bound) throw std::runtime_error(std::string("free_port: no loopback port: ") + std::strerror(errno));
  return ntohs(addr.sin_port);
}

std::string url_encode(const std::string& s) {
  std::string out;
  const char* hex = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

PrometheusServer::PrometheusServer(const std::vector<ScrapeJob>& jobs, const std::vector<std::string>& flags) : port_(free_port()) {
  const std::string config = dir_.path() + "/prometheus.yml";
  {
    std::ofstream out(config);
    out << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nscrape_configs:\n";
    for (const auto& job : jobs) {
      out << "  - job_name: " << job.name << "\n"
          << job.settings << "    static_configs:\n      - targets: ['127.0.0.1:" << job.port << "']\n";
    }
    if (!out) throw std::runtime_error("cannot write " + config);
  }
  std::vector<std::string> command{kPrometheusBinary, "--config.file=" + config, "--storage.tsdb.path=" + dir_.path() + "/data",
                                   "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"};
  command.insert(command.end(), flags.begin(), flags.end());
  process_ = std::make_unique<Process>(command);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (http_get(url("/-/ready")).status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  throw std::runtime_error("prometheus did not become ready:\n" + process_->output());
}

std::string PrometheusServer::url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

nlohmann::json PrometheusServer::query(const std::string& promql) const {
  auto r = http_get(url("/api/v1/query?query=" + url_encode(promql)));
  if (r.body.empty()) return {{"status", "error"}, {"error", "no answer: " + r.error}};
  try {
    return nlohmann::json::parse(r.body);
  } catch (const std::exception& e) {
    return {{"status", "error"}, {"error", std::string("not JSON: ") + e.what() + ": " + r.body}};
  }
}

nlohmann::json PrometheusServer::result(const std::string& promql) const {
  auto j = query(promql);
  if (j.value("status", "") != "success") return nlohmann::json::array();
  return j["data"]["result"];
}

nlohmann::json PrometheusServer::wait_for(const std::string& promql, std::size_t want) const {
  nlohmann::json last;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    last = result(promql);
    if (last.size() == want) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return last;
}

}  // namespace agentmetrics::testing
