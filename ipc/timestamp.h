// Timestamps, written and read in one format everywhere: RFC 3339.
//
// Writing (logs, /health, JSON answers, the KPI report, the Alertmanager payload): UTC with a
// "Z", to the millisecond, the fraction's trailing zeros dropped and no fraction for a whole
// second, as Go's time.RFC3339Nano writes a millisecond clock: 2026-11-24T10:00:00Z,
// 2026-11-24T10:00:00.25Z.
//
// Reading (outcome-event times, report files): a full date (2026-11-24, midnight), or a date,
// "T" (or "t" or a space) and hh:mm:ss, then any number of fraction digits (after "." or ","),
// then "Z", "z", +hh:mm, -hh:mm or +hhmm. A time with no zone is an error in RFC 3339; the
// caller says what it means: UTC, or the local time of the machine (what JUnit writers such
// as pytest, Surefire and GoogleTest write).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace agentmetrics::ipc {

enum class ZonelessTime { kUtc, kLocal };

// Seconds since the Unix epoch, or nullopt when `text` is not such a timestamp (or names an
// impossible date or time).
std::optional<double> parse_timestamp(std::string_view text, ZonelessTime zoneless = ZonelessTime::kUtc);

std::string format_timestamp(std::chrono::system_clock::time_point time);
std::string format_timestamp(double unix_seconds);

}  // namespace agentmetrics::ipc
