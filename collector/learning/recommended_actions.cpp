#include "collector/learning/recommended_actions.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "collector/learning/learning_error.h"
#include "collector/learning/text_tokens.h"

namespace agentmetrics::learning {
namespace {

LearningError config_error(const std::string& message) {
  return LearningError(ErrorCategory::kConfig, "ACTIONS_INVALID", message,
                       {R"(write the actions file as {"actions": [{"stage": "test", "failure_type": "timeout", "action": "..."}]})"});
}

void replace_all(std::string& text, std::string_view from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) text.replace(at, from.size(), to);
}

}  // namespace

RecommendedActions::RecommendedActions() {
  set("*", "*",
      "Reproduce the {failure_type} failures of the {stage} stage locally, find their common cause, and add a check that "
      "catches it before the {stage} stage");
  set("*", "test_failure",
      "Run the failing tests locally and read the first failure before changing code; fix the cause, not the assertion");
  set("*", "flaky_test", "Quarantine flaky tests and fix their timing or ordering dependence; retries only hide them");
  set("*", "build_error",
      "Build locally with the same flags as CI before pushing; check changed includes, dependencies and generated files first");
  set("*", "compile_error", "Compile locally with warnings as errors before pushing; fix the first error first");
  set("*", "lint_error", "Run the linter and formatter locally (a pre-commit hook) before committing");
  set("*", "type_error", "Run the type checker locally and fix type errors before running tests");
  set("*", "timeout", "Split long steps, cache dependencies and set explicit timeouts; look for hung processes and network waits");
  set("*", "oom", "Lower the memory peak (smaller batches, streaming) or raise the limit where the job runs");
  set("*", "out_of_memory", "Lower the memory peak (smaller batches, streaming) or raise the limit where the job runs");
  set("*", "dependency_error", "Pin dependency versions and refresh the lock file in its own change");
  set("*", "merge_conflict", "Rebase on the main branch often and keep changes small to avoid conflicts");
  set("*", "network_error", "Retry network calls with backoff and mirror external dependencies");
  set("*", "permission_denied", "Check file modes, tokens and service accounts of the {stage} stage before running it");
  set("*", "security_scan", "Run the security scanner locally and update vulnerable dependencies before pushing");
  set("*", "coverage_drop", "Add tests for the changed code before pushing; check the coverage report for the uncovered lines");
  set("deploy", "*", "Deploy to staging first, check health and readiness, and keep the rollback path ready");
  set("deploy", "rollback", "Deploy behind a feature flag or canary and watch error rates before the full rollout");
  set("deploy", "health_check_failed", "Check the readiness and health endpoints of the new version in staging before deploying");
  set("review", "*", "Keep pull requests small and explain the change in the description before asking for review");
}

void RecommendedActions::set(std::string stage, std::string failure_type, std::string action) {
  table_[{std::move(stage), std::move(failure_type)}] = std::move(action);
}

void RecommendedActions::merge_json(const nlohmann::ordered_json& document) {
  if (!document.is_object() || !document.contains("actions") || !document["actions"].is_array()) {
    throw config_error("the actions table must be an object with an \"actions\" array");
  }
  std::size_t index = 0;
  for (const auto& entry : document["actions"]) {
    const std::string where = "actions[" + std::to_string(index++) + "]";
    if (!entry.is_object()) throw config_error(where + " must be an object");
    auto text = [&](const char* key, bool required) -> std::string {
      if (!entry.contains(key)) {
        if (required) throw config_error(where + "." + key + " is missing");
        return "*";
      }
      if (!entry[key].is_string() || entry[key].get<std::string>().empty())
        throw config_error(where + "." + key + " must be a non-empty string");
      return entry[key].get<std::string>();
    };
    const std::string stage = text("stage", false), failure_type = text("failure_type", false), action = text("action", true);
    set(stage, failure_type, action);
  }
}

void RecommendedActions::merge_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    throw LearningError(ErrorCategory::kConfig, "ACTIONS_UNREADABLE", "cannot read the actions file " + path,
                        {"check the path given by --actions or AGENTMETRICS_LEARNING_ACTIONS"});
  }
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::ordered_json document;
  try {
    document = nlohmann::ordered_json::parse(text.str());
  } catch (const nlohmann::ordered_json::exception& e) {  // parse_error, or out_of_range for a number like 1e999
    throw config_error("the actions file " + path + " is not valid JSON: " + e.what());
  }
  merge_json(document);
}

std::string RecommendedActions::action_for(std::string_view stage, std::string_view failure_type) const {
  const std::pair<std::string, std::string> keys[] = {
      {std::string(stage), std::string(failure_type)}, {"*", std::string(failure_type)}, {std::string(stage), "*"}, {"*", "*"}};
  for (const auto& key : keys) {
    if (auto it = table_.find(key); it != table_.end()) {
      std::string action = it->second;
      replace_all(action, "{stage}", humanize(stage));
      replace_all(action, "{failure_type}", humanize(failure_type));
      return action;
    }
  }
  return {};
}

}  // namespace agentmetrics::learning
