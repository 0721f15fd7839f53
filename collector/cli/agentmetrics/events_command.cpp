// agentmetrics events: the kinds of outcome events and their fields.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "collector/cli/agentmetrics/commands.h"
#include "ipc/outcome_event.h"

namespace agentmetrics::cli {
namespace {

const char* type_name(ipc::FieldType type) {
  switch (type) {
    case ipc::FieldType::kText: return "text";
    case ipc::FieldType::kLabel: return "label";
    case ipc::FieldType::kCount: return "count";
    case ipc::FieldType::kPercent: return "percent";
    case ipc::FieldType::kSeconds: return "number";
    case ipc::FieldType::kTime: return "time";
    case ipc::FieldType::kBool: return "bool";
  }
  return "?";
}

}  // namespace

void add_events_command(CLI::App& app, int& result) {
  auto* cmd = app.add_subcommand("events", "List the outcome events and their fields");
  auto json = std::make_shared<bool>(false);
  cmd->add_flag("--json", *json, "as JSON");
  cmd->callback([json, &result] {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& kind : ipc::outcome_kinds()) {
      if (!*json) std::printf("%s: %s\n", std::string(kind.name).c_str(), std::string(kind.help).c_str());
      nlohmann::json fields = nlohmann::json::array();
      for (const auto& f : kind.fields) {
        if (!*json) {
          std::printf("  --%-22s %-8s %-9s %s\n", std::string(f.name).c_str(), type_name(f.type), f.required ? "required" : "",
                      std::string(f.help).c_str());
        }
        fields.push_back({{"name", f.name}, {"type", type_name(f.type)}, {"required", f.required}, {"help", f.help}});
      }
      out.push_back({{"event", kind.name}, {"help", kind.help}, {"fields", fields}});
    }
    if (*json) std::printf("%s\n", out.dump(2).c_str());
    result = 0;
  });
}

}  // namespace agentmetrics::cli
