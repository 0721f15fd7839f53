// `cm doctor`: checks the configuration, the store, the learning tables, FTS5, the history
// index, the last reflection, the playbook and the collector, and says how to fix each problem.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace agentmetrics::learning {

struct DoctorInput {
  std::string config_path;   // empty: none found
  std::string config_error;  // non-empty: the configuration is invalid
  std::string store_path;
  std::string listen_address;  // the collector's, from the configuration (":9090")
  double reflection_interval_seconds = 86400;
};

// {"status": "ok"|"warn"|"error", "checks": [{"name", "status", "message", "fix"?}]}, and the
// exit code of the first error (0 without one).
struct DoctorReport {
  nlohmann::ordered_json data;
  int exit_code = 0;
};

DoctorReport run_doctor(const DoctorInput& input);

// GET /health on the collector's address; the HTTP status, or nullopt when unreachable.
std::optional<int> collector_health(const std::string& listen_address, int timeout_ms, std::string* error);

}  // namespace agentmetrics::learning
