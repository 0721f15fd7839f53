// The session import inside the real agentmetricsd (import.sources): the history found at
// start is stored but not counted; a session written while the daemon watches (a new project
// directory, a new day of Codex rollouts, line by line with pauses and cut lines) is stored as
// it grows, one row, and its spend reaches /metrics exactly once; a daemon killed with SIGKILL
// mid-session goes on from its marks. A session the OTLP receiver hears of too is one row,
// and its spend is counted once, whichever of the two hears of it first.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/collector_process.h"
#include "tests/support/http_client.h"
#include "tests/support/stored_events.h"
#include "tests/support/temp_dir.h"

using namespace agentmetrics::testing;
namespace fs = std::filesystem;

namespace {

const std::string kData = AM_AGENT_DATA_DIR;

std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line + "\n");
  return lines;
}

void append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << text;
}

// Writes `lines` as an agent does: a line at a time, some in two writes, with pauses.
void write_slowly(const std::string& path, const std::vector<std::string>& lines, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to && i < lines.size(); ++i) {
    if (i % 3 == 0) {
      append(path, lines[i].substr(0, lines[i].size() / 2));
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      append(path, lines[i].substr(lines[i].size() / 2));
    } else {
      append(path, lines[i]);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(i % 7 == 0 ? 300 : 10));
  }
}

std::string config_file(const std::string& dir, const std::string& more = "") {
  std::string path = dir + "/config.yaml";
  std::ofstream(path) << more << "import:\n"
                      << "  sources: [claude-code, codex]\n"
                      << "  paths: {claude-code: " << dir << "/claude, codex: " << dir << "/codex}\n"
                      << "  settle: 1s\n"
                      << "store:\n  retention: 3650d\n";  // the recorded sessions are from 2026-12
  return path;
}

