// Helpers of the deployment tests: the repository's files, commands run to completion, a real
// Prometheus server on loopback, and a trace of the system calls agentmetricsd makes.
#pragma once

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"
#include "process.h"
#include "temp_dir.h"
#include "test_paths.h"

namespace agentmetrics::deploytest {

using agentmetrics::testing::exit_code;
using agentmetrics::testing::http_get;
using agentmetrics::testing::Process;
using agentmetrics::testing::TempDir;

inline const std::string kRepoDir = AM_REPO_DIR;
inline const std::string kDeployDir = AM_REPO_DIR "/deploy";
inline const std::string kBuildDir = AM_BUILD_DIR;
inline const std::string kAmtool = AM_AMTOOL;
inline const std::string kSystemdAnalyze = AM_SYSTEMD_ANALYZE;
inline const std::string kStrace = AM_STRACE;

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  if (!out) throw std::runtime_error("cannot write " + path);
  out << text;
}

struct CommandResult {
  int code = -1;       // exit code, or -signal
  std::string output;  // stdout and stderr together
};

// Runs argv (an absolute program path first) to completion.
inline CommandResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
                         std::chrono::seconds timeout = std::chrono::seconds(60)) {
  Process p(argv, env);
  auto status = p.wait(timeout);
  CommandResult r;
  r.output = p.output();
  if (!status) {
    r.output += "\n[still running after the timeout; killed]";
    return r;
  }
  r.code = exit_code(*status);
  return r;
}

inline CommandResult shell(const std::string& script, const std::map<std::string, std::string>& env = {},
                           std::chrono::seconds timeout = std::chrono::seconds(60)) {
  return run({"/bin/sh", "-c", script}, env, timeout);
}

inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

inline std::string url_encode(const std::string& s) {
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

// A real Prometheus (Debian's package) scraping the given targets every second.
class PrometheusServer {
 public:
  explicit PrometheusServer(const std::vector<std::pair<std::string, int>>& jobs) : port_(free_port()) {
    const std::string config = dir_.path() + "/prometheus.yml";
    std::ostringstream out;
    out << "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\nscrape_configs:\n";
    for (const auto& [job, target_port] : jobs) {
      out << "  - job_name: " << job << "\n    static_configs:\n      - targets: ['127.0.0.1:" << target_port << "']\n";
    }
    write_file(config, out.str());
    process_ = std::make_unique<Process>(std::vector<std::string>{
        agentmetrics::testing::kPrometheusBinary, "--config.file=" + config, "--storage.tsdb.path=" + dir_.path() + "/data",
        "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      if (http_get(url("/-/ready")).status == 200) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    throw std::runtime_error("prometheus did not become ready:\n" + process_->output());
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

  // The whole answer of the instant-query API: {"status": ..., "data": {"result": [...]}} or
  // {"status": "error", "errorType": ..., "error": ...}.
  nlohmann::json query(const std::string& promql) const {
    auto r = http_get(url("/api/v1/query?query=" + url_encode(promql)));
    if (r.body.empty()) return {{"status", "error"}, {"error", "no answer: " + r.error}};
    try {
      return nlohmann::json::parse(r.body);
    } catch (const std::exception& e) {
      return {{"status", "error"}, {"error", std::string("not JSON: ") + e.what() + ": " + r.body}};
    }
  }
  nlohmann::json result(const std::string& promql) const {
    auto j = query(promql);
    if (j.value("status", "") != "success") return nlohmann::json::array();
    return j["data"]["result"];
  }

 private:
  TempDir dir_;
  int port_;
  std::unique_ptr<Process> process_;
};

// The system calls agentmetricsd made (strace -f) while it collected, stored, served and
// alerted: the set a seccomp profile or systemd's SystemCallFilter must allow.
std::set<std::string> traced_collector_syscalls(std::string* diagnostics);

}  // namespace agentmetrics::deploytest
