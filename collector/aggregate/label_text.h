// A series' labels as the exposition formats write them, built once when the series is
// admitted: `name="value",name="value"`, each value escaped (backslash, double quote and
// newline), in the family's label order. The text is also the series' identity within its
// family: escaping is reversible, so two label sets have the same text only if they are equal.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace agentmetrics::collector {

// Appends a label value escaped as the text format and OpenMetrics require.
void append_label_value(std::string& out, std::string_view value);
// `names[i]="values[i]"`, comma-separated; empty when there are no labels.
std::string label_text(const std::vector<std::string>& names, const std::vector<std::string>& values);

// Calls visit(name, value) for each label of a text label_text() built, the value unescaped
// into a buffer reused between calls.
template <typename Visit>
void for_each_label(std::string_view text, Visit&& visit) {
  std::string value;
  while (!text.empty()) {
    const auto equals = text.find('=');
    const std::string_view name = text.substr(0, equals);
    value.clear();
    std::size_t i = equals + 2;  // past ="
    for (; i < text.size() && text[i] != '"'; ++i) {
      if (text[i] == '\\' && i + 1 < text.size()) {
        ++i;
        value += text[i] == 'n' ? '\n' : text[i];
      } else {
        value += text[i];
      }
    }
    visit(name, std::string_view(value));
    text.remove_prefix(std::min(text.size(), i + 2));  // past the closing quote and the comma
  }
}

}  // namespace agentmetrics::collector