// The task events, once `count` are stored and none has changed for a while.
std::vector<StoredEvent> settled_tasks(const std::string& store, std::size_t count, const std::function<bool(const StoredEvent&)>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::vector<StoredEvent> events;
  while (std::chrono::steady_clock::now() < deadline) {
    events = stored_events(store);
    if (events.size() >= count && std::all_of(events.begin(), events.end(), done)) return events;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return events;
}

double metric(CollectorProcess& c, const std::string& key) { return sample(c.samples(), key).value_or(0); }

TEST(SessionWatcher, TheHistoryIsStoredAndWhatIsWrittenMeanwhileIsCountedOnce) {
  TempDir dir;
  const std::string store = dir.path() + "/events.db";
  // History: a session from before the daemon started.
  const std::string old_project = dir.path() + "/claude/projects/-work-old";
  fs::create_directories(old_project);
  fs::copy(kData + "/claude/plain/home/.claude/projects/-tmp-am-agents-claude-plain-project", old_project);
  fs::create_directories(dir.path() + "/codex/sessions");
  CollectorProcess collector(unique_namespace("watch"), {"--config=" + config_file(dir.path()), "--store=" + store});
  auto events = settled_tasks(store, 1, [](const StoredEvent&) { return true; });
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].fields["tokens_input"], 1200);
  const std::string tokens = "opencode_tokens_total{agent=\"claude_code\",model=\"claude-sonnet-4-5-20250929\",type=\"input\"}";
  EXPECT_EQ(metric(collector, tokens), 0) << "history is not counted as spend now";

  // A session written while the daemon watches, in a project directory that appears now.
  const std::string id = "0e99a893-c444-4c7b-8eec-d3ef3c1fec2b";
  const auto lines = lines_of(kData + "/claude/tool-chain/home/.claude/projects/-tmp-am-agents-claude-tool-chain-project/" + id + ".jsonl");
  const std::string project = dir.path() + "/claude/projects/-work-new";
  fs::create_directories(project);
  write_slowly(project + "/" + id + ".jsonl", lines, 0, lines.size());
  // And a Codex thread, in a day directory that appears now, resumed once.
  const std::string rollout = "rollout-2026-12-06T11-27-25-01a24b1b-d7dc-7641-82f0-d1223d3d557c.jsonl";
  const auto codex = lines_of(kData + "/codex/resume/home/.codex/sessions/2026/12/06/" + rollout);
  fs::create_directories(dir.path() + "/codex/sessions/2026/12/06");
  write_slowly(dir.path() + "/codex/sessions/2026/12/06/" + rollout, codex, 0, codex.size());

  events = settled_tasks(store, 3, [](const StoredEvent& e) {
    return e.fields["agent_type"] != "claude_code" || e.fields["tokens_input"] != 2520 || e.fields.contains("cost_usd");
  });
  ASSERT_EQ(events.size(), 3u);
  std::map<std::string, nlohmann::json> by_agent;
  for (const auto& e : events)
    by_agent[e.fields["agent_type"].get<std::string>() + std::to_string(e.fields["tokens_input"].get<int>())] = e.fields;
  ASSERT_TRUE(by_agent.count("claude_code2520")) << events.size();
  EXPECT_EQ(by_agent["claude_code2520"]["cost_usd"], 0.0188925);
  EXPECT_EQ(by_agent["claude_code2520"]["tool_calls"], 2);
  ASSERT_TRUE(by_agent.count("codex1420"));
  EXPECT_EQ(by_agent["codex1420"]["prompts_sent"], 2);

  // The new session's spend, counted once however many passes read it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (metric(collector, tokens) < 2520 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto samples = collector.samples();
  EXPECT_EQ(sample(samples, tokens), 2520);
  EXPECT_EQ(sample(samples, "opencode_tokens_total{agent=\"claude_code\",model=\"claude-sonnet-4-5-20250929\",type=\"cache_read\"}"),
            19200);
  EXPECT_NEAR(sample(samples, "opencode_cost_usd_total{agent=\"claude_code\",model=\"claude-sonnet-4-5-20250929\"}").value_or(0), 0.0188925,
              1e-9);
  EXPECT_EQ(sample(samples, "opencode_agent_tool_calls_total{agent=\"claude_code\",tool=\"Write\",success=\"true\"}"), 1);
  EXPECT_EQ(sample(samples, "opencode_agent_tool_calls_total{agent=\"claude_code\",tool=\"Bash\",success=\"true\"}"), 1);
  EXPECT_EQ(sample(samples, "opencode_api_requests_total{agent=\"claude_code\",model=\"claude-sonnet-4-5-20250929\",status=\"200\"}"), 3);
  EXPECT_EQ(sample(samples, "opencode_sessions_total{agent=\"claude_code\"}"), 1);
  EXPECT_EQ(sample(samples, "opencode_tokens_total{agent=\"codex\",model=\"gpt-5.5\",type=\"input\"}"), 1420);
  EXPECT_GE(sample(samples, "agentmetrics_session_import_passes_total").value_or(0), 2);
  EXPECT_EQ(sample(samples, "agentmetrics_session_import_problems_total"), 0);
  EXPECT_EQ(collector.stop(), 0);
}

// Every request of a recorded OTLP export of `scenario` (tests/data/agents), posted as the agent
// posted it to the daemon's OTLP/HTTP receiver.
void replay_otlp(CollectorProcess& c, const std::string& scenario) {
  const std::string recording = kData + "/" + scenario + "/otlp/http-protobuf/";
  std::ifstream index(recording + "index.jsonl");
  ASSERT_TRUE(index) << recording;
  for (std::string line; std::getline(index, line);) {
    const auto entry = nlohmann::json::parse(line);
    std::ifstream in(recording + entry["file"].get<std::string>(), std::ios::binary);
    std::stringstream body;
    body << in.rdbuf();
    const auto r = http_post("http://127.0.0.1:" + std::to_string(c.otlp_port("http")) + entry["path"].get<std::string>(), body.str(),
                             {{"Content-Type", entry["content_type"].get<std::string>()}});
    ASSERT_EQ(r.status, 200) << entry["file"] << " " << r.body;
  }
}

