#include "collector/intake/sessions/json_fields.h"

#include <algorithm>
#include <cmath>

#include "ipc/timestamp.h"

namespace agentmetrics::intake {

const nlohmann::json* member(const nlohmann::json& j, std::string_view key) {
  if (!j.is_object()) return nullptr;
  const auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string text_of(const nlohmann::json& j, std::string_view key) {
  const nlohmann::json* m = member(j, key);
  return m && m->is_string() ? m->get<std::string>() : std::string();
}

double count_of(const nlohmann::json& j, std::string_view key) {
  const nlohmann::json* m = member(j, key);
  if (!m || !m->is_number()) return 0;
  const double v = m->get<double>();
  return std::isfinite(v) && v > 0 ? v : 0;
}

bool flag_of(const nlohmann::json& j, std::string_view key) {
  const nlohmann::json* m = member(j, key);
  return m && m->is_boolean() && m->get<bool>();
}

double time_of(const nlohmann::json& j, std::string_view key) {
  const nlohmann::json* m = member(j, key);
  if (!m) return 0;
  if (m->is_string()) return ipc::parse_timestamp(m->get_ref<const std::string&>()).value_or(0);
  if (m->is_number()) {
    const double ms = m->get<double>();
    return std::isfinite(ms) && ms > 0 ? ms / 1000 : 0;
  }
  return 0;
}

nlohmann::json parse_object_bounded(std::string_view text, std::size_t max_string) {
  const nlohmann::json::parser_callback_t shrink = [max_string](int, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::value && parsed.is_string()) {
      const auto& s = parsed.get_ref<const std::string&>();
      if (s.size() > max_string) {
        const auto lines = static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')) + (s.back() == '\n' ? 0 : 1);
        parsed = std::string(lines, '\n');
      }
    }
    return true;
  };
  nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), shrink, false);
  return j.is_object() ? j : nlohmann::json::object();
}

std::string directory_name(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  const std::size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace agentmetrics::intake
