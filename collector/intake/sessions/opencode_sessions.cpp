#include "collector/intake/sessions/opencode_sessions.h"

#include "collector/intake/sessions/json_fields.h"

namespace agentmetrics::intake {
namespace {

using R = SessionAccount::ToolResult;

// opencode names a session "New session - <time>" until it has a title of its own.
bool default_title(const std::string& title) {
  return title.empty() || title.rfind("New session - ", 0) == 0 || title.rfind("Child session - ", 0) == 0;
}

double opencode_proposed_lines(const std::string& tool, const nlohmann::json& input) {
  if (tool == "write") return count_lines(text_of(input, "content"));
  if (tool == "edit") return count_lines(text_of(input, "newString"));
  double lines = 0;
  if (tool == "patch") {
    const std::string patch = text_of(input, "patchText");
    std::size_t at = 0;
    while (at < patch.size()) {
      const std::size_t end = std::min(patch.find('\n', at), patch.size());
      if (patch[at] == '+' && patch.compare(at, 3, "+++") != 0) lines += 1;
      at = end + 1;
    }
  } else if (const nlohmann::json* edits = member(input, "edits"); edits && edits->is_array()) {
    for (const auto& e : *edits) lines += count_lines(text_of(e, "newString"));
  }
  return lines;
}

void tool_part(const nlohmann::json& part, SessionAccount& account) {
  const std::string tool = text_of(part, "tool");
  const std::string id = text_of(part, "callID");
  const nlohmann::json* state = member(part, "state");
  if (!state) return;
  const nlohmann::json* input = member(*state, "input");
  const nlohmann::json none;
  const nlohmann::json& in = input ? *input : none;
  account.tool_called(id, tool, text_of(in, "command"), opencode_proposed_lines(tool, in));
  const std::string status = text_of(*state, "status");
  if (status == "completed") {
    const nlohmann::json* metadata = member(*state, "metadata");
    account.tool_finished(id, metadata && count_of(*metadata, "exit") > 0 ? R::kFailed : R::kSucceeded, text_of(*state, "output"));
  } else if (status == "error") {
    const std::string error = text_of(*state, "error");
    const bool rejected = error.find("rejected permission") != std::string::npos || error.find("user dismissed") != std::string::npos;
    account.tool_finished(id, rejected ? R::kRejected : R::kFailed, error);
  }
}

void assistant_message(const OpencodeMessage& m, SessionAccount& account, bool main_stream) {
  const nlohmann::json& d = m.data;
  const std::string model = text_of(d, "modelID");
  if (const nlohmann::json* tokens = member(d, "tokens")) {
    const nlohmann::json* cache = member(*tokens, "cache");
    const nlohmann::json none;
    const TokenCounts usage{count_of(*tokens, "input"), count_of(*tokens, "output"), count_of(cache ? *cache : none, "read"),
                            count_of(cache ? *cache : none, "write")};
    // opencode's own cost (its price of the model); a message it priced at nothing is left to
    // the price table.
    if (const double cost = count_of(d, "cost"); cost > 0) {
      account.add_priced_usage(model, usage, cost);
    } else if (usage.total() > 0) {
      account.add_usage(model, usage);
    }
  }
  for (const auto& part : m.parts) {
    const std::string type = text_of(part, "type");
    if (type == "tool") {
      tool_part(part, account);
    } else if (type == "text" && !flag_of(part, "synthetic")) {
      const std::string text = text_of(part, "text");
      account.agent_text(text);
      if (main_stream) account.set_snippet(text);
    }
  }
  if (const nlohmann::json* error = member(d, "error"); error && error->is_object()) {
    const std::string name = text_of(*error, "name");
    if (name == "MessageAbortedError") {
      account.interrupted = true;
    } else {
      const nlohmann::json* data = member(*error, "data");
      const double status = data ? count_of(*data, "statusCode") : 0;
      account.api_error(status > 0 ? std::to_string(static_cast<int>(status)) : (name.empty() ? "error" : name), true);
    }
  } else if (!text_of(d, "finish").empty()) {
    account.answered();
  }
}

}  // namespace

std::vector<OpencodeFamily> opencode_families(const std::map<std::string, OpencodeSessionVersion>& sessions) {
  std::map<std::string, OpencodeFamily> families;
  for (const auto& [id, row] : sessions) {
    std::string root = id;
    for (std::size_t depth = 0; depth < 64; ++depth) {
      const auto it = sessions.find(root);
      if (it == sessions.end() || it->second.parent.empty() || !sessions.count(it->second.parent)) break;
      root = it->second.parent;
    }
    OpencodeFamily& f = families[root];
    f.root = root;
    if (id == root) {
      f.members.insert(f.members.begin(), id);
    } else {
      f.members.push_back(id);
    }
    f.version = std::max(f.version, row.version);
  }
  std::vector<OpencodeFamily> out;
  out.reserve(families.size());
  for (auto& [root, f] : families) out.push_back(std::move(f));
  return out;
}

SessionAccount opencode_account(const OpencodeSessionRecord& session, bool main_stream, std::size_t text_limit) {
  SessionAccount account;
  account.text_limit = text_limit;
  account.stream = session.id;
  account.project = directory_name(session.directory);
  account.saw_time(session.created);
  for (const auto& m : session.messages) {
    if (const nlohmann::json* time = member(m.data, "time")) {
      account.saw_time(time_of(*time, "created"));
      account.saw_time(time_of(*time, "completed"));
    }
    const std::string role = text_of(m.data, "role");
    if (role == "user") {
      std::string text;
      for (const auto& part : m.parts) {
        if (text_of(part, "type") != "text") continue;
        account.given_text(text_of(part, "text"));  // synthetic parts too: what opencode added to the turn
        if (!flag_of(part, "synthetic")) text += text_of(part, "text");
      }
      if (!main_stream) continue;
      if (!text.empty()) account.user_prompt(text);
    } else if (role == "assistant") {
      assistant_message(m, account, main_stream);
    }
  }
  if (main_stream && !default_title(session.title)) account.set_title(session.title);
  return account;
}

}  // namespace agentmetrics::intake
