#include "collector/intake/webhooks/json_values.h"

#include <stdexcept>
#include <string>

namespace agentmetrics::intake {
namespace {

bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// The end of the value that starts at `begin` (an array or an object: the nesting is followed,
// strings skipped), checking its depth. Scalars at the top level are refused: no page is one.
std::size_t value_end(std::string_view text, std::size_t begin, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = begin; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth)
        throw std::invalid_argument("nested deeper than " + std::to_string(max_depth) + " at byte " + std::to_string(i));
    } else if (c == ']' || c == '}') {
      if (--depth == 0) return i + 1;
      if (depth < 0) break;
    }
  }
  throw std::invalid_argument("a JSON value starting at byte " + std::to_string(begin) + " does not end");
}

}  // namespace

std::vector<nlohmann::json> parse_json_values(std::string_view text, int max_depth) {
  std::vector<nlohmann::json> values;
  std::size_t at = 0;
  for (;;) {
    while (at < text.size() && blank(text[at])) ++at;
    if (at == text.size()) return values;
    if (text[at] != '[' && text[at] != '{') {
      throw std::invalid_argument("expected a JSON array or object at byte " + std::to_string(at));
    }
    const std::size_t end = value_end(text, at, max_depth);
    try {
      values.push_back(nlohmann::json::parse(text.substr(at, end - at)));
    } catch (const nlohmann::json::exception& e) {
      throw std::invalid_argument("the JSON value at byte " + std::to_string(at) + " is malformed: " + e.what());
    }
    at = end;
  }
}

}  // namespace agentmetrics::intake
