#include "collector/intake/sessions/codex_rollout.h"

#include "collector/intake/sessions/json_fields.h"
#include "collector/intake/sessions/tool_kinds.h"

namespace agentmetrics::intake {
namespace {

// What a thread's token_count says, in our terms (input without the cached part).
TokenCounts thread_total(const nlohmann::json& usage) {
  const double input = count_of(usage, "input_tokens"), cached = count_of(usage, "cached_input_tokens");
  return {input > cached ? input - cached : 0, count_of(usage, "output_tokens"), cached, count_of(usage, "cache_write_input_tokens")};
}

void token_count(const nlohmann::json& payload, SessionAccount& account) {
  const nlohmann::json* info = member(payload, "info");
  const nlohmann::json* total = info ? member(*info, "total_token_usage") : nullptr;
  if (!total) return;
  const TokenCounts now = thread_total(*total);
  const TokenCounts& before = account.cumulative;
  TokenCounts delta{now.input - before.input, now.output - before.output, now.cache_read - before.cache_read,
                    now.cache_creation - before.cache_creation};
  if (delta.input < 0 || delta.output < 0 || delta.cache_read < 0 || delta.cache_creation < 0) delta = now;  // a count started anew
  account.cumulative = now;
  if (delta.total() <= 0) return;  // the same total written again
  account.add_usage("", delta);
  account.answered();
}

std::string output_text(const nlohmann::json& payload) {
  const nlohmann::json* output = member(payload, "output");
  if (!output) return {};
  if (output->is_string()) return output->get<std::string>();
  return text_of(*output, "content");
}

void tool_output(const nlohmann::json& payload, SessionAccount& account) {
  const std::string text = output_text(payload);
  using R = SessionAccount::ToolResult;
  R result = R::kSucceeded;
  if (const nlohmann::json* output = member(payload, "output"); output && output->is_object()) {
    if (const nlohmann::json* ok = member(*output, "success"); ok && ok->is_boolean() && !ok->get<bool>()) result = R::kFailed;
  }
  const int code = output_exit_code(text);
  if (code > 0) result = R::kFailed;
  if (text.find("rejected by user") != std::string::npos || text.find("declined by user") != std::string::npos) result = R::kRejected;
  account.tool_finished(text_of(payload, "call_id"), result, text);
}

std::string shell_command(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  std::string out;
  if (value.is_array()) {
    for (const auto& part : value) {
      if (part.is_string()) out += (out.empty() ? "" : " ") + part.get<std::string>();
    }
  }
  return out;
}

void function_call(const nlohmann::json& payload, SessionAccount& account) {
  std::string command;
  const nlohmann::json arguments = nlohmann::json::parse(text_of(payload, "arguments"), nullptr, false);
  if (arguments.is_object()) {
    if (const nlohmann::json* cmd = member(arguments, "cmd")) command = shell_command(*cmd);
    if (const nlohmann::json* cmd = member(arguments, "command")) command = shell_command(*cmd);
  }
  account.tool_called(text_of(payload, "call_id"), text_of(payload, "name"), command, 0);
}

// Lines an apply_patch adds.
double patch_lines(std::string_view patch) {
  double lines = 0;
  std::size_t at = 0;
  while (at < patch.size()) {
    const std::size_t end = std::min(patch.find('\n', at), patch.size());
    if (patch[at] == '+' && patch.substr(at, 3) != "+++") lines += 1;
    at = end + 1;
  }
  return lines;
}

void prompt(std::string_view text, SessionAccount& account) {
  if (!text.empty()) account.user_prompt(text);
}

void event_msg(const nlohmann::json& payload, SessionAccount& account) {
  const std::string type = text_of(payload, "type");
  if (type == "token_count") {
    token_count(payload, account);
  } else if (type == "task_complete") {
    if (const nlohmann::json* error = member(payload, "error"); error && !error->is_null()) {
      if (account.ending_api_error.empty()) {
        const std::string info = text_of(*error, "codex_error_info");
        account.api_error(info.empty() ? "error" : info, true);
      }
    } else {
      account.answered();
    }
    if (const std::string last = text_of(payload, "last_agent_message"); !last.empty()) account.set_snippet(last);
  } else if (type == "turn_aborted") {
    account.interrupted = true;
  } else if (type == "user_message") {
    prompt(text_of(payload, "message"), account);
  } else if (type == "item_completed") {
    const nlohmann::json* item = member(payload, "item");
    if (!item || text_of(*item, "type") != "UserMessage") return;
    std::string text;
    if (const nlohmann::json* content = member(*item, "content"); content && content->is_array()) {
      for (const auto& part : *content) text += text_of(part, "text");
    }
    prompt(text, account);
  } else if (type == "error") {
    const std::string info = text_of(payload, "codex_error_info");
    account.api_error(info.empty() ? "error" : info, true);
  } else if (type == "stream_error") {
    account.api_error("stream_error", false);
  }
}

void response_item(const nlohmann::json& payload, SessionAccount& account) {
  const std::string type = text_of(payload, "type");
  if (type == "function_call") {
    function_call(payload, account);
  } else if (type == "custom_tool_call") {
    account.tool_called(text_of(payload, "call_id"), text_of(payload, "name"), "", patch_lines(text_of(payload, "input")));
  } else if (type == "local_shell_call") {
    const nlohmann::json* action = member(payload, "action");
    const nlohmann::json* command = action ? member(*action, "command") : nullptr;
    account.tool_called(text_of(payload, "call_id"), "local_shell", command ? shell_command(*command) : "", 0);
  } else if (type == "function_call_output" || type == "custom_tool_call_output") {
    tool_output(payload, account);
  } else if (type == "web_search_call") {
    const std::string id = "web_search:" + text_of(payload, "id");
    account.tool_called(id, "web_search", "", 0);
    account.tool_finished(id, SessionAccount::ToolResult::kSucceeded);
  } else if (type == "message") {
    const nlohmann::json* content = member(payload, "content");
    if (!content || !content->is_array()) return;
    std::string text;
    for (const auto& part : *content) text += text_of(part, "text");
    // The user's turn holds the instructions Codex gives the model ("# AGENTS.md instructions
    // for <dir>"), the developer's its own.
    if (const std::string role = text_of(payload, "role"); role == "assistant") {
      account.agent_text(text);
      account.set_snippet(text);
    } else if (role == "user" || role == "developer") {
      account.given_text(text);
    }
  }
}

}  // namespace

bool codex_record_needed(std::string_view type) {
  return type == "session_meta" || type == "turn_context" || type == "event_msg" || type == "response_item";
}

void read_codex_record(const nlohmann::json& record, SessionAccount& account) {
  const std::string type = text_of(record, "type");
  const nlohmann::json* payload = member(record, "payload");
  if (!payload || !payload->is_object()) return;
  account.saw_time(time_of(record, "timestamp"));
  if (type == "session_meta" || type == "turn_context") {
    if (const std::string cwd = text_of(*payload, "cwd"); !cwd.empty() && account.project.empty()) account.project = directory_name(cwd);
    if (type == "turn_context") {
      if (const std::string model = text_of(*payload, "model"); !model.empty()) account.model = model;
    } else if (const nlohmann::json* git = member(*payload, "git")) {
      if (const std::string branch = text_of(*git, "branch"); !branch.empty()) account.git_branch = branch;
    }
  } else if (type == "event_msg") {
    event_msg(*payload, account);
  } else if (type == "response_item") {
    response_item(*payload, account);
  }
}

std::string codex_session_of(const nlohmann::json& record) {
  if (text_of(record, "type") != "session_meta") return {};
  const nlohmann::json* payload = member(record, "payload");
  if (!payload) return {};
  if (std::string parent = text_of(*payload, "parent_thread_id"); !parent.empty()) return parent;
  return text_of(*payload, "id");
}

}  // namespace agentmetrics::intake
