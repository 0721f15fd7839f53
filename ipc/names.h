// The Prometheus rules for metric names, label names and label values, shared by the client
// library (which refuses a bad name at declaration) and the collector (which re-checks all it
// reads from a segment).
#pragma once

#include <string_view>

namespace agentmetrics::ipc {

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool is_valid_metric_name(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved for Prometheus), not "le" or
// "quantile" (reserved for histogram and summary samples).
bool is_valid_label_name(std::string_view name);
// Well-formed UTF-8 (no overlong forms, no surrogates) without NUL bytes.
bool is_valid_utf8_text(std::string_view text);

}  // namespace agentmetrics::ipc
