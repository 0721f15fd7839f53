// Strict readers for the values reports carry (numbers, times, names), shared by the parsers.
// Each returns nullopt for text that does not fit, so the caller can name the file and line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/outcome_event.h"

namespace agentmetrics::ingest {

// A finite decimal number >= 0 ("0.052", "12", "1e-3").
std::optional<double> parse_non_negative(std::string_view text);

// Decimal digits only, no sign, fitting 64 bits.
std::optional<std::uint64_t> parse_count(std::string_view text);

// `text` cut to at most `max_bytes` at a character boundary, or nullopt when it is not valid
// UTF-8 without NUL bytes (what an event's text field must be).
std::optional<std::string> bounded_text(std::string_view text, std::size_t max_bytes);

// `text` quoted for an error message: cut to `max_bytes`, bytes outside printable ASCII shown
// as '?', so that a hostile file cannot flood or garble the message.
std::string quoted_excerpt(std::string_view text, std::size_t max_bytes = 48);

// Throws IngestError (line 0) unless every event passes ipc::check_event: the last guard
// against values a report can still push out of range, such as times that add up to infinity.
void require_valid_events(const std::string& source, const std::vector<ipc::OutcomeEvent>& events);

}  // namespace agentmetrics::ingest
