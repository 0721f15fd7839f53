// Reading OTLP attributes the way the real clients write them: a number may come as an int, a
// double or a string ("12", Codex's token counts), a boolean as a bool or "true", an event's
// name in the `event.name` attribute rather than the record's name. Nothing here trusts a
// value's type; what does not read as asked is absent.
//
// Templates over the attributes' container: the generated classes' repeated KeyValue, or the
// views of a metrics request read in place (metrics_request_view.h), which have the same
// accessors.
#pragma once

#include <opentelemetry/proto/common/v1/common.pb.h>

// xxHash's XXH3, inlined here: the digest below hashes some 14 short strings a point.
#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agentmetrics::intake {

using Attributes = google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>;

namespace attribute_detail {

using AnyValue = opentelemetry::proto::common::v1::AnyValue;

template <typename Value>
std::string text_of(const Value& value) {
  switch (value.value_case()) {
    case AnyValue::kStringValue: return std::string(value.string_value());
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

// XXH3 (64 bits): FNV's byte a step was the largest single cost of taking an export in (13% of
// the receiver's CPU, 7 attributes of some 50 bytes a point), libstdc++'s Murmur (std::hash, a
// call into the library, eight bytes a step) still 7%; XXH3 reads short strings in a few
// overlapping words, inlined. Not a cryptographic hash, and need not be: digests tell the streams
// of this process apart, are never stored, and a sender who could make two collide would only
// merge its own streams. 64 bits: the retried-export check keeps 64-bit keys.
inline std::uint64_t bytes_hash(std::string_view text) { return XXH3_64bits(text.data(), text.size()); }

}  // namespace attribute_detail

template <typename KeyValues>
const auto* find_attribute(const KeyValues& attributes, std::string_view key) {
  using Value = std::remove_cvref_t<decltype(attributes.begin()->value())>;
  for (const auto& kv : attributes) {
    if (kv.key() == key) return &kv.value();
  }
  return static_cast<const Value*>(nullptr);
}

// A string, or a number or boolean written as text; empty when absent or of another type.
template <typename KeyValues>
std::string text_attribute(const KeyValues& attributes, std::string_view key) {
  const auto* value = find_attribute(attributes, key);
  return value ? attribute_detail::text_of(*value) : std::string();
}

// An int, a double or a string that is a whole finite number; nothing otherwise.
template <typename KeyValues>
std::optional<double> number_attribute(const KeyValues& attributes, std::string_view key) {
  using attribute_detail::AnyValue;
  const auto* value = find_attribute(attributes, key);
  if (!value) return std::nullopt;
  if (value->value_case() == AnyValue::kIntValue) return static_cast<double>(value->int_value());
  if (value->value_case() == AnyValue::kDoubleValue) {
    return std::isfinite(value->double_value()) ? std::optional<double>(value->double_value()) : std::nullopt;
  }
  if (value->value_case() == AnyValue::kStringValue) {
    const std::string_view s = value->string_value();
    double parsed = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), parsed);
    if (ec == std::errc() && end == s.data() + s.size() && std::isfinite(parsed)) return parsed;
  }
  return std::nullopt;
}

// A bool, or the text "true" / "false".
template <typename KeyValues>
std::optional<bool> bool_attribute(const KeyValues& attributes, std::string_view key) {
  using attribute_detail::AnyValue;
  const auto* value = find_attribute(attributes, key);
  if (!value) return std::nullopt;
  if (value->value_case() == AnyValue::kBoolValue) return value->bool_value();
  if (value->value_case() == AnyValue::kStringValue) {
    if (value->string_value() == "true") return true;
    if (value->string_value() == "false") return false;
  }
  return std::nullopt;
}

// A 64-bit digest of attributes whatever their order, to tell one stream of points from another.
template <typename KeyValues>
std::uint64_t attributes_digest(const KeyValues& attributes, std::uint64_t seed) {
  using attribute_detail::AnyValue;
  using attribute_detail::bytes_hash;
  // Each key and value hashed on its own and the results added: the order the client sent them in
  // does not matter, and nothing is copied or sorted (this runs for every point). The key and the
  // value are hashed apart, so ("ab", "c") and ("a", "bc") differ; the value's type is mixed in.
  std::uint64_t sum = 0;
  for (const auto& kv : attributes) {
    const auto& v = kv.value();
    std::uint64_t value = 0;
    switch (v.value_case()) {
      case AnyValue::kStringValue: value = bytes_hash(v.string_value()); break;
      case AnyValue::kIntValue: value = static_cast<std::uint64_t>(v.int_value()) * 0xD6E8FEB86659FD93ULL; break;
      case AnyValue::kDoubleValue: value = std::bit_cast<std::uint64_t>(v.double_value()) * 0xD6E8FEB86659FD93ULL; break;
      case AnyValue::kBoolValue: value = v.bool_value() ? 1 : 2; break;
      default: value = bytes_hash(attribute_detail::text_of(v)); break;
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
