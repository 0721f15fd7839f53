// cm's answers for a person (without --json): one screen per command, from the same data the
// JSON envelope carries.
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>

namespace agentmetrics::cli {

// `command` is the envelope's name ("context", "playbook list", ...); an unknown one is
// printed as indented JSON.
void print_human(std::ostream& out, const std::string& command, const nlohmann::ordered_json& data);

}  // namespace agentmetrics::cli