// Claude Code's tool-chain run as both paths see it: its OTLP export and its transcript.
struct BothPaths {
  const std::string id = "0e99a893-c444-4c7b-8eec-d3ef3c1fec2b";
  const std::string transcript =
      kData + "/claude/tool-chain/home/.claude/projects/-tmp-am-agents-claude-tool-chain-project/" + id + ".jsonl";
  const std::string tokens = "opencode_tokens_total{agent=\"claude_code\",model=\"claude-sonnet-4-5-20250929\",type=\"input\"}";

  // The session's spend in /metrics once it reached `input` tokens and stayed there a while.
  static Samples counted(CollectorProcess& c, const std::string& key, double input) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (metric(c, key) < input && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::this_thread::sleep_for(std::chrono::seconds(3));  // a second pass or export would show here
    return c.samples();
  }

  void expect_counted_once(const Samples& s) const {
    EXPECT_EQ(sample(s, tokens), 2520);
    EXPECT_EQ(sample(s, "opencode_tokens_total{agent=\"claude_code\",model=\"claude-sonnet-4-5-20250929\",type=\"cache_read\"}"), 19200);
    EXPECT_NEAR(sample(s, "opencode_cost_usd_total{agent=\"claude_code\",model=\"claude-sonnet-4-5-20250929\"}").value_or(0), 0.0188925,
                1e-9);
    EXPECT_EQ(sample(s, "opencode_agent_tool_calls_total{agent=\"claude_code\",tool=\"Bash\",success=\"true\"}"), 1);
    EXPECT_EQ(sample(s, "opencode_api_requests_total{agent=\"claude_code\",model=\"claude-sonnet-4-5-20250929\",status=\"200\"}"), 3);
  }

  // After the daemon stopped (the receiver stores its sessions then): one row, the import's.
  static void expect_one_task(const std::string& store) {
    const auto events = stored_events(store);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].fields["origin"], "import");
    EXPECT_EQ(events[0].fields["tokens_input"], 2520);
    EXPECT_EQ(events[0].fields["tool_calls"], 2);
    EXPECT_TRUE(events[0].fields.contains("project"));
  }
};

TEST(SessionWatcher, ASessionTheOtlpReceiverCountedFirstIsStoredOnceAndNotCountedAgain) {
  TempDir dir;
  BothPaths both;
  const std::string store = dir.path() + "/events.db";
  fs::create_directories(dir.path() + "/claude/projects");
  fs::create_directories(dir.path() + "/codex/sessions");
  // The receiver stores the session once it is quiet for 10 s, before the transcript appears.
  CollectorProcess collector(unique_namespace("both"),
                             {"--config=" + config_file(dir.path(), "otlp:\n  sessionIdle: 10s\n"), "--store=" + store});
  replay_otlp(collector, "claude/tool-chain");
  auto s = BothPaths::counted(collector, both.tokens, 2520);
  both.expect_counted_once(s);
  ASSERT_EQ(wait_for_stored_events(store, 1, std::chrono::seconds(40)).size(), 1u);
  EXPECT_EQ(stored_events(store)[0].fields["origin"], "otlp");

  const std::string project = dir.path() + "/claude/projects/-work-tool-chain";
  fs::create_directories(project);
  fs::copy(both.transcript, project + "/" + both.id + ".jsonl");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto events = stored_events(store);
    if (!events.empty() && events[0].fields["origin"] == "import") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  s = BothPaths::counted(collector, both.tokens, 2520);
  both.expect_counted_once(s);
  EXPECT_EQ(sample(s, "opencode_sessions_total{agent=\"claude_code\"}"), 1);
  EXPECT_GE(sample(s, "agentmetrics_session_import_sessions_total").value_or(0), 1);
  EXPECT_EQ(collector.stop(), 0);
  BothPaths::expect_one_task(store);
}

