#include "collector/intake/sessions/claude_transcript.h"

#include <cstring>
#include <string>

#include "collector/intake/sessions/json_fields.h"

namespace agentmetrics::intake {
namespace {

constexpr std::string_view kInterrupted = "[Request interrupted by user";

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// Text a person typed, not what Claude Code put in the user's turn (slash commands' output,
// caveats, hook context).
bool typed_by_user(std::string_view text) {
  return !(starts_with(text, "<command-") || starts_with(text, "<local-command-") || starts_with(text, "Caveat: ") ||
           starts_with(text, "<system-reminder>") || starts_with(text, "<bash-") || starts_with(text, "<user-memory-input>"));
}

void prompt_text(std::string_view text, SessionAccount& account, bool main_stream) {
  if (starts_with(text, kInterrupted)) {
    account.interrupted = true;
    return;
  }
  if (main_stream && typed_by_user(text)) account.user_prompt(text);
}

std::string result_text(const nlohmann::json& block) {
  const nlohmann::json* content = member(block, "content");
  if (!content) return {};
  if (content->is_string()) return content->get<std::string>();
  if (content->is_array() && !content->empty()) return text_of(content->front(), "text");
  return {};
}

void user_record(const nlohmann::json& record, SessionAccount& account, bool main_stream) {
  const nlohmann::json* message = member(record, "message");
  const nlohmann::json* content = message ? member(*message, "content") : nullptr;
  if (!content) return;
  if (content->is_string()) {
    account.given_text(content->get_ref<const std::string&>());
    if (!flag_of(record, "isMeta")) prompt_text(content->get_ref<const std::string&>(), account, main_stream);
    return;
  }
  if (!content->is_array()) return;
  const nlohmann::json* decision = member(record, "permissionDecision");
  const bool rejected = text_of(record, "toolDenialKind") == "user-rejected" || (decision && text_of(*decision, "decision") == "reject");
  for (const auto& block : *content) {
    const std::string type = text_of(block, "type");
    if (type == "text") {
      account.given_text(text_of(block, "text"));
      if (!flag_of(record, "isMeta")) prompt_text(text_of(block, "text"), account, main_stream);
    } else if (type == "tool_result") {
      const std::string text = result_text(block);
      using R = SessionAccount::ToolResult;
      R result = flag_of(block, "is_error") ? R::kFailed : R::kSucceeded;
      if (starts_with(text, kInterrupted)) account.interrupted = true;
      if (rejected || starts_with(text, "The user doesn't want to proceed with this tool use") || starts_with(text, kInterrupted))
        result = R::kRejected;
      account.tool_finished(text_of(block, "tool_use_id"), result, text);
    }
  }
}

// The lines an edit tool's input proposes.
double claude_proposed_lines(const std::string& tool, const nlohmann::json& input) {
  if (tool == "Write") return count_lines(text_of(input, "content"));
  if (tool == "Edit") return count_lines(text_of(input, "new_string"));
  if (tool == "NotebookEdit") return count_lines(text_of(input, "new_source"));
  double lines = 0;
  if (const nlohmann::json* edits = member(input, "edits"); edits && edits->is_array()) {
    for (const auto& e : *edits) lines += count_lines(text_of(e, "new_string"));
  }
  return lines;
}

void assistant_record(const nlohmann::json& record, SessionAccount& account, bool main_stream) {
  const nlohmann::json* message = member(record, "message");
  if (!message) return;
  const std::string model = text_of(*message, "model");
  if (model == "<synthetic>") {
    // What Claude Code writes after a request failed for good: the error, no response.
    if (flag_of(record, "isApiErrorMessage")) {
      const double status = count_of(record, "apiErrorStatus");
      account.api_error(status > 0 ? std::to_string(static_cast<int>(status)) : "error", true);
    }
    return;
  }
  const std::string key = text_of(*message, "id") + "\n" + text_of(record, "requestId");
  if (const nlohmann::json* usage = member(*message, "usage"); usage && !account.seen_response(key)) {
    account.add_usage(model, {count_of(*usage, "input_tokens"), count_of(*usage, "output_tokens"),
                              count_of(*usage, "cache_read_input_tokens"), count_of(*usage, "cache_creation_input_tokens")});
    account.answered();
  }
  const nlohmann::json* content = member(*message, "content");
  if (!content || !content->is_array()) return;
  for (const auto& block : *content) {
    const std::string type = text_of(block, "type");
    if (type == "tool_use") {
      const std::string name = text_of(block, "name");
      const nlohmann::json* input = member(block, "input");
      const nlohmann::json none;
      const nlohmann::json& in = input ? *input : none;
      account.tool_called(text_of(block, "id"), name, text_of(in, "command"), claude_proposed_lines(name, in));
    } else if (type == "text") {
      const std::string text = text_of(block, "text");
      account.agent_text(text);
      if (main_stream) account.set_snippet(text);
    }
  }
}

}  // namespace

bool claude_record_needed(std::string_view type, std::string_view line) {
  // Attachments are most of a transcript (a snapshot of the prompt and tools each turn): only a
  // hook's context is parsed.
  constexpr std::string_view kHookContext = "\"hook_additional_context\"";
  if (type == "attachment") return memmem(line.data(), line.size(), kHookContext.data(), kHookContext.size()) != nullptr;
  return type == "user" || type == "assistant" || type == "system" || type == "cost-state";
}

void read_claude_record(const nlohmann::json& record, SessionAccount& account, bool main_stream) {
  const std::string type = text_of(record, "type");
  if (type == "attachment") {
    const nlohmann::json* attachment = member(record, "attachment");
    const nlohmann::json* content =
        attachment && text_of(*attachment, "type") == "hook_additional_context" ? member(*attachment, "content") : nullptr;
    if (content && content->is_array()) {
      for (const auto& part : *content) {
        if (part.is_string()) account.given_text(part.get_ref<const std::string&>());
      }
    }
    return;
  }
  if (!claude_record_needed(type, {})) return;
  account.saw_time(time_of(record, "timestamp"));
  if (account.project.empty()) {
    if (const std::string cwd = text_of(record, "cwd"); !cwd.empty()) account.project = directory_name(cwd);
  }
  if (const std::string branch = text_of(record, "gitBranch"); !branch.empty() && branch != "HEAD") account.git_branch = branch;
  if (type == "user") {
    user_record(record, account, main_stream);
  } else if (type == "assistant") {
    assistant_record(record, account, main_stream);
  } else if (type == "system") {
    if (text_of(record, "subtype") == "api_error") {
      const nlohmann::json* error = member(record, "error");
      const double status = error ? count_of(*error, "status") : 0;
      account.api_error(status > 0 ? std::to_string(static_cast<int>(status)) : "error", false);
    }
  } else if (type == "cost-state" && main_stream) {
    if (const nlohmann::json* cost = member(record, "totalCostUSD"); cost && cost->is_number())
      account.report_cost(count_of(record, "totalCostUSD"));
  }
}

}  // namespace agentmetrics::intake
