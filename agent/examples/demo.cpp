// agentmetrics-demo: a stand-in for a coding agent and its pipeline, so that a newcomer sees
// every family of the catalogue move. It records through the public C++ API only.
#include <agentmetrics/agentmetrics.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 10.0;
  if (!(seconds > 0)) {
    std::fprintf(stderr, "usage: agentmetrics-demo [SECONDS]   (default 10)\n");
    return 2;
  }
  const std::string p = agentmetrics::metric_prefix();
  agentmetrics::HistogramFamily task_duration(p + "_task_duration_seconds", "Task completion duration in seconds",
                                              {"agent_type", "task_type", "stage", "success"}, {60, 300, 900, 1800, 3600});
  agentmetrics::CounterFamily task_total(p + "_task_total", "Total tasks executed", {"agent_type", "task_type", "success"});
  agentmetrics::GaugeFamily coverage(p + "_code_coverage_percent", "Code coverage percentage");
  agentmetrics::CounterFamily lint(p + "_lint_errors_total", "Total lint errors", {"severity"});
  agentmetrics::HistogramFamily pipeline(p + "_pipeline_duration_seconds", "Pipeline execution duration", {"stage", "success"},
                                         {10, 30, 60, 120, 300});
  agentmetrics::CounterFamily pipeline_failures(p + "_pipeline_failures_total", "Total pipeline failures", {"stage", "failure_type"});
  agentmetrics::GaugeFamily ai_success(p + "_ai_success_rate", "AI task success rate", {"agent_type"});
  agentmetrics::CounterFamily interventions(p + "_human_interventions_total", "Total human interventions", {"reason"});
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
    const char* type = types[rng() % 3];
    const bool ok = unit(rng) < 0.85;
    const std::string success = ok ? "true" : "false";
    // Simulated durations: agents take minutes, not the demo's milliseconds.
    task_total.with({agent, type, success}).inc();
    task_duration.with({agent, type, "implement", success}).observe(60 + unit(rng) * 3000);
    const char* stage = stages[rng() % 3];
    const bool pipeline_ok = unit(rng) < 0.92;
    pipeline.with({stage, pipeline_ok ? "true" : "false"}).observe(5 + unit(rng) * 200);
    if (!pipeline_ok) pipeline_failures.with({stage, unit(rng) < 0.5 ? "test_failure" : "timeout"}).inc();
    if (unit(rng) < 0.3) lint.with({unit(rng) < 0.2 ? "error" : "warning"}).inc();
    if (unit(rng) < 0.1) interventions.with({unit(rng) < 0.5 ? "clarification" : "wrong_approach"}).inc();
    coverage.with({}).set(78 + unit(rng) * 10);
    ai_success.with({agent}).set(0.7 + unit(rng) * 0.2);
    ++tasks;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::printf("agentmetrics-demo: recorded %llu simulated tasks, %llu events dropped\n",
              static_cast<unsigned long long>(tasks), static_cast<unsigned long long>(agentmetrics::dropped_events()));
  return 0;
}
