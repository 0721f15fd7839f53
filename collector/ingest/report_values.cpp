#include "collector/ingest/report_values.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>

#include "collector/ingest/ingest_error.h"
#include "ipc/names.h"

namespace agentmetrics::ingest {
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

bool expect_char(std::string_view text, std::size_t& at, char c) {
  if (at >= text.size() || text[at] != c) return false;
  ++at;
  return true;
}

}  // namespace

std::optional<double> parse_non_negative(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  if (!std::isfinite(value) || value < 0) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> parse_count(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parse_iso8601(std::string_view text) {
  std::size_t at = 0;
  const auto year = fixed_digits(text, at, 4);
  if (!year || !expect_char(text, at, '-')) return std::nullopt;
  const auto month = fixed_digits(text, at, 2);
  if (!month || !expect_char(text, at, '-')) return std::nullopt;
  const auto day = fixed_digits(text, at, 2);
  if (!day || !(expect_char(text, at, 'T') || expect_char(text, at, ' '))) return std::nullopt;
  const auto hour = fixed_digits(text, at, 2);
  if (!hour || !expect_char(text, at, ':')) return std::nullopt;
  const auto minute = fixed_digits(text, at, 2);
  if (!minute || !expect_char(text, at, ':')) return std::nullopt;
  const auto second = fixed_digits(text, at, 2);
  if (!second) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year{*year}, std::chrono::month{static_cast<unsigned>(*month)},
                                         std::chrono::day{static_cast<unsigned>(*day)}};
  if (!date.ok() || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;

  double fraction = 0;
  if (expect_char(text, at, '.') || expect_char(text, at, ',')) {
    double scale = 0.1;
    const std::size_t first = at;
    for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, scale /= 10) {
      fraction += (text[at] - '0') * scale;
    }
    if (at == first) return std::nullopt;
  }

  const int clock_seconds = *hour * 3600 + *minute * 60 + *second;
  if (at == text.size()) {
    std::tm tm{};
    tm.tm_year = *year - 1900;
    tm.tm_mon = *month - 1;
    tm.tm_mday = *day;
    tm.tm_hour = *hour;
    tm.tm_min = *minute;
    tm.tm_sec = *second;
    tm.tm_isdst = -1;  // let the zone rules say whether summer time applied
    const std::time_t local = std::mktime(&tm);
    if (local == static_cast<std::time_t>(-1)) return std::nullopt;
    return static_cast<double>(local) + fraction;
  }
  int offset_seconds = 0;
  if (!expect_char(text, at, 'Z')) {
    const char sign = text[at++];
    if (sign != '+' && sign != '-') return std::nullopt;
    const auto offset_hours = fixed_digits(text, at, 2);
    if (!offset_hours) return std::nullopt;
    expect_char(text, at, ':');
    const auto offset_minutes = fixed_digits(text, at, 2);
    if (!offset_minutes || *offset_hours > 23 || *offset_minutes > 59) return std::nullopt;
    offset_seconds = (sign == '+' ? 1 : -1) * (*offset_hours * 3600 + *offset_minutes * 60);
  }
  if (at != text.size()) return std::nullopt;
  const auto days = std::chrono::sys_days(date).time_since_epoch().count();
  return static_cast<double>(days) * 86400.0 + clock_seconds - offset_seconds + fraction;
}

std::optional<std::string> bounded_text(std::string_view text, std::size_t max_bytes) {
  if (!ipc::is_valid_utf8_text(text)) return std::nullopt;
  if (text.size() > max_bytes) {
    std::size_t cut = max_bytes;
    // Back up over continuation bytes (10xxxxxx) so no character is split.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut);
  }
  return std::string(text);
}

std::string quoted_excerpt(std::string_view text, std::size_t max_bytes) {
  std::string out = "\"";
  for (const char c : text.substr(0, max_bytes)) out += (c >= ' ' && c <= '~') ? c : '?';
  out += text.size() > max_bytes ? "...\"" : "\"";
  return out;
}

void require_valid_events(const std::string& source, const std::vector<ipc::OutcomeEvent>& events) {
  for (const ipc::OutcomeEvent& event : events) {
    if (std::string why = ipc::check_event(event); !why.empty()) {
      throw IngestError(source, 0, "the report gives an invalid event: " + why);
    }
  }
}

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace agentmetrics::ingest
