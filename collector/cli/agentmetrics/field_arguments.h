// Event fields given on a command line as `--name value` or `--name=value` (dashes in a name
// read as underscores, so --agent-type is agent_type).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace agentmetrics::cli {

// Throws std::invalid_argument for a token that is not a --name or a name without a value.
std::vector<std::pair<std::string, std::string>> parse_field_arguments(const std::vector<std::string>& args);

}  // namespace agentmetrics::cli
