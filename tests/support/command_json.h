// The JSON document a command printed with --json: its output from the first '{' on (a
// warning on stderr may come before it).
#pragma once

#include <nlohmann/json.hpp>

#include "tests/support/process.h"

namespace agentmetrics::testing {

inline nlohmann::json json_of(const CommandResult& r) { return nlohmann::json::parse(r.output.substr(r.output.find('{'))); }

}  // namespace agentmetrics::testing
