#include "collector/intake/otlp/otlp_labels.h"

#include <algorithm>
#include <cctype>

namespace agentmetrics::intake {
namespace {

bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

}  // namespace

std::string label_value(std::string_view text) {
  if (!valid_utf8(text)) return "invalid";
  if (text.size() <= 128) return std::string(text);
  std::size_t end = 128;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end));
}

bool is_label_value(std::string_view text) { return text.size() <= 128 && valid_utf8(text); }

std::string decision_value(std::string_view decision) {
  std::string d(decision);
  std::transform(d.begin(), d.end(), d.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (d == "accept" || d == "approved" || d == "auto_accept" || d == "allow" || d == "approved_for_session") return "accept";
  if (d == "reject" || d == "denied" || d == "abort" || d == "deny") return "reject";
  return label_value(d);
}

}  // namespace agentmetrics::intake
