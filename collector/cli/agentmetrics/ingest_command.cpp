// agentmetrics ingest junit|lcov|cobertura|sarif|git <path>: reports and history to events;
// agentmetrics ingest github FILE...: a GitHub repository's history (github_ingest.h).
#include <chrono>
#include <cstdio>
#include <thread>

#include <nlohmann/json.hpp>

#include "collector/cli/agentmetrics/commands.h"
#include "collector/cli/agentmetrics/event_recording.h"
#include "collector/cli/agentmetrics/github_ingest.h"
#include "collector/ingest/git_history.h"
#include "collector/ingest/ingest.h"
#include "collector/ingest/ingest_error.h"

namespace agentmetrics::cli {
namespace {

// A long history can fill the ring faster than the collector drains it: a dropped event is
// tried again for a while, as long as the collector is draining at all.
constexpr auto kRetryPause = std::chrono::milliseconds(2);
constexpr auto kRetryBudget = std::chrono::seconds(10);

bool record_patiently(const Event& event, std::chrono::steady_clock::time_point& budget_end) {
  while (!event.record()) {
    if (!connected() || std::chrono::steady_clock::now() >= budget_end) return false;
    std::this_thread::sleep_for(kRetryPause);
  }
  return true;
}

nlohmann::json to_json(const ipc::OutcomeEvent& e) {
  nlohmann::json fields = nlohmann::json::object();
  for (const auto& field : e.fields) std::visit([&](const auto& v) { fields[field.first] = v; }, field.second);
  return {{"event", ipc::find_kind(e.kind)->name}, {"time", e.time}, {"fields", fields}};
}

}  // namespace

void add_ingest_command(CLI::App& app, int& result) {
  auto* cmd = app.add_subcommand("ingest",
                                 "Record the events of a report: a JUnit XML test report, an lcov or Cobertura coverage "
                                 "report, a SARIF lint report, a git repository's history (see docs/ingest.md), or a GitHub "
                                 "repository's pull requests, workflow runs, deployments and issues as the REST API answers "
                                 "them (see docs/webhooks.md)");
  struct Options {
    std::string format;
    std::vector<std::string> paths;
    std::string store;
    std::string config;
    ingest::GitHistoryOptions git;
    std::uint64_t max_count = 0;
    bool dry_run = false;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  cmd->add_option("format", options->format, "junit, lcov, cobertura, sarif, git or github")->required();
  cmd->add_option("path", options->paths, "the report file, the repository for git, or the saved API answers for github")->required();
  cmd->add_option("--store", options->store, "github: the store to write (default: the configuration's, as agentmetrics kpi finds it)");
  cmd->add_option("--config", options->config, "github: the collector's configuration file, for webhooks.* and store.path");
  cmd->add_option("--since", options->git.since, "git: only commits after this (git log --since, e.g. 2026-11-01)");
  cmd->add_option("--until", options->git.until, "git: only commits before this");
  cmd->add_option("--max-count", options->max_count, "git: only the newest N commits");
  cmd->add_flag("--dry-run", options->dry_run, "parse and print the events without recording them");
  cmd->add_flag("--json", options->json, "print the events as JSON");
  cmd->callback([options, &result] {
    if (options->format == "github") {
      result = ingest_github({options->paths, options->store, options->config, options->dry_run, options->json});
      return;
    }
    if (options->paths.size() != 1) {
      std::fprintf(stderr, "agentmetrics ingest %s: takes one path (github alone takes several)\n", options->format.c_str());
      result = kExitBadInput;
      return;
    }
    const std::string& path = options->paths.front();
    std::vector<ipc::OutcomeEvent> events;
    try {
      if (options->format == "git") {
        if (options->max_count > 0) options->git.max_count = options->max_count;
        events = ingest::ingest_git_history(path, options->git);
      } else {
        events = ingest::ingest(options->format, path);
      }
    } catch (const ingest::IngestError& e) {
      std::fprintf(stderr, "agentmetrics ingest: %s (nothing was recorded)\n", e.what());
      result = kExitBadInput;
      return;
    } catch (const std::invalid_argument& e) {
      std::fprintf(stderr, "agentmetrics ingest: %s\n", e.what());
      result = kExitBadInput;
      return;
    }
    std::size_t recorded = 0;
    if (!options->dry_run) {
      auto budget_end = std::chrono::steady_clock::now() + kRetryBudget;
      for (const auto& e : events) {
        if (!record_patiently(to_client_event(e), budget_end)) break;
        ++recorded;
      }
    }
    if (options->json) {
      nlohmann::json out = {{"format", options->format}, {"path", path}, {"events", nlohmann::json::array()}, {"recorded", recorded}};
      for (const auto& e : events) out["events"].push_back(to_json(e));
      std::printf("%s\n", out.dump(2).c_str());
    } else {
      for (const auto& e : events) std::printf("%s\n", to_json(e).dump().c_str());
      if (!options->dry_run)
        std::fprintf(stderr, "agentmetrics ingest: recorded %zu of %zu events from %s\n", recorded, events.size(), path.c_str());
    }
    if (!options->dry_run && recorded < events.size()) {
      const std::string why = last_error();
      std::fprintf(stderr, "agentmetrics ingest: %zu events were not written: %s\n", events.size() - recorded,
                   why.empty() ? "the ring stayed full (is the collector running?)" : why.c_str());
      result = kExitFailed;
      return;
    }
    result = 0;
  });
}

}  // namespace agentmetrics::cli
