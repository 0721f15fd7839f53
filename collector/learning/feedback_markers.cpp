#include "collector/learning/feedback_markers.h"

#include <algorithm>
#include <cctype>

namespace agentmetrics::learning {
namespace {

bool space(char c) { return c == ' ' || c == '\t'; }

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// "b-8f3a2c", "ap-1d2e3f4a": the ids the playbook gives (playbook.h).
bool rule_id(std::string_view id) {
  const std::size_t dash = id.find('-');
  if (dash == std::string_view::npos || (id.substr(0, dash) != "b" && id.substr(0, dash) != "ap")) return false;
  const std::string_view hex = id.substr(dash + 1);
  return hex.size() >= 6 && hex.size() <= 64 &&
         std::all_of(hex.begin(), hex.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

std::vector<FeedbackMarker> feedback_markers(std::string_view text) {
  std::vector<FeedbackMarker> out;
  for (std::size_t open = text.find('['); open != std::string_view::npos; open = text.find('[', open + 1)) {
    const std::size_t close = text.find(']', open);
    if (close == std::string_view::npos) break;
    std::string_view inside = text.substr(open + 1, close - open - 1);
    if (inside.size() > 100) continue;
    // cass : (helpful|harmful) id
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < inside.size()) {
      while (i < inside.size() && (space(inside[i]) || inside[i] == ':')) ++i;
      const std::size_t start = i;
      while (i < inside.size() && !space(inside[i]) && inside[i] != ':') ++i;
      if (i > start) words.push_back(inside.substr(start, i - start));
    }
    if (words.size() != 3 || lowered(words[0]) != "cass" || inside.find(':') == std::string_view::npos) continue;
    const std::string verdict = lowered(words[1]);
    if ((verdict != "helpful" && verdict != "harmful") || !rule_id(lowered(words[2]))) continue;
    const std::string id = lowered(words[2]);
    if (std::any_of(out.begin(), out.end(), [&](const FeedbackMarker& m) { return m.rule_id == id; })) continue;
    out.push_back({id, verdict == "helpful" ? FeedbackKind::kHelpful : FeedbackKind::kHarmful});
  }
  return out;
}

}  // namespace agentmetrics::learning
