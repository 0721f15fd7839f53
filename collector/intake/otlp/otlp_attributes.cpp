#include "collector/intake/otlp/otlp_attributes.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace agentmetrics::intake {
namespace {

using opentelemetry::proto::common::v1::AnyValue;

std::string text_of(const AnyValue& value) {
  switch (value.value_case()) {
    case AnyValue::kStringValue: return value.string_value();
    case AnyValue::kIntValue: return std::to_string(value.int_value());
    case AnyValue::kDoubleValue: {
      char buf[32];
      const auto end = std::to_chars(buf, buf + sizeof buf, value.double_value()).ptr;
      return std::string(buf, end);
    }
    case AnyValue::kBoolValue: return value.bool_value() ? "true" : "false";
    default: return {};
  }
}

std::uint64_t fnv(std::uint64_t hash, std::string_view text) {
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash * 1099511628211ULL;  // a separator, so ("ab","c") and ("a","bc") differ
}

}  // namespace

const AnyValue* find_attribute(const Attributes& attributes, std::string_view key) {
  for (const auto& kv : attributes) {
    if (kv.key() == key) return &kv.value();
  }
  return nullptr;
}

std::string text_attribute(const Attributes& attributes, std::string_view key) {
  const AnyValue* value = find_attribute(attributes, key);
  return value ? text_of(*value) : std::string();
}

std::optional<double> number_attribute(const Attributes& attributes, std::string_view key) {
  const AnyValue* value = find_attribute(attributes, key);
  if (!value) return std::nullopt;
  if (value->value_case() == AnyValue::kIntValue) return static_cast<double>(value->int_value());
  if (value->value_case() == AnyValue::kDoubleValue) {
    return std::isfinite(value->double_value()) ? std::optional<double>(value->double_value()) : std::nullopt;
  }
  if (value->value_case() == AnyValue::kStringValue) {
    const std::string& s = value->string_value();
    double parsed = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
    if (ec == std::errc() && end == s.data() + s.size() && std::isfinite(parsed)) return parsed;
  }
  return std::nullopt;
}

std::optional<bool> bool_attribute(const Attributes& attributes, std::string_view key) {
  const AnyValue* value = find_attribute(attributes, key);
  if (!value) return std::nullopt;
  if (value->value_case() == AnyValue::kBoolValue) return value->bool_value();
  if (value->value_case() == AnyValue::kStringValue) {
    if (value->string_value() == "true") return true;
    if (value->string_value() == "false") return false;
  }
  return std::nullopt;
}

std::uint64_t attributes_digest(const Attributes& attributes, std::uint64_t seed) {
  std::vector<std::pair<std::string_view, std::string>> sorted;
  sorted.reserve(static_cast<std::size_t>(attributes.size()));
  for (const auto& kv : attributes) sorted.emplace_back(kv.key(), text_of(kv.value()));
  std::sort(sorted.begin(), sorted.end());
  std::uint64_t hash = seed ^ 14695981039346656037ULL;
  for (const auto& [key, value] : sorted) hash = fnv(fnv(hash, key), value);
  return hash;
}

}  // namespace agentmetrics::intake
