// Outcome events from every kind of producer (the `agentmetrics` command, the C ABI, the C++
// Task scope) through a real collector into its store, and the catalogue metrics they move.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/support/collector_process.h"
#include "tests/support/stored_events.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace agentmetrics::testing;

namespace {

struct CliRun {
  int code;
  std::string output;
};

CliRun run_cli(const std::string& ns, std::vector<std::string> args) {
  args.insert(args.begin(), kAgentmetricsCliBinary);
  Process p(args, {{"AGENTMETRICS_NAMESPACE", ns}});
  auto status = p.wait(std::chrono::seconds(30));
  if (!status) return {-1, p.output()};
  return {exit_code(*status), p.output()};
}

const StoredEvent* find_event(const std::vector<StoredEvent>& events, const std::string& kind, const std::string& field,
                              const nlohmann::json& value) {
  for (const auto& e : events) {
    if (e.kind == kind && e.fields.contains(field) && e.fields[field] == value) return &e;
  }
  return nullptr;
}

Samples wait_for_sample(CollectorProcess& c, const std::string& key, double value) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  Samples s = c.samples();
  while (sample(s, key) != value && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    s = c.samples();
  }
  return s;
}

TEST(OutcomeEvents, EveryProducerKindReachesTheStoreAndMovesItsMetrics) {
  TempDir dir;
  const std::string store = dir.path() + "/events.db";
  const std::string ns = unique_namespace("outcomes");
  // Recorded before any collector runs: the segment waits in /dev/shm.
  ASSERT_EQ(run_cli(ns, {"record", "task", "--agent_type", "build", "--task-type", "bugfix", "--success", "false", "--duration_seconds",
                         "640", "--title", "Fix login", "--human_intervention", "true", "--intervention_reason", "stuck", "--at",
                         "2026-11-24T12:00:00.000+02:00"})
                .code,
            0);
  CollectorProcess collector(ns, {"--store=" + store});
  ASSERT_EQ(run_cli(ns, {"record", "lint", "--errors", "3", "--warnings", "2", "--tool", "clang-tidy"}).code, 0);
  ASSERT_EQ(run_cli(ns, {"record", "deployment", "--success", "true", "--rollback", "false", "--commit_time", "1795500000"}).code, 0);
  EXPECT_EQ(run_cli(ns, {"exec", "--stage", "build", "--", "false"}).code, 1);
  EXPECT_EQ(run_cli(ns, {"exec", "--stage", "unit", "--", "true"}).code, 0);
  EXPECT_EQ(run_cli(ns, {"exec", "--stage", "deploy", "--failure-type", "missing_tool", "--", "/nonexistent/tool"}).code, 127);
  EXPECT_EQ(run_cli(ns, {"exec", "--stage", "e2e", "--", "sh", "-c", "kill -TERM $$"}).code, 128 + 15);
  Process c_producer({kCProducerBinary}, {{"AGENTMETRICS_NAMESPACE", ns}});
  auto c_status = c_producer.wait(std::chrono::seconds(30));
  ASSERT_TRUE(c_status);
  ASSERT_EQ(exit_code(*c_status), 0) << c_producer.output();

  // 3 records, 4 runs, and the C producer's task, pipeline run and coverage.
  const auto events = wait_for_stored_events(store, 10);
  ASSERT_EQ(events.size(), 10u);

  const StoredEvent* task = find_event(events, "task", "title", "Fix login");
  ASSERT_NE(task, nullptr);
  EXPECT_EQ(task->time, 1795514400.0);
  EXPECT_EQ(task->fields, nlohmann::json::parse(R"({"agent_type":"build","task_type":"bugfix","success":false,
      "duration_seconds":640.0,"title":"Fix login","human_intervention":true,"intervention_reason":"stuck"})"));
  const StoredEvent* lint = find_event(events, "lint", "tool", "clang-tidy");
  ASSERT_NE(lint, nullptr);
  EXPECT_EQ(lint->fields["errors"], 3.0);
  ASSERT_NE(find_event(events, "deployment", "commit_time", 1795500000.0), nullptr);
  const StoredEvent* build = find_event(events, "pipeline", "stage", "build");
  ASSERT_NE(build, nullptr);
  EXPECT_EQ(build->fields["success"], false);
  EXPECT_EQ(build->fields["failure_type"], "exit_code_1");
  EXPECT_GE(build->fields["duration_seconds"].get<double>(), 0.0);
  const StoredEvent* unit = find_event(events, "pipeline", "stage", "unit");
  ASSERT_NE(unit, nullptr);
  EXPECT_EQ(unit->fields["success"], true);
  EXPECT_FALSE(unit->fields.contains("failure_type"));
  ASSERT_NE(find_event(events, "pipeline", "failure_type", "missing_tool"), nullptr);
  ASSERT_NE(find_event(events, "pipeline", "failure_type", "signal_TERM"), nullptr);
  const StoredEvent* c_task = find_event(events, "task", "title", "c task");
  ASSERT_NE(c_task, nullptr);
  EXPECT_EQ(c_task->fields["agent_type"], "c_agent");
  EXPECT_EQ(c_task->fields["success"], true);
  ASSERT_NE(find_event(events, "pipeline", "failure_type", "c_failure"), nullptr);
  ASSERT_NE(find_event(events, "coverage", "percent", 81.5), nullptr);

  // The catalogue metrics the events moved.
  const Samples s = wait_for_sample(collector, "opencode_code_coverage_percent", 81.5);
  EXPECT_EQ(sample(s, "opencode_task_total{agent_type=\"build\",task_type=\"bugfix\",success=\"false\"}"), 1);
  EXPECT_EQ(sample(s, "opencode_task_duration_seconds_sum{agent_type=\"build\",task_type=\"bugfix\",stage=\"unknown\",success=\"false\"}"),
            640);
  EXPECT_EQ(sample(s, "opencode_human_interventions_total{reason=\"stuck\"}"), 1);
  EXPECT_EQ(sample(s, "opencode_lint_errors_total{severity=\"error\"}"), 3);
  EXPECT_EQ(sample(s, "opencode_lint_errors_total{severity=\"warning\"}"), 2);
  EXPECT_EQ(sample(s, "opencode_pipeline_failures_total{stage=\"build\",failure_type=\"exit_code_1\"}"), 1);
  EXPECT_EQ(sample(s, "opencode_pipeline_failures_total{stage=\"c_stage\",failure_type=\"c_failure\"}"), 1);
  EXPECT_EQ(sample(s, "opencode_pipeline_duration_seconds_count{stage=\"unit\",success=\"true\"}"), 1);
  EXPECT_EQ(sample(s, "opencode_pipeline_failures_total{stage=\"unit\",failure_type=\"unknown\"}"), std::nullopt);
  EXPECT_EQ(sample(s, "opencode_code_coverage_percent"), 81.5);
  EXPECT_EQ(sample(s, "agentmetrics_outcome_events_stored_total"), 10);
  EXPECT_EQ(sample(s, "agentmetrics_store_healthy"), 1);
}

