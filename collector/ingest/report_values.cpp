#include "collector/ingest/report_values.h"

#include <charconv>
#include <chrono>
#include <cmath>

#include "collector/ingest/ingest_error.h"
#include "ipc/names.h"

namespace agentmetrics::ingest {

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

}  // namespace agentmetrics::ingest
