// The one grammar of durations, for every configuration key (store.retention,
// cass_memory.reflectionInterval, kpi.windows, ...) and every command-line option that takes
// one: a whole number followed by one unit, s, m, h, d or w ("30s", "15m", "24h", "7d", "2w"),
// as Prometheus writes them (without its ms, y and combined forms). Zero ("0s") is a duration;
// each key states its own bounds.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace agentmetrics {

// Throws std::invalid_argument with a message that quotes the text, says what is wrong with it
// and shows the form.
std::chrono::seconds parse_duration(std::string_view text);

// The inverse, as labels print a duration: the largest unit that divides it, a day as "24h"
// ("7d", "90m", "45s"); parse_duration(format_duration(d)) == d.
std::string format_duration(std::chrono::seconds duration);

}  // namespace agentmetrics
