// What the real Claude Code and Codex exported (tests/data/agents: recorded by tests/agents
// against a scripted model whose usage is known), taken in by the OTLP intake in every
// encoding they sent (HTTP JSON, HTTP protobuf, gzip, gRPC's message bytes): the token and
// cost families and the stored session task hold exactly what the model server reported and
// what the client computed, and a retried export counts once.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "collector/aggregate/series_reader.h"
#include "collector/common/tool_failure_facts.h"
#include "collector/intake/otlp/otlp_body.h"
#include "collector/intake/otlp/otlp_intake.h"
#include "collector/store/sqlite_event_store.h"
#include "collector/store/sqlite_statement.h"
#include "collector/store/store_writer.h"
#include "tests/support/file_text.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::intake {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

using testing::read_file;

const fs::path kData = AM_AGENT_DATA_DIR;

// An intake as the daemon has one, over a real store.
struct Intake {
  testing::TempDir dir;
  prometheus::Registry registry;
  store::StoreWriter writer{{.path = dir.path() + "/events.db"}, registry};
  DurableIntake durable{&writer, 100000};
  collector::FamilyRegistry families_registry;
  AgentFamilies families{families_registry, "opencode", {}};
  PriceTable prices = PriceTable::shipped();
  SessionTracker sessions{durable, prices, {}};
  OtlpIntake intake{families, sessions, prices, {}, 10000};

  Intake() {
    // Codex's default model in these recordings; not in the shipped table, priced here.
    prices.set("gpt-5.5", {2, 16, 0.2, 0});
    writer.start();
  }

  // Every request one recording of `scenario` made in `protocol`, taken in as the receivers
  // would (`times` over: a retried export).
  void replay(const std::string& scenario, const std::string& protocol, int times = 1) {
    const fs::path recording = kData / scenario / "otlp" / protocol;
    std::ifstream index(recording / "index.jsonl");
    ASSERT_TRUE(index) << recording;
    for (std::string line; std::getline(index, line);) {
      const json entry = json::parse(line);
      std::string body = read_file(recording / entry["file"].get<std::string>());
      if (entry.value("stored", "") == "gzip" || entry["file"].get<std::string>().ends_with(".stored.gz")) {
        bool too_large = false;
        body = *gunzip_bounded(body, 64 << 20, too_large);
      }
      const bool grpc = entry["transport"] == "grpc";
      const std::string type = grpc ? "application/x-protobuf" : entry["content_type"].get<std::string>();
      const std::string encoding = entry["content_encoding"].is_string() ? entry["content_encoding"].get<std::string>() : "";
      for (int i = 0; i < times; ++i) take(entry["signal"], body, type, encoding);
    }
  }

  void take(const std::string& signal, const std::string& body, const std::string& type, const std::string& encoding) {
    const auto decode = [&](google::protobuf::Message& m) {
      const auto refusal = read_otlp_body(body, type, encoding, 64 << 20, m);
      ASSERT_FALSE(refusal) << signal << ": " << refusal->message;
    };
    IntakeTally tally;
    if (signal == "metrics") {
      ExportMetricsServiceRequest r;
      decode(r);
      tally = intake.take(r);
    } else if (signal == "logs") {
      ExportLogsServiceRequest r;
      decode(r);
      tally = intake.take(r);
    } else {
      ExportTraceServiceRequest r;
      decode(r);
      tally = intake.take(r);
    }
    EXPECT_EQ(tally.rejected, 0) << tally.rejection;
  }

  // Family name -> the sum of its series whose labels contain every value of `with`, as a
  // scrape reads them.
  double sum(const std::string& family, const std::vector<std::string>& with = {}) {
    double total = 0;
    collector::SeriesReader reader(families_registry);
    for (const auto* f : families_registry.families()) {
      if (f->decl.name != family) continue;
      reader.for_each(*f, [&](const collector::MergedSeries& s) {
        for (const auto& v : with) {
          if (s.labels.find("=\"" + v + "\"") == std::string_view::npos) return;
        }
        total += f->decl.type == ipc::MetricType::kHistogram ? static_cast<double>(s.count) : s.value;
      });
    }
    return total;
  }

