// `cm doctor`: checks the configuration, the store (a team's PostgreSQL when store.url names one),
// the learning tables, FTS5, the history index, the last reflection, the playbook, the collector and opencode's set-up for its plugin,
// and says how to fix each problem.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace agentmetrics::learning {

struct DoctorInput {
  std::string config_path;   // empty: none found
  std::string config_error;  // non-empty: the configuration is invalid
  std::string store_path;
  std::string store_url;       // a team store (store.url): checked instead of the file at store_path
  std::string listen_address;  // the collector's, from the configuration (":9090")
  double reflection_interval_seconds = 86400;
  std::vector<std::string> opencode_config_dirs;  // opencode_setup.h; empty: not checked
};

enum class CheckStatus { kOk, kWarn, kError };
std::string_view to_string(CheckStatus status);  // "ok", "warn", "error"

struct DoctorCheck {
  std::string name;  // configuration, fts5, store, learning_schema, ...
  CheckStatus status = CheckStatus::kOk;
  std::string message;
  std::string fix;  // empty for a check that passed
};

struct DoctorReport {
  std::string store;
  std::vector<DoctorCheck> checks;
  int exit_code = 0;  // of the first error; 0 without one

  CheckStatus status() const;  // the worst of the checks
};

// {"status": "ok"|"warn"|"error", "store", "checks": [{"name", "status", "message", "fix"?}]}
nlohmann::ordered_json to_json(const DoctorReport& report);

DoctorReport run_doctor(const DoctorInput& input);

// GET /health on the collector's address; the HTTP status, or nullopt when unreachable.
std::optional<int> collector_health(const std::string& listen_address, int timeout_ms, std::string* error);

}  // namespace agentmetrics::learning
