#include "collector/learning/api/mcp_server.h"

#include <algorithm>
#include <istream>
#include <ostream>

#include "collector/learning/api/json_envelope.h"
#include "collector/learning/api/requests.h"
#include "collector/learning/learning_store.h"

namespace agentmetrics::learning {
namespace {

using json = nlohmann::ordered_json;

constexpr const char* kProtocolVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};

json rpc_error(const json& id, int code, const std::string& message) {
  return {{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}};
}

json rpc_result(const json& id, json result) { return {{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}}; }

struct InvalidParams : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// No request nests this deep; a line that does is refused while it is read, before copying or
// printing it could recurse through the whole depth.
constexpr int kMaxJsonDepth = 64;
constexpr const char* kFeedbackTaskDescription =
    "What the rule was used for, in a sentence: a rule that helped learns its words, so that it is found when a task is next said "
    "in them";
struct TooDeep {};

json tool_result(const json& value, bool is_error) {
  return {{"content", json::array({{{"type", "text"}, {"text", value.dump(-1, ' ', false, json::error_handler_t::replace)}}})},
          {"structuredContent", value},
          {"isError", is_error}};
}

}  // namespace

McpServer::McpServer(std::function<LearningStore&()> store) : store_(std::move(store)) {}

json McpServer::tools() {
  const json status_enum = json::array({"success", "failure"});
  return json::array({
      {{"name", "cm_context"},
       {"description",
        "Rules, anti-patterns and past task history relevant to a task, from the agentmetrics playbook (cass_memory). "
        "Call before starting a task; keep the rule ids to report the outcome with cm_outcome."},
       {"inputSchema",
        {{"type", "object"},
         {"properties",
          {{"task", {{"type", "string"}, {"description", "What the task is about, in a sentence"}}},
           {"limit",
            {{"type", "integer"},
             {"minimum", 1},
             {"maximum", 100},
             {"description", "At most this many items per list (default: contextLimit)"}}},
           {"project",
            {{"type", "string"},
             {"description",
              "The task's project (the repository's name): its rules beside every project's; none: every project's only"}}}}},
         {"required", json::array({"task"})}}}},
      {{"name", "cm_mark"},
       {"description", "Mark one playbook rule as helpful or harmful for the work just done."},
       {"inputSchema",
        {{"type", "object"},
         {"properties",
          {{"id", {{"type", "string"}, {"description", "The rule id, e.g. b-8f3a2c"}}},
           {"feedback", {{"type", "string"}, {"enum", json::array({"helpful", "harmful"})}}},
           {"reason", {{"type", "string"}}},
           {"session_id", {{"type", "string"}}},
           {"task", {{"type", "string"}, {"description", kFeedbackTaskDescription}}}}},
         {"required", json::array({"id", "feedback"})}}}},
      {{"name", "cm_outcome"},
       {"description",
        "Record the outcome of a task and the rules that were used (recordOutcome). A success credits every rule; a failure blames "
        "only the rules related to its stage or failure type (or splits the blame when neither is given)."},
       {"inputSchema",
        {{"type", "object"},
         {"properties",
          {{"status", {{"type", "string"}, {"enum", status_enum}}},
           {"rules",
            {{"description", "Rule ids: an array or a comma-separated string"},
             {"anyOf", json::array({{{"type", "array"}, {"items", {{"type", "string"}}}}, {{"type", "string"}}})}}},
           {"stage", {{"type", "string"}}},
           {"failure_type",
            {{"type", "string"}, {"description", "Why it failed (test_failure, APIError, ...): a failure related to no rule blames none"}}},
           {"session_id",
            {{"type", "string"},
             {"description",
              "The task's session: a session grades each rule once, whichever of its outcomes (this call, cm outcome, the session's "
              "task event) arrives first"}}},
           {"task", {{"type", "string"}, {"description", kFeedbackTaskDescription}}}}},
         {"required", json::array({"status", "rules"})}}}},
      {{"name", "cm_playbook_list"},
       {"description", "List the playbook's rules and anti-patterns with their confidence and evidence."},
       {"inputSchema",
        {{"type", "object"},
         {"properties",
          {{"kind", {{"type", "string"}, {"enum", json::array({"rule", "anti-pattern"})}}},
           {"include_retired", {{"type", "boolean"}}},
           {"limit", {{"type", "integer"}, {"minimum", 1}, {"maximum", kMaxPlaybookPage}, {"description", "rules per page (default 100)"}}},
           {"offset", {{"type", "integer"}, {"minimum", 0}, {"description", "where the page starts: next_offset of the page before"}}}}}}}},
  });
}