  // The stored session tasks, after every session is stored.
  std::vector<json> tasks() {
    sessions.flush_all();
    writer.stop();
    auto store = store::SqliteEventStore::open(dir.path() + "/events.db", store::SqliteEventStore::Mode::kReadOnly);
    store::SqliteStatement st(store->handle(), "SELECT fields FROM events WHERE kind = 'task'");
    std::vector<json> out;
    while (st.step()) out.push_back(json::parse(st.column_text(0)));
    return out;
  }
};

json expected(const std::string& scenario) { return json::parse(read_file(kData / scenario / "expected.json")); }

// The recordings' protocols for a scenario.
std::vector<std::string> protocols(const std::string& scenario) {
  std::vector<std::string> out;
  for (const auto& p : fs::directory_iterator(kData / scenario / "otlp")) out.push_back(p.path().filename());
  std::sort(out.begin(), out.end());
  return out;
}

class Recorded : public ::testing::TestWithParam<std::string> {};

// The token and cost families equal the model server's usage and the client's cost, and the
// session task holds them; whatever the encoding, and however often an export is retried.
TEST_P(Recorded, TokensCostToolsAndTheSessionAreExact) {
  const std::string scenario = GetParam();
  const json e = expected(scenario);
  const json& reported = e["totals"]["tokens_reported"];
  const std::string agent = e["client"] == "claude" ? "claude_code" : "codex";
  for (const std::string& protocol : protocols(scenario)) {
    SCOPED_TRACE(scenario + " over " + protocol);
    Intake in;
    in.replay(scenario, protocol, /*times=*/2);
    const bool metrics_arrived = in.intake.counters().points_mapped.load() > 0;
    if (metrics_arrived) {
      EXPECT_EQ(in.sum("opencode_tokens_total", {agent, "input"}), reported["input"]);
      EXPECT_EQ(in.sum("opencode_tokens_total", {agent, "output"}), reported["output"]);
      EXPECT_EQ(in.sum("opencode_tokens_total", {agent, "cache_read"}), reported["cache_read"]);
      EXPECT_EQ(in.sum("opencode_tokens_total", {agent, "cache_creation"}), reported["cache_write"]);
      if (agent == "claude_code") {
        EXPECT_NEAR(in.sum("opencode_cost_usd_total"), e["client_reported"][0]["total_cost_usd"].get<double>(), 1e-12);
      }
    }
    // The tools the model called ran, but where the agent's configuration refused them.
    const bool denied = scenario.ends_with("denied-tool") && agent == "claude_code";
    double tools = 0;
    for (const auto& [tool, calls] : e["totals"]["tools_called"].items()) {
      if (denied) {
        EXPECT_EQ(in.sum("opencode_tool_decisions_total", {agent, tool, "reject"}), calls.get<double>()) << tool;
        EXPECT_EQ(in.sum("opencode_agent_tool_calls_total", {agent, tool}), 0) << tool;
        continue;
      }
      EXPECT_EQ(in.sum("opencode_agent_tool_calls_total", {agent, tool}), calls.get<double>()) << tool;
      tools += calls.get<double>();
    }
    const auto tasks = in.tasks();
    ASSERT_EQ(tasks.size(), 1u);
    const json& task = tasks[0];
    EXPECT_EQ(task["agent_type"], agent);
    EXPECT_EQ(task["task_type"], "session");
    EXPECT_EQ(task["origin"], "otlp");
    EXPECT_EQ(task.value("tokens_input", 0.0), reported["input"]);
    EXPECT_EQ(task.value("tokens_output", 0.0), reported["output"]);
    EXPECT_EQ(task.value("tokens_cache_read", 0.0), reported["cache_read"]);
    EXPECT_EQ(task.value("tool_calls", 0.0), tools);
    const bool failed = !e["totals"]["errors_by_status"].empty() && e["runs"].back()["exit"] != 0;
    EXPECT_EQ(task["success"], !failed) << task.dump();
    if (failed) {
      EXPECT_EQ(task["failure_type"].get<std::string>().rfind("api_error_", 0), 0u) << task.dump();
    }
    // The session's id is not kept by default; nor is any user id or prompt.
    const std::string text = task.dump();
    for (const auto& run : e["runs"]) {
      if (run["session_id"].is_string()) {
        EXPECT_EQ(text.find(run["session_id"].get<std::string>()), std::string::npos);
      }
    }
    EXPECT_EQ(text.find("user.id"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Agents, Recorded,
                         ::testing::Values("claude/plain", "claude/tool-chain", "claude/subagent", "claude/denied-tool",
                                           "claude/api-error-5xx", "codex/plain", "codex/tool-chain", "codex/api-error-5xx"),
                         [](const ::testing::TestParamInfo<std::string>& scenario) {
                           std::string name = scenario.param;
                           for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

// Codex reports tokens and no cost: its cost comes from the price table, per model.
TEST(RecordedCodex, ItsCostComesFromThePriceTable) {
  Intake in;
  in.replay("codex/plain", "http-protobuf");
  // 1500 uncached input, 2500 cached, 12 output of gpt-5.5 at 2, 0.2 and 16 USD per million.
  EXPECT_NEAR(in.sum("opencode_cost_usd_total", {"codex", "gpt-5.5"}), (1500 * 2 + 2500 * 0.2 + 12 * 16) / 1e6, 1e-15);
  const auto tasks = in.tasks();
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_NEAR(tasks[0]["cost_usd"].get<double>(), (1500 * 2 + 2500 * 0.2 + 12 * 16) / 1e6, 1e-15);
  EXPECT_EQ(tasks[0]["model"], "gpt-5.5");
}

// The failing tool calls of a session, as the tool events tell them (common/tool_failure_facts.h).
// Claude Code 2.1.332 sends a failed Bash call's result with `error_type` ShellError and no
// command (that needs OTEL_LOG_TOOL_DETAILS), and nothing at all for an Edit its own checks
// refused (the String to replace not found of the transcript): over OTLP its calls are known by
// tool alone. Codex sends the command and its output, and reports success for a command that
// exited 1: the output says it failed.
TEST(RecordedToolFailures, TheSessionTaskHoldsWhatFailed) {
  Intake claude;
  claude.replay("claude/failure-patterns", "http-protobuf");
  const auto tasks = claude.tasks();
  ASSERT_EQ(tasks.size(), 2u);
  for (const auto& task : tasks) {
    const auto facts = ToolFailureFacts::parse(task["tool_failures"].get<std::string>());
    ASSERT_TRUE(facts) << task.dump();
    EXPECT_EQ(facts->tools.at({"Bash", "shell"}).calls, 4);
    EXPECT_EQ(facts->tools.at({"Bash", "shell"}).failures, 3);
    EXPECT_EQ(facts->tools.at({"Write", "edit"}).failures, 0);
    EXPECT_TRUE(facts->edits.empty());
    EXPECT_TRUE(facts->retries.empty());
  }
  Intake codex;
  codex.replay("codex/denied-tool", "http-protobuf");
  const auto refused = codex.tasks();
  ASSERT_EQ(refused.size(), 1u);
  const auto facts = ToolFailureFacts::parse(refused[0]["tool_failures"].get<std::string>());
  ASSERT_TRUE(facts) << refused[0].dump();
  EXPECT_EQ(facts->tools.at({"exec_command", "shell"}).failures, 1);
  EXPECT_EQ(refused[0]["tool_failures"].get<std::string>().find("denied.txt"), std::string::npos);
}

}  // namespace
}  // namespace agentmetrics::intake
