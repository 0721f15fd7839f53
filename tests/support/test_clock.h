// The fixed time the unit tests stamp their events with, and its units, in seconds: one
// definition for the tests of one executable, which are compiled together.
#pragma once

namespace agentmetrics::testing {

inline constexpr double kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z
inline constexpr double kHour = 3600;
inline constexpr double kDay = 86400;

}  // namespace agentmetrics::testing
