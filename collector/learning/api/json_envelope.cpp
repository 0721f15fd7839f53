#include "collector/learning/api/json_envelope.h"

#include <chrono>

#include "collector/learning/text_tokens.h"
#include "ipc/timestamp.h"

#ifndef AGENTMETRICS_VERSION
#define AGENTMETRICS_VERSION "0.0.0"
#endif

namespace agentmetrics::learning {
namespace {

std::string timestamp() { return ipc::format_timestamp(std::chrono::system_clock::now()); }

nlohmann::ordered_json metadata(double execution_ms) {
  return {{"executionMs", round_to(execution_ms, 2)}, {"version", learning_version()}};
}

}  // namespace

std::string_view learning_version() { return AGENTMETRICS_VERSION; }

nlohmann::ordered_json success_envelope(std::string_view command, nlohmann::ordered_json data, double execution_ms) {
  return {
      {"success", true}, {"command", command}, {"timestamp", timestamp()}, {"data", std::move(data)}, {"metadata", metadata(execution_ms)}};
}

nlohmann::ordered_json error_json(const LearningError& error) {
  return {{"message", error.what()}, {"code", error.code()}, {"exitCode", error.exit_code()}, {"recovery", error.recovery()}};
}

nlohmann::ordered_json error_envelope(std::string_view command, const LearningError& error, double execution_ms) {
  return {{"success", false},
          {"command", command},
          {"timestamp", timestamp()},
          {"error", error_json(error)},
          {"metadata", metadata(execution_ms)}};
}

}  // namespace agentmetrics::learning
