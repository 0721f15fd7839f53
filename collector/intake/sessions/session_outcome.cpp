#include "collector/intake/sessions/session_outcome.h"

#include <algorithm>
#include <cctype>

namespace agentmetrics::intake {
namespace {

// A status as a label part: letters, digits and '_' only ("internal_server_error", "500").
std::string status_label(const std::string& status) {
  std::string out;
  for (const char c : status) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (out.size() >= 64) break;
  }
  return out.empty() ? "unknown" : out;
}

}  // namespace

void judge_outcome(const SessionAccount& main, SessionTask& task) {
  task.success = true;
  task.failure_type.clear();
  if (!main.ending_api_error.empty()) {
    task.failure_type = "api_error_" + status_label(main.ending_api_error);
  } else if (main.interrupted) {
    task.failure_type = "interrupted";
  } else if (main.last_test < 0) {
    task.failure_type = "test_failure";
  } else if (main.last_edit_rejected) {
    task.failure_type = "edit_rejected";
  } else if (main.correction_unanswered) {
    task.failure_type = "user_correction";
  }
  task.success = task.failure_type.empty();

  if (main.interrupted) {
    task.intervention = "interrupted";
  } else if (main.edits_rejected > 0) {
    task.intervention = "edit_rejected";
  } else if (main.tool_rejections > 0) {
    task.intervention = "tool_rejected";
  } else if (main.corrections > 0) {
    task.intervention = "user_correction";
  } else {
    task.intervention.clear();
  }
  if (main.prompts > 0) task.prompts_useful = std::max(0.0, main.prompts - main.corrections);
}

std::string approach_of(const std::map<std::string, double, std::less<>>& tools, bool ran_tests) {
  bool edit = false, shell = false, read = false, web = false, delegate = false;
  for (const auto& [name, calls] : tools) {
    if (calls <= 0) continue;
    switch (tool_kind(name)) {
      case ToolKind::kEdit: edit = true; break;
      case ToolKind::kShell: shell = true; break;
      case ToolKind::kRead: read = true; break;
      case ToolKind::kWeb: web = true; break;
      case ToolKind::kDelegate: delegate = true; break;
      case ToolKind::kOther: read = true; break;
    }
  }
  if (delegate) return "delegated";
  if (edit && ran_tests) return "edit_and_test";
  if (edit) return "edit";
  if (ran_tests) return "test";
  if (shell) return "shell";
  if (web) return "web_research";
  if (read) return "explore";
  return "answer";
}

}  // namespace agentmetrics::intake
