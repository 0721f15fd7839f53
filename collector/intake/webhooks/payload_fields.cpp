#include "collector/intake/webhooks/payload_fields.h"

#include <cmath>

namespace agentmetrics::intake {

const nlohmann::json* member(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  const auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

const nlohmann::json& object_member(const nlohmann::json& object, const char* key) {
  static const nlohmann::json empty = nlohmann::json::object();
  const nlohmann::json* m = member(object, key);
  return m && m->is_object() ? *m : empty;
}

std::string text_member(const nlohmann::json& object, const char* key) {
  const nlohmann::json* m = member(object, key);
  return m && m->is_string() ? m->get<std::string>() : std::string();
}

std::optional<double> number_member(const nlohmann::json& object, const char* key) {
  const nlohmann::json* m = member(object, key);
  if (!m || !m->is_number()) return std::nullopt;
  const double value = m->get<double>();
  return std::isfinite(value) ? std::optional(value) : std::nullopt;
}

bool flag_member(const nlohmann::json& object, const char* key, bool otherwise) {
  const nlohmann::json* m = member(object, key);
  return m && m->is_boolean() ? m->get<bool>() : otherwise;
}

std::string id_member(const nlohmann::json& object, const char* key) {
  const nlohmann::json* m = member(object, key);
  if (!m) return {};
  if (m->is_string()) return m->get<std::string>();
  if (m->is_number_unsigned()) return std::to_string(m->get<std::uint64_t>());
  if (m->is_number_integer()) return std::to_string(m->get<std::int64_t>());
  return {};
}

}  // namespace agentmetrics::intake
