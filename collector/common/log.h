// Structured logging: one line per event on stderr, "time level message key=value ..." by
// default or one JSON object per line.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace agentmetrics {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

struct LogField {
  std::string_view key;
  std::string value;
  bool literal = false;  // a number or a boolean: a JSON log writes it unquoted
  LogField(std::string_view k, std::string v) : key(k), value(std::move(v)) {}
  LogField(std::string_view k, const char* v) : key(k), value(v) {}
  LogField(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), literal(true) {}
  template <typename Number, typename = std::enable_if_t<std::is_arithmetic_v<Number>>>
  LogField(std::string_view k, Number v) : key(k), value(std::to_string(v)), literal(true) {}
};

// Throws std::invalid_argument for an unknown level name (debug, info, warn, error).
LogLevel parse_log_level(std::string_view name);
void configure_logging(LogLevel level, bool json);
void log(LogLevel level, std::string_view message, std::initializer_list<LogField> fields = {});

}  // namespace agentmetrics
