// The MCP server's JSON-RPC handling, message by message (the node SDK test in tests/mcp runs
// the real `cm mcp` process).
#include <gtest/gtest.h>

#include <sstream>

#include "collector/learning/api/mcp_server.h"
#include "collector/learning/learning_store.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::learning {
namespace {

using json = nlohmann::ordered_json;
using testing::TempDir;

class McpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_learning_store({"", dir_.path() + "/events.db", {}});
    NewBullet nb;
    nb.content = "Always write unit tests before implementing authentication logic";
    rule_ = store_->playbook_add(nb).rule.bullet.id;
  }
  json call(int id, const std::string& method, json params = json::object()) {
    auto r = server_.handle({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
    EXPECT_TRUE(r);
    return r ? *r : json();
  }

  TempDir dir_;
  std::unique_ptr<LearningStore> store_;
  std::string rule_;
  McpServer server_{[this]() -> LearningStore& { return *store_; }};
};

TEST_F(McpTest, InitializeNegotiatesTheProtocolVersion) {
  auto r = call(1, "initialize",
                {{"protocolVersion", "2024-11-05"}, {"capabilities", json::object()}, {"clientInfo", {{"name", "t"}, {"version", "1"}}}});
  EXPECT_EQ(r["id"], 1);
  EXPECT_EQ(r["result"]["protocolVersion"], "2024-11-05");
  EXPECT_EQ(r["result"]["serverInfo"]["name"], "cm");
  EXPECT_TRUE(r["result"]["capabilities"].contains("tools"));
  // The instructions ask for the task with the outcome: what teaches a rule its words.
  EXPECT_NE(r["result"]["instructions"].get<std::string>().find("with the task in a sentence (task)"), std::string::npos);
  EXPECT_EQ(call(2, "initialize", {{"protocolVersion", "2099-01-01"}})["result"]["protocolVersion"], "2025-11-25");
  EXPECT_FALSE(server_.handle({{"jsonrpc", "2.0"}, {"method", "notifications/initialized"}}));
  EXPECT_EQ(call(3, "ping")["result"], json::object());
}

TEST_F(McpTest, ListsAndCallsTheFourTools) {
  const auto tools = call(1, "tools/list")["result"]["tools"];
  std::vector<std::string> names;
  for (const auto& t : tools) {
    names.push_back(t["name"]);
    EXPECT_EQ(t["inputSchema"]["type"], "object");
  }
  EXPECT_EQ(names, (std::vector<std::string>{"cm_context", "cm_mark", "cm_outcome", "cm_playbook_list"}));

  auto r = call(2, "tools/call", {{"name", "cm_context"}, {"arguments", {{"task", "implementing user authentication"}}}})["result"];
  EXPECT_EQ(r["isError"], false);
  EXPECT_EQ(r["structuredContent"]["relevantBullets"][0]["id"], rule_);
  EXPECT_EQ(json::parse(r["content"][0]["text"].get<std::string>()), r["structuredContent"]);

  EXPECT_TRUE(tools[1]["inputSchema"]["properties"].contains("task"));
  EXPECT_TRUE(tools[2]["inputSchema"]["properties"].contains("task"));
  r = call(3, "tools/call",
           {{"name", "cm_mark"}, {"arguments", {{"id", rule_}, {"feedback", "helpful"}, {"task", "zorblax login broke"}}}})["result"];
  EXPECT_EQ(r["structuredContent"]["confidence_after"], 0.75);
  // The rule learned the task's words (learned_words.h).
  r = call(31, "tools/call", {{"name", "cm_context"}, {"arguments", {{"task", "zorblax"}}}})["result"];
  EXPECT_EQ(r["structuredContent"]["relevantBullets"][0]["id"], rule_);
  r = call(4, "tools/call",
           {{"name", "cm_outcome"}, {"arguments", {{"status", "failure"}, {"rules", json::array({rule_})}, {"stage", "test"}}}})["result"];
  EXPECT_EQ(r["structuredContent"]["policy"], "related");
  EXPECT_EQ(r["structuredContent"]["applied"][0]["feedback"], "harmful");
  r = call(5, "tools/call", {{"name", "cm_playbook_list"}, {"arguments", json::object()}})["result"];
  EXPECT_EQ(r["structuredContent"]["count"], 1);
  EXPECT_EQ(r["structuredContent"]["bullets"][0]["helpful"], 1.0);
}

TEST_F(McpTest, ToolErrorsAreResultsAndProtocolErrorsAreErrors) {
  auto r = call(1, "tools/call", {{"name", "cm_mark"}, {"arguments", {{"id", "b-nope"}, {"feedback", "helpful"}}}})["result"];
  EXPECT_EQ(r["isError"], true);
  EXPECT_EQ(r["structuredContent"]["code"], "UNKNOWN_RULE");
  EXPECT_EQ(r["structuredContent"]["exitCode"], 2);
  r = call(2, "tools/call", {{"name", "cm_context"}, {"arguments", {{"task", ""}}}})["result"];
  EXPECT_EQ(r["structuredContent"]["code"], "EMPTY_TASK");
  EXPECT_EQ(call(3, "tools/call", {{"name", "cm_nope"}})["error"]["code"], -32602);
  EXPECT_EQ(call(4, "resources/list")["error"]["code"], -32601);

  std::istringstream in("not json\n[]\n{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}\n");
  std::ostringstream out;
  server_.serve(in, out);
  std::istringstream lines(out.str());
  std::string line;
  std::vector<json> answers;
  while (std::getline(lines, line)) answers.push_back(json::parse(line));
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_EQ(answers[0]["error"]["code"], -32700);
  EXPECT_EQ(answers[1]["error"]["code"], -32600);
  EXPECT_EQ(answers[2]["id"], 9);
}

// One line nested 200,000 deep overflowed the stack of cm mcp; now it is an error answer and
// the server goes on; text that is not UTF-8 is refused as the tool's error.
TEST_F(McpTest, AHostileLineIsAnErrorAndTheServerGoesOn) {
  const std::string deep =
      "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":" + std::string(200000, '[') + std::string(200000, ']') + "}";
  std::istringstream in(deep + "\n{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}\n");
  std::ostringstream out;
  server_.serve(in, out);
  std::istringstream lines(out.str());
  std::string line;
  std::vector<json> answers;
  while (std::getline(lines, line)) answers.push_back(json::parse(line));
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0]["error"]["code"], -32600);
  EXPECT_EQ(answers[1]["id"], 2);
  json args = {{"task", std::string("fix the \xff parser")}};
  const auto r = call(3, "tools/call", {{"name", "cm_context"}, {"arguments", args}})["result"];
  EXPECT_EQ(r["isError"], true);
  EXPECT_EQ(r["structuredContent"]["code"], "INVALID_ARGUMENT");
}

