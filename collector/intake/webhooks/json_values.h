// The JSON values of a file one after another, as `gh api --paginate` writes a page after a page
// ("[...][...]"), each parsed on its own.
#pragma once

#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace agentmetrics::intake {

// Parses every top-level value of `text` (separated by nothing or by whitespace). Throws
// std::invalid_argument saying where for text that is not such values, or for a value nested
// deeper than `max_depth`.
std::vector<nlohmann::json> parse_json_values(std::string_view text, int max_depth = 64);

}  // namespace agentmetrics::intake
