// agentmetrics record <event> --field value ...
#include <cstdio>

#include <nlohmann/json.hpp>

#include "collector/cli/agentmetrics/commands.h"
#include "collector/cli/agentmetrics/event_recording.h"
#include "collector/cli/agentmetrics/field_arguments.h"

namespace agentmetrics::cli {

void add_record_command(CLI::App& app, int& result) {
  auto* cmd = app.add_subcommand("record",
                                 "Record one outcome event: agentmetrics record task --agent_type build --task_type bugfix "
                                 "--success true --duration_seconds 640 (see `agentmetrics events` for the fields)");
  struct Options {
    std::string kind;
    std::string at;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  cmd->add_option("event", options->kind, "task, pipeline, test_run, coverage, lint, deployment, pull_request, bug, commit or tech_debt")
      ->required();
  cmd->add_option("--at", options->at, "when it happened: Unix seconds or 2026-11-24T10:00:00Z (default: now)");
  cmd->add_flag("--json", options->json, "print what was recorded as JSON");
  cmd->allow_extras();
  cmd->callback([cmd, options, &result] {
    try {
      Event event(options->kind);
      nlohmann::json fields = nlohmann::json::object();
      for (const auto& [name, value] : parse_field_arguments(cmd->remaining())) {
        event.parse(name, value);
        fields[name] = value;
      }
      if (!options->at.empty()) {
        ipc::FieldSpec at{.id = 0, .name = "--at", .type = ipc::FieldType::kTime, .required = true, .help = ""};
        event.at(std::get<double>(ipc::parse_field_value(at, options->at)));
      }
      if (!record_or_explain(event)) {
        result = kExitFailed;
        return;
      }
      if (options->json)
        std::printf("%s\n", nlohmann::json{{"recorded", true}, {"event", options->kind}, {"fields", fields}}.dump().c_str());
    } catch (const std::invalid_argument& e) {
      std::fprintf(stderr, "agentmetrics record: %s\n", e.what());
      result = kExitBadInput;
    }
  });
}

}  // namespace agentmetrics::cli
