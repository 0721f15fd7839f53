#include "ipc/timestamp.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>

namespace agentmetrics::ipc {
namespace {

// Reads exactly `width` digits at `at`, advancing it.
std::optional<int> fixed_digits(std::string_view text, std::size_t& at, std::size_t width) {
  if (text.size() - at < width) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[at + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  at += width;
  return value;
}

bool take(std::string_view text, std::size_t& at, char c) {
  if (at >= text.size() || text[at] != c) return false;
  ++at;
  return true;
}

}  // namespace

std::optional<double> parse_timestamp(std::string_view text, ZonelessTime zoneless) {
  std::size_t at = 0;
  const auto year = fixed_digits(text, at, 4);
  if (!year || !take(text, at, '-')) return std::nullopt;
  const auto month = fixed_digits(text, at, 2);
  if (!month || !take(text, at, '-')) return std::nullopt;
  const auto day = fixed_digits(text, at, 2);
  if (!day) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok()) return std::nullopt;

  int hour = 0, minute = 0, second = 0;
  double fraction = 0;
  if (at < text.size()) {
    if (!(take(text, at, 'T') || take(text, at, 't') || take(text, at, ' '))) return std::nullopt;
    const auto h = fixed_digits(text, at, 2);
    if (!h || !take(text, at, ':')) return std::nullopt;
    const auto m = fixed_digits(text, at, 2);
    if (!m || !take(text, at, ':')) return std::nullopt;
    const auto s = fixed_digits(text, at, 2);
    if (!s || *h > 23 || *m > 59 || *s > 60) return std::nullopt;  // 60: a leap second
    hour = *h, minute = *m, second = *s;
    if (take(text, at, '.') || take(text, at, ',')) {
      double scale = 0.1;
      const std::size_t first = at;
      for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, scale /= 10) fraction += (text[at] - '0') * scale;
      if (at == first) return std::nullopt;
    }
  }

  if (at == text.size() && zoneless == ZonelessTime::kLocal) {
    std::tm tm{};
    tm.tm_year = *year - 1900;
    tm.tm_mon = *month - 1;
    tm.tm_mday = *day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    tm.tm_isdst = -1;  // the zone rules say whether summer time applied
    const std::time_t local = std::mktime(&tm);
    if (local == static_cast<std::time_t>(-1)) return std::nullopt;
    return static_cast<double>(local) + fraction;
  }
  int offset_seconds = 0;
  if (at < text.size() && !take(text, at, 'Z') && !take(text, at, 'z')) {
    const char sign = text[at++];
    if (sign != '+' && sign != '-') return std::nullopt;
    const auto offset_hours = fixed_digits(text, at, 2);
    if (!offset_hours) return std::nullopt;
    take(text, at, ':');
    const auto offset_minutes = fixed_digits(text, at, 2);
    if (!offset_minutes || *offset_hours > 23 || *offset_minutes > 59) return std::nullopt;
    offset_seconds = (sign == '+' ? 1 : -1) * (*offset_hours * 3600 + *offset_minutes * 60);
  }
  if (at != text.size()) return std::nullopt;
  const auto days = std::chrono::sys_days(date).time_since_epoch().count();
  return static_cast<double>(days) * 86400.0 + hour * 3600 + minute * 60 + second - offset_seconds + fraction;
}

std::string format_timestamp(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(time);
  const auto day = floor<days>(ms);
  const year_month_day date{day};
  const hh_mm_ss clock{ms - day};
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<int>(clock.hours().count()), static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()));
  std::string out = buffer;
  if (const auto millis = clock.subseconds().count(); millis != 0) {
    std::snprintf(buffer, sizeof buffer, ".%03d", static_cast<int>(millis));
    std::string fraction = buffer;
    while (fraction.back() == '0') fraction.pop_back();
    out += fraction;
  }
  return out + 'Z';
}

std::string format_timestamp(double unix_seconds) {
  if (!std::isfinite(unix_seconds)) unix_seconds = 0;
  const auto ms = static_cast<std::int64_t>(std::floor(unix_seconds * 1000.0));
  return format_timestamp(std::chrono::system_clock::time_point{std::chrono::milliseconds(ms)});
}

}  // namespace agentmetrics::ipc
