#include "collector/intake/otlp/otlp_attributes.h"

#include <charconv>
#include <cmath>

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
  // Each key and value hashed on its own and the results added: the order the client sent them in
  // does not matter, and nothing is copied or sorted (this runs for every point).
  std::uint64_t sum = 0;
  for (const auto& kv : attributes) {
    std::uint64_t h = fnv(14695981039346656037ULL, kv.key());
    const AnyValue& v = kv.value();
    switch (v.value_case()) {
      case AnyValue::kStringValue: h = fnv(h, v.string_value()); break;
      case AnyValue::kIntValue: {
        const std::int64_t i = v.int_value();
        h = fnv(h, std::string_view(reinterpret_cast<const char*>(&i), sizeof i));
        break;
      }
      case AnyValue::kDoubleValue: {
        const double d = v.double_value();
        h = fnv(h, std::string_view(reinterpret_cast<const char*>(&d), sizeof d));
        break;
      }
      case AnyValue::kBoolValue: h = fnv(h, v.bool_value() ? "true" : "false"); break;
      default: h = fnv(h, text_of(v)); break;
    }
    h ^= h >> 31;
    sum += h * 0x9E3779B97F4A7C15ULL;
  }
  return (seed ^ 14695981039346656037ULL) + sum * 0xC2B2AE3D27D4EB4FULL;
}

}  // namespace agentmetrics::intake