TEST_F(McpTest, ToolsTakeTheFieldsAsEveryFrontEndSpellsThem) {
  auto tool = [&](int id, const std::string& name, json args) {
    return call(id, "tools/call", {{"name", name}, {"arguments", args}})["result"];
  };
  // The session under its older spelling ("session", as the HTTP API had it) counts once too.
  auto r = tool(1, "cm_mark", {{"id", rule_}, {"feedback", "helpful"}, {"session", "ses-1"}});
  ASSERT_EQ(r["isError"], false) << r.dump();
  r = tool(2, "cm_mark", {{"id", rule_}, {"feedback", "helpful"}, {"session_id", "ses-1"}});
  EXPECT_EQ(r["structuredContent"]["skipped"], true) << r.dump();
  // The kind of feedback as "kind", the status as "outcome" (the HTTP API's spellings).
  r = tool(3, "cm_mark", {{"id", rule_}, {"kind", "harmful"}});
  ASSERT_EQ(r["isError"], false) << r.dump();
  EXPECT_EQ(r["structuredContent"]["feedback"], "harmful");
  r = tool(4, "cm_outcome", {{"outcome", "success"}, {"rules", rule_}});
  ASSERT_EQ(r["isError"], false) << r.dump();
  EXPECT_EQ(r["structuredContent"]["status"], "success");
  // A value of the wrong type is an error, not ignored.
  r = tool(5, "cm_playbook_list", {{"include_retired", "yes"}});
  EXPECT_EQ(r["isError"], true) << r.dump();
  EXPECT_EQ(r["structuredContent"]["code"], "INVALID_ARGUMENT");
  r = tool(6, "cm_playbook_list", {{"source", "import"}});
  ASSERT_EQ(r["isError"], false) << r.dump();
  EXPECT_EQ(r["structuredContent"]["count"], 0);
}

}  // namespace
}  // namespace agentmetrics::learning
