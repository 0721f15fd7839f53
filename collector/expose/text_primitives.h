// The pieces both exposition formats (Prometheus text 0.0.4 and OpenMetrics 1.0) are written
// with, appended to a std::string: numbers as prometheus-cpp's serializer writes them, and
// escaped label values and help texts.
#pragma once

#include <string>
#include <string_view>

namespace agentmetrics::collector {

// A double as prometheus-cpp 1.0's TextSerializer writes it (printf's %.16g; Nan, +Inf, -Inf),
// without its stream.
void append_value(std::string& out, double value);
void append_integer(std::string& out, std::uint64_t value);
// A label value: backslash, double quote and newline escaped.
void append_label_value(std::string& out, std::string_view value);
// A HELP text: backslash and newline escaped.
void append_help(std::string& out, std::string_view help);

}  // namespace agentmetrics::collector
