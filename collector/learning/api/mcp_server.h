// `cm mcp`: the learning operations as tools of a Model Context Protocol server over stdio
// (JSON-RPC 2.0, one message per line). Methods: initialize (protocol versions 2024-11-05 to
// 2025-11-25: the client's own if known, else the newest), notifications/initialized, ping,
// tools/list and tools/call. Tools:
//   cm_context        {task, limit?}                      -> the `cm context` data
//   cm_mark           {id, feedback: helpful|harmful, reason?, session_id?}
//   cm_outcome        {status: success|failure, rules: [ids] | "id,id", stage?, failure_type?, session_id?}
//   cm_playbook_list  {kind?, include_retired?, limit?, offset?}
// A tool's answer is its JSON as text content and as structuredContent; a failing tool answers
// isError: true with the cass_memory error object (message, code, exitCode, recovery).
#pragma once

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace agentmetrics::learning {

class LearningStore;

class McpServer {
 public:
  // `store` opens the store on first use, the embedded one or the team's (learning_store.h), and
  // throws LearningError when it cannot; it is called again after a failure.
  explicit McpServer(std::function<LearningStore&()> store);

  // One message in; the response, or nothing for a notification.
  std::optional<nlohmann::ordered_json> handle(const nlohmann::ordered_json& message);
  // Serves until `in` ends.
  void serve(std::istream& in, std::ostream& out);

  static nlohmann::ordered_json tools();

 private:
  nlohmann::ordered_json call_tool(const nlohmann::ordered_json& params);

  std::function<LearningStore&()> store_;
  bool initialized_ = false;
};

}  // namespace agentmetrics::learning
