// The line format of the word lists compiled into cm (thesaurus.txt, symptoms.txt): one entry a
// line; empty lines and lines starting with # are skipped.
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

}  // namespace agentmetrics::learning