TEST(OutcomeEvents, BadInputIsRefusedWithAReasonAndRecordsNothing) {
  const std::string ns = unique_namespace("outcome-bad");
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"record", "meeting"}, "unknown event 'meeting'; the events are task, pipeline,"},
      {{"record", "task", "--agent_type", "a", "--colour", "red"}, "a task event has no field 'colour'"},
      {{"record", "task", "--agent_type", "a", "--task_type", "b", "--success", "true"}, "task needs the field duration_seconds"},
      {{"record", "coverage", "--percent", "lots"}, "percent: \"lots\" is not a number"},
      {{"record", "coverage", "--percent", "120"}, "percent must be between 0 and 100"},
      {{"record", "commit", "--lines_added"}, "--lines_added needs a value"},
      {{"record", "bug", "--detected", "yesterday"}, "is neither Unix seconds nor an RFC 3339 time"},
      {{"exec", "--stage", std::string(200, 's'), "--", "true"}, "stage is longer than 128 bytes"},
  };
  for (const auto& c : cases) {
    const CliRun r = run_cli(ns, c.args);
    EXPECT_EQ(r.code, 2) << c.args[0] << " " << c.args[1] << ": " << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << r.output;
  }
  TempDir dir;
  const std::string store = dir.path() + "/events.db";
  CollectorProcess collector(ns, {"--store=" + store});
  // A well-formed event after the bad ones, so the collector has something to wait for.
  ASSERT_EQ(run_cli(ns, {"record", "coverage", "--percent", "50"}).code, 0);
  const auto events = wait_for_stored_events(store, 1);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, "coverage");
}

TEST(OutcomeEvents, EveryCommandHasHelp) {
  const std::string ns = unique_namespace("help");
  const std::vector<std::pair<std::string, std::string>> commands = {
      {"record", "--at"}, {"exec", "--stage"}, {"ingest", "--dry-run"}, {"kpi", "--window"}, {"events", "--json"}};
  for (const auto& [command, option] : commands) {
    const CliRun r = run_cli(ns, {command, "--help"});
    EXPECT_EQ(r.code, 0) << command;
    EXPECT_NE(r.output.find(option), std::string::npos) << command << ": " << r.output;
  }
  const CliRun top = run_cli(ns, {"--help"});
  EXPECT_EQ(top.code, 0);
  for (const auto& [command, option] : commands) EXPECT_NE(top.output.find(command), std::string::npos) << command;
  EXPECT_EQ(run_cli(ns, {}).code, 2) << "a subcommand is required";
}

TEST(OutcomeEvents, TheEventsCommandListsEveryKindAndField) {
  const CliRun r = run_cli(unique_namespace("events-list"), {"events", "--json"});
  ASSERT_EQ(r.code, 0) << r.output;
  const auto kinds = nlohmann::json::parse(r.output);
  ASSERT_EQ(kinds.size(), 10u);
  EXPECT_EQ(kinds[0]["event"], "task");
  EXPECT_EQ(kinds[0]["fields"][0]["name"], "agent_type");
  EXPECT_EQ(kinds[0]["fields"][0]["required"], true);
}

}  // namespace
