// The line format of the word lists compiled into cm (thesaurus.txt, symptoms.txt): one entry a
// line; empty lines and lines starting with # are skipped; an entry's parts apart by separators.
#pragma once

#include <cstddef>
#include <string_view>

namespace agentmetrics::learning {

// Calls `entry(line, offset)` for each entry of `text`, `offset` being where the line starts in
// `text` (the parsers keep places in the whole text, which is stemmed in one pass).
template <typename Entry>
void each_entry_line(std::string_view text, Entry&& entry) {
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.front() != '#') entry(line, start);
    start = end + 1;
  }
}

// Calls `piece(begin, end)` for each piece of `part` between `separator`s, trimmed of spaces
// and tabs, skipping empty ones; `begin` and `end` are places in the whole text, `part` starting
// at `offset` in it.
template <typename Piece>
void each_piece(std::string_view part, std::size_t offset, std::string_view separator, Piece&& piece) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  std::size_t from = 0;
  while (from <= part.size()) {
    std::size_t end = part.find(separator, from);
    if (end == std::string_view::npos) end = part.size();
    std::size_t b = from, e = end;
    while (b < e && space(part[b])) ++b;
    while (e > b && space(part[e - 1])) --e;
    if (e > b) piece(offset + b, offset + e);
    from = end + separator.size();
  }
}

}  // namespace agentmetrics::learning