TEST(SessionWatcher, ASessionTheWatcherCountedFirstIsNotCountedAgainByTheOtlpReceiver) {
  TempDir dir;
  BothPaths both;
  const std::string store = dir.path() + "/events.db";
  fs::create_directories(dir.path() + "/claude/projects");
  fs::create_directories(dir.path() + "/codex/sessions");
  CollectorProcess collector(unique_namespace("both"), {"--config=" + config_file(dir.path()), "--store=" + store});
  const std::string project = dir.path() + "/claude/projects/-work-tool-chain";
  fs::create_directories(project);
  // Written after the start: live spend, which the watcher counts.
  const auto lines = lines_of(both.transcript);
  write_slowly(project + "/" + both.id + ".jsonl", lines, 0, lines.size());
  auto s = BothPaths::counted(collector, both.tokens, 2520);
  both.expect_counted_once(s);
  EXPECT_EQ(sample(s, "agentmetrics_otlp_left_to_watcher_total"), 0);

  replay_otlp(collector, "claude/tool-chain");
  s = BothPaths::counted(collector, both.tokens, 2520);
  both.expect_counted_once(s);
  EXPECT_GT(sample(s, "agentmetrics_otlp_left_to_watcher_total").value_or(0), 0);
  // What only the receiver counts (the requests' durations) it still does.
  EXPECT_EQ(sample(s, "opencode_api_request_duration_seconds_count{agent=\"claude_code\",model=\"claude-sonnet-4-5-20250929\"}"), 3);
  EXPECT_EQ(collector.stop(), 0);
  BothPaths::expect_one_task(store);
}

TEST(SessionWatcher, ADaemonKilledMidSessionGoesOnFromItsMarks) {
  TempDir dir;
  const std::string store = dir.path() + "/events.db";
  const std::string id = "ffd1bc79-f936-41f0-af2e-c01271c16819";
  const std::string source = kData + "/claude/subagent/home/.claude/projects/-tmp-am-agents-claude-subagent-project/";
  const auto main_lines = lines_of(source + id + ".jsonl");
  const auto sub_lines = lines_of(source + id + "/subagents/agent-a3db17e77bdea19a5.jsonl");
  const std::string project = dir.path() + "/claude/projects/-work-app";
  fs::create_directories(project + "/" + id + "/subagents");
  fs::create_directories(dir.path() + "/codex");
  const std::string config = config_file(dir.path());
  auto collector =
      std::make_unique<CollectorProcess>(unique_namespace("watchkill"), std::vector<std::string>{"--config=" + config, "--store=" + store});
  // Kill it three times while the session (its main file and its subagent's) is written.
  const std::size_t parts = 4;
  for (std::size_t k = 0; k < parts; ++k) {
    write_slowly(project + "/" + id + ".jsonl", main_lines, k * main_lines.size() / parts, (k + 1) * main_lines.size() / parts);
    write_slowly(project + "/" + id + "/subagents/agent-a3db17e77bdea19a5.jsonl", sub_lines, k * sub_lines.size() / parts,
                 (k + 1) * sub_lines.size() / parts);
    if (k + 1 == parts) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + 400 * k));
    collector->process().signal(SIGKILL);
    ASSERT_TRUE(collector->process().wait(std::chrono::seconds(10)));
    collector = std::make_unique<CollectorProcess>(unique_namespace("watchkill"),
                                                   std::vector<std::string>{"--config=" + config, "--store=" + store});
  }
  const auto events = settled_tasks(store, 1, [](const StoredEvent& e) { return e.fields["tokens_input"] == 3750; });
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].fields["tokens_output"], 102);
  EXPECT_EQ(events[0].fields["tokens_cache_read"], 15300);
  EXPECT_EQ(events[0].fields["tool_calls"], 2);
  EXPECT_EQ(events[0].fields["cost_usd"], 0.0320325);
  EXPECT_EQ(collector->stop(), 0);
}

}  // namespace
