// Structured logging: one line per event on stderr, "time level message key=value ..." by
// default or one JSON object per line.
//
// Many lines can be caused from outside, as fast as that party likes: a producer's bad segment,
// a file renamed in a loop, a client's refused request. So every message (its text) has a
// budget: kLogBurst lines at once, then kLogLinesPerSecond. A line over the budget is not
// written but counted, and the next line of that message that is written carries the count
// (suppressed=N); report_suppressed_logs() writes the counts no later line has carried.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace agentmetrics {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

inline constexpr double kLogBurst = 20;
inline constexpr double kLogLinesPerSecond = 1;

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

// Lines left out by the budgets since the process started.
std::uint64_t log_lines_suppressed();
// For each message whose left-out lines no later line has reported, writes one line
// ("log lines suppressed", message=..., count=N) once its budget allows. agentmetricsd calls it
// every second, so a storm that stops is still accounted for.
void report_suppressed_logs();

}  // namespace agentmetrics