json McpServer::call_tool(const json& params) {
  if (!params.is_object() || !params.contains("name") || !params["name"].is_string()) throw InvalidParams("tools/call needs a tool name");
  const std::string name = params["name"].get<std::string>();
  const json args = params.contains("arguments") && params["arguments"].is_object() ? params["arguments"] : json::object();
  if (name != "cm_context" && name != "cm_mark" && name != "cm_outcome" && name != "cm_playbook_list") {
    throw InvalidParams("unknown tool '" + name + "'");
  }
  try {
    LearningStore& store = store_();
    if (name == "cm_context") {
      const ContextRequest request = decode_context_request(args);
      return tool_result(to_json(store.context(request.task, request.limit, request.project)), false);
    }
    if (name == "cm_mark") return tool_result(to_json(store.mark(decode_mark_request(args))), false);
    if (name == "cm_outcome") return tool_result(to_json(store.outcome(decode_outcome_request(args))), false);
    return tool_result(to_json(store.playbook_list(decode_playbook_list_request(args))), false);
  } catch (const InvalidParams&) {
    throw;
  } catch (const std::exception& e) {
    return tool_result(error_json(translate_error(e)), true);
  }
}

std::optional<json> McpServer::handle(const json& message) {
  if (!message.is_object() || message.value("jsonrpc", "") != "2.0" || !message.contains("method") || !message["method"].is_string()) {
    if (message.is_object() && !message.contains("method") && (message.contains("result") || message.contains("error"))) {
      return std::nullopt;  // a response to a request of ours: we send none
    }
    return rpc_error(message.is_object() && message.contains("id") ? message["id"] : json(nullptr), -32600, "Invalid Request");
  }
  const std::string method = message["method"].get<std::string>();
  const bool notification = !message.contains("id");
  const json id = notification ? json(nullptr) : message["id"];
  const json params = message.contains("params") ? message["params"] : json::object();
  if (notification) {
    if (method == "notifications/initialized") initialized_ = true;
    return std::nullopt;
  }
  try {
    if (method == "initialize") {
      std::string version = kProtocolVersions[0];
      if (params.is_object() && params.contains("protocolVersion") && params["protocolVersion"].is_string()) {
        const std::string asked = params["protocolVersion"].get<std::string>();
        if (std::find(std::begin(kProtocolVersions), std::end(kProtocolVersions), asked) != std::end(kProtocolVersions)) version = asked;
      }
      return rpc_result(id, {{"protocolVersion", version},
                             {"capabilities", {{"tools", {{"listChanged", false}}}}},
                             {"serverInfo", {{"name", "cm"}, {"title", "agentmetrics cass_memory"}, {"version", learning_version()}}},
                             {"instructions",
                              "Call cm_context with the task before starting it; after the task, report cm_outcome with the ids of the "
                              "rules you used, or cm_mark a single rule, each with the task in a sentence (task): a rule that helped "
                              "learns its words and is found for such a task next time."}});
    }
    if (method == "ping") return rpc_result(id, json::object());
    if (method == "tools/list") return rpc_result(id, {{"tools", tools()}});
    if (method == "tools/call") return rpc_result(id, call_tool(params));
    return rpc_error(id, -32601, "Method not found: " + method);
  } catch (const InvalidParams& e) {
    return rpc_error(id, -32602, e.what());
  } catch (const std::exception& e) {
    return rpc_error(id, -32603, e.what());
  }
}

void McpServer::serve(std::istream& in, std::ostream& out) {
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    json message;
    try {
      message = json::parse(
          line,
          [](int depth, json::parse_event_t, json&) {
            if (depth > kMaxJsonDepth) throw TooDeep{};
            return true;
          },
          false);
    } catch (const TooDeep&) {
      out << rpc_error(nullptr, -32600, "Invalid Request: nested deeper than " + std::to_string(kMaxJsonDepth)).dump() << '\n'
          << std::flush;
      continue;
    }
    std::optional<json> response;
    if (message.is_discarded()) {
      response = rpc_error(nullptr, -32700, "Parse error");
    } else if (message.is_array()) {
      json responses = json::array();
      for (const auto& m : message) {
        if (auto r = handle(m)) responses.push_back(std::move(*r));
      }
      if (message.empty()) responses = rpc_error(nullptr, -32600, "Invalid Request");
      if (!responses.empty()) response = std::move(responses);
    } else {
      response = handle(message);
    }
    if (response) out << response->dump(-1, ' ', false, json::error_handler_t::replace) << '\n' << std::flush;
  }
}

}  // namespace agentmetrics::learning
