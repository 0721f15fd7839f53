#include "collector/common/duration.h"

#include <charconv>
#include <cstdint>
#include <limits>
#include <stdexcept>

namespace agentmetrics {

std::chrono::seconds parse_duration(std::string_view text) {
  const auto fail = [&](const std::string& why) {
    return std::invalid_argument("\"" + std::string(text) + "\" is not a duration: " + why +
                                 "; expected a whole number followed by s, m, h, d or w, like 24h, 7d or 90m");
  };
  if (text.empty()) throw fail("it is empty");
  if (text.front() == '-') throw fail("it is negative");
  std::int64_t count = 0;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const auto [number_end, ec] = std::from_chars(begin, end, count);
  if (number_end == begin) throw fail("it does not start with a number");
  if (ec == std::errc::result_out_of_range) throw fail("the number is too large");
  if (number_end == end) throw fail("the unit is missing (90s for seconds)");
  if (number_end + 1 != end) throw fail("unknown unit \"" + std::string(number_end, end) + "\"");
  std::int64_t unit = 0;
  switch (*number_end) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
    default: throw fail("unknown unit \"" + std::string(number_end, end) + "\"");
  }
  // Bounded so that no multiplication overflows, here or in milliseconds (an HTTP timeout).
  if (count > std::numeric_limits<std::int64_t>::max() / 1000 / unit) throw fail("the number is too large");
  return std::chrono::seconds(count * unit);
}

std::string format_duration(std::chrono::seconds duration) {
  const std::int64_t s = duration.count();
  if (s > 0 && s % 86400 == 0 && s != 86400) return std::to_string(s / 86400) + "d";
  if (s > 0 && s % 3600 == 0) return std::to_string(s / 3600) + "h";
  if (s > 0 && s % 60 == 0) return std::to_string(s / 60) + "m";
  return std::to_string(s) + "s";
}

}  // namespace agentmetrics
