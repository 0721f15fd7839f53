// Helpers of the deployment tests: the repository's files, commands run to completion, a real
// Prometheus server on loopback, and a trace of the system calls agentmetricsd makes.
#pragma once

#include <gtest/gtest.h>

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

#include "tests/support/http_client.h"
#include "tests/support/process.h"
#include "tests/support/prometheus_server.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certificates.h"
#include "tests/support/collector_process.h"
#include "tests/support/test_paths.h"

namespace agentmetrics::deploytest {

using agentmetrics::testing::exit_code;
using agentmetrics::testing::free_port;
using agentmetrics::testing::http_get;
using agentmetrics::testing::Process;
using agentmetrics::testing::PrometheusServer;
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

using agentmetrics::testing::CommandResult;

inline CommandResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
                         std::chrono::seconds timeout = std::chrono::seconds(60)) {
  return agentmetrics::testing::run_command(argv, env, timeout);
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

// The system calls agentmetricsd made (strace -f) while it collected, stored, served and
// alerted: the set a seccomp profile or systemd's SystemCallFilter must allow.
std::set<std::string> traced_collector_syscalls(std::string* diagnostics);

}  // namespace agentmetrics::deploytest
