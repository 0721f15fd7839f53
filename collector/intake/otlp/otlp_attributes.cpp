#include "collector/intake/otlp/otlp_attributes.h"

#include <bit>
#include <charconv>
#include <functional>
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

// libstdc++'s std::hash of bytes is a 64-bit Murmur, eight bytes a step: FNV's byte a step was
// the largest single cost of taking an export in (13% of the receiver's CPU, 7 attributes of some
// 50 bytes a point). Digests are compared within this process only, never stored.
std::uint64_t bytes_hash(std::string_view text) { return std::hash<std::string_view>{}(text); }

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
  // does not matter, and nothing is copied or sorted (this runs for every point). The key and the
  // value are hashed apart, so ("ab", "c") and ("a", "bc") differ; the value's type is mixed in.
  std::uint64_t sum = 0;
  for (const auto& kv : attributes) {
    const AnyValue& v = kv.value();
    std::uint64_t value = 0;
    switch (v.value_case()) {
      case AnyValue::kStringValue: value = bytes_hash(v.string_value()); break;
      case AnyValue::kIntValue: value = static_cast<std::uint64_t>(v.int_value()) * 0xD6E8FEB86659FD93ULL; break;
      case AnyValue::kDoubleValue: value = std::bit_cast<std::uint64_t>(v.double_value()) * 0xD6E8FEB86659FD93ULL; break;
      case AnyValue::kBoolValue: value = v.bool_value() ? 1 : 2; break;
      default: value = bytes_hash(text_of(v)); break;
    }
    std::uint64_t h = (bytes_hash(kv.key()) * 0x9E3779B97F4A7C15ULL) ^ (value + static_cast<std::uint64_t>(v.value_case()));
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 29;
    sum += h;
  }
  return (seed ^ 14695981039346656037ULL) + sum * 0xC2B2AE3D27D4EB4FULL;
}

}  // namespace agentmetrics::intake
