// agentmetrics-demo: a stand-in for a coding agent and its pipeline, so that a newcomer sees
// the catalogue move, the store fill and the KPIs change. It records outcome events through
// the public C++ API only.
#include <agentmetrics/agentmetrics.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <thread>

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 10.0;
  if (!(seconds > 0)) {
    std::fprintf(stderr, "usage: agentmetrics-demo [SECONDS]   (default 10)\n");
    return 2;
  }
  // The catalogue's families are declared by recording: an outcome event moves the metric it
  // matches (docs/events.md).
  agentmetrics::Event("coverage").set("percent", 80.0).record();
  if (!agentmetrics::connected()) {
    std::fprintf(stderr, "agentmetrics-demo: no segment: %s\n", agentmetrics::last_error().c_str());
    return 1;
  }

  std::mt19937 rng(42);
  std::uniform_real_distribution<double> unit(0, 1);
  const char* agents[] = {"build", "plan", "general"};
  const char* types[] = {"feature", "bugfix", "refactor"};
  const char* stages[] = {"lint", "test", "build"};
  std::uint64_t tasks = 0;
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    const char* agent = agents[rng() % 3];
    const bool helped = unit(rng) < 0.1;
    // Simulated durations: agents take minutes, not the demo's milliseconds.
    agentmetrics::Event task("task");
    task.set("agent_type", agent).set("task_type", types[rng() % 3]).set("stage", "implement");
    task.set("success", unit(rng) < 0.85).set("duration_seconds", 60 + unit(rng) * 3000);
    task.set("human_intervention", helped).set("ai_lines_generated", 100.0).set("ai_lines_accepted", 70 + unit(rng) * 30);
    task.set("prompts_sent", 10.0).set("prompts_useful", 7 + std::floor(unit(rng) * 4)).set("time_saved_seconds", unit(rng) * 3000);
    if (helped) task.set("intervention_reason", unit(rng) < 0.5 ? "clarification" : "wrong_approach");
    // Tokens and cost, as an agent's telemetry or session files report them (page: /ui).
    const double input = 20000 + static_cast<double>(tasks % 7) * 5000, output = 2000 + static_cast<double>(tasks % 5) * 800;
    // The build agent on the larger model; prices in US dollars per token.
    const bool large = std::string_view(agent) == "build";
    task.set("model", large ? "claude-sonnet-4-5" : "claude-haiku-4-5").set("tokens_input", input).set("tokens_output", output);
    task.set("cost_usd", large ? input * 3e-6 + output * 15e-6 : input * 1e-6 + output * 5e-6);
    task.record();
    agentmetrics::Event pipeline("pipeline");
    const bool pipeline_ok = unit(rng) < 0.92;
    pipeline.set("stage", stages[rng() % 3]).set("success", pipeline_ok).set("duration_seconds", 5 + unit(rng) * 200);
    if (!pipeline_ok) pipeline.set("failure_type", unit(rng) < 0.5 ? "test_failure" : "timeout");
    pipeline.record();
    if (unit(rng) < 0.3) agentmetrics::Event("lint").set(unit(rng) < 0.2 ? "errors" : "warnings", 1.0).record();
    agentmetrics::Event("coverage").set("percent", 78 + unit(rng) * 10).record();
    ++tasks;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::printf("agentmetrics-demo: recorded %llu simulated tasks, %llu events dropped\n", static_cast<unsigned long long>(tasks),
              static_cast<unsigned long long>(agentmetrics::dropped_events()));
  return 0;
}
