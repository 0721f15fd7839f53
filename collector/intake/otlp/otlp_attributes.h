// Reading OTLP attributes the way the real clients write them: a number may come as an int, a
// double or a string ("12", Codex's token counts), a boolean as a bool or "true", an event's
// name in the `event.name` attribute rather than the record's name. Nothing here trusts a
// value's type; what does not read as asked is absent.
#pragma once

#include <opentelemetry/proto/common/v1/common.pb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agentmetrics::intake {

using Attributes = google::protobuf::RepeatedPtrField<opentelemetry::proto::common::v1::KeyValue>;

const opentelemetry::proto::common::v1::AnyValue* find_attribute(const Attributes& attributes, std::string_view key);
// A string, or a number or boolean written as text; empty when absent or of another type.
std::string text_attribute(const Attributes& attributes, std::string_view key);
// An int, a double or a string that is a whole finite number; nothing otherwise.
std::optional<double> number_attribute(const Attributes& attributes, std::string_view key);
// A bool, or the text "true" / "false".
std::optional<bool> bool_attribute(const Attributes& attributes, std::string_view key);

// A 64-bit digest of attributes whatever their order, to tell one stream of points from another.
std::uint64_t attributes_digest(const Attributes& attributes, std::uint64_t seed);

}  // namespace agentmetrics::intake
