// cass_memory's JSON wrapper around every answer:
//   {"success": true, "command": "...", "timestamp": "...", "data": {...},
//    "metadata": {"executionMs": 3.2, "version": "0.1.0"}}
//   {"success": false, "command": "...", "timestamp": "...",
//    "error": {"message": "...", "code": "UNKNOWN_RULE", "exitCode": 2, "recovery": ["..."]},
//    "metadata": {...}}
// Exit codes: 1 internal, 2 input, 3 config, 4 filesystem.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "collector/learning/learning_error.h"

namespace agentmetrics::learning {

// The version of agentmetrics the answers report.
std::string_view learning_version();

nlohmann::ordered_json success_envelope(std::string_view command, nlohmann::ordered_json data, double execution_ms);
nlohmann::ordered_json error_envelope(std::string_view command, const LearningError& error, double execution_ms);
// Just the "error" object.
nlohmann::ordered_json error_json(const LearningError& error);

}  // namespace agentmetrics::learning
