#include "collector/intake/webhooks/forge_time.h"

#include <string>

#include "ipc/timestamp.h"

namespace agentmetrics::intake {

std::optional<double> forge_time(const nlohmann::json* value) {
  if (!value || !value->is_string()) return std::nullopt;
  std::string text = value->get<std::string>();
  // GitLab's " UTC" is a zone; its " +0200" is an offset after a space, which RFC 3339 does
  // not allow between the time and its offset.
  if (text.ends_with(" UTC")) {
    text.replace(text.size() - 4, 4, "Z");
  } else if (text.size() > 6 && text[text.size() - 6] == ' ' && (text[text.size() - 5] == '+' || text[text.size() - 5] == '-')) {
    text.erase(text.size() - 6, 1);
  }
  // RFC 3339 needs a zone; parse_timestamp would read a zoneless time as UTC.
  const bool zoned = text.ends_with('Z') || text.ends_with('z') || text.find_first_of("+-", 19) != std::string::npos;
  if (!zoned || text.size() < 20) return std::nullopt;
  return ipc::parse_timestamp(text);
}

std::optional<double> forge_time(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return std::nullopt;
  const auto it = object.find(key);
  return it == object.end() ? std::nullopt : forge_time(&*it);
}

}  // namespace agentmetrics::intake
