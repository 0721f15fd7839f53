// One timestamp format, read and written: RFC 3339 (ipc/timestamp).
#include "ipc/timestamp.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <ctime>

namespace {

using agentmetrics::ipc::format_timestamp;
using agentmetrics::ipc::parse_timestamp;
using agentmetrics::ipc::ZonelessTime;
using namespace std::chrono_literals;

constexpr std::chrono::sys_seconds kNoon{std::chrono::seconds(1714564800)};  // 2024-05-01T12:00:00Z

TEST(Timestamp, WrittenInUtcToTheMillisecondAsGoWritesIt) {
  EXPECT_EQ(format_timestamp(kNoon), "2024-05-01T12:00:00Z");
  EXPECT_EQ(format_timestamp(kNoon + 1ms), "2024-05-01T12:00:00.001Z");
  EXPECT_EQ(format_timestamp(kNoon + 250ms), "2024-05-01T12:00:00.25Z");
  EXPECT_EQ(format_timestamp(kNoon + 123456789ns), "2024-05-01T12:00:00.123Z");  // cut, not rounded
  EXPECT_EQ(format_timestamp(std::chrono::system_clock::time_point{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_timestamp(std::chrono::sys_days{std::chrono::year{2000} / 2 / 29} + 23h + 59min + 59s + 999ms),
            "2000-02-29T23:59:59.999Z");
  EXPECT_EQ(format_timestamp(1795521600.0), "2026-11-24T12:00:00Z");
  EXPECT_EQ(format_timestamp(1795521600.5), "2026-11-24T12:00:00.5Z");
  EXPECT_EQ(format_timestamp(-0.5), "1969-12-31T23:59:59.5Z");
}

TEST(Timestamp, ReadsRfc3339WithAnyZoneAndFraction) {
  EXPECT_EQ(parse_timestamp("2026-11-24T12:00:00Z"), 1795521600.0);
  EXPECT_EQ(parse_timestamp("2026-11-24t12:00:00z"), 1795521600.0);
  EXPECT_EQ(parse_timestamp("2026-11-24 12:00:00Z"), 1795521600.0);
  EXPECT_EQ(parse_timestamp("2026-11-24T14:00:00+02:00"), 1795521600.0);
  EXPECT_EQ(parse_timestamp("2026-11-24T14:00:00+0200"), 1795521600.0);
  EXPECT_EQ(parse_timestamp("2026-11-24T06:30:00-05:30"), 1795521600.0);
  EXPECT_EQ(parse_timestamp("2026-11-24T12:00:00.5Z"), 1795521600.5);
  EXPECT_EQ(parse_timestamp("2026-11-24T12:00:00,25Z"), 1795521600.25);
  EXPECT_NEAR(*parse_timestamp("2026-11-24T12:00:00.123456789Z"), 1795521600.123456789, 1e-6);
  EXPECT_EQ(parse_timestamp("2026-11-24"), 1795478400.0);           // a date alone is its midnight
  EXPECT_EQ(parse_timestamp("2026-11-24T12:00:00"), 1795521600.0);  // no zone: UTC unless told otherwise
  // What it writes it reads.
  EXPECT_EQ(parse_timestamp(format_timestamp(kNoon + 250ms)), 1714564800.25);
}

TEST(Timestamp, RefusesWhatIsNotADateAndTime) {
  for (const char* text : {"", "yesterday", "2026-11-24T", "2026-11-24T12:00", "2026-13-01", "2026-02-30", "2026-11-24T24:00:00Z",
                           "2026-11-24T12:60:00Z", "2026-11-24T12:00:00.Z", "2026-11-24T12:00:00+2", "2026-11-24T12:00:00+24:00",
                           "2026-11-24T12:00:00Zjunk", "26-11-24", "2026/11/24", "+2026-11-24", "1795521600"}) {
    EXPECT_EQ(parse_timestamp(text), std::nullopt) << text;
  }
}

TEST(Timestamp, ReadsAZonelessTimeAsTheMachinesLocalTimeWhenAsked) {
  const char* saved = std::getenv("TZ");
  const std::string previous = saved ? saved : "";
  ::setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);  // Paris, spelt out so that no zoneinfo is needed
  ::tzset();
  EXPECT_EQ(parse_timestamp("2026-11-24T13:00:00", ZonelessTime::kLocal), 1795521600.0);   // winter: +01:00
  EXPECT_EQ(parse_timestamp("2026-07-01T14:00:00", ZonelessTime::kLocal), 1782907200.0);   // summer: +02:00
  EXPECT_EQ(parse_timestamp("2026-11-24T12:00:00Z", ZonelessTime::kLocal), 1795521600.0);  // a zone given wins
  if (saved) {
    ::setenv("TZ", previous.c_str(), 1);
  } else {
    ::unsetenv("TZ");
  }
  ::tzset();
}

}  // namespace
