#include "collector/common/rule_markers.h"

#include <algorithm>
#include <cctype>

namespace agentmetrics {
namespace {

bool space(char c) { return c == ' ' || c == '\t'; }

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// The lines of `text` from `from`, each without its line end, until `each` returns false.
template <typename Each>
void lines_from(std::string_view text, std::size_t from, Each each) {
  while (from <= text.size()) {
    std::size_t end = text.find('\n', from);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(from, end - from);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!each(line)) return;
    from = end + 1;
  }
}

void add_once(std::vector<std::string>& ids, std::string_view id) {
  if (is_rule_id(id) && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.emplace_back(id);
}

}  // namespace

bool is_rule_id(std::string_view id) {
  const std::size_t dash = id.find('-');
  if (dash == std::string_view::npos || (id.substr(0, dash) != "b" && id.substr(0, dash) != "ap")) return false;
  const std::string_view hex = id.substr(dash + 1);
  return hex.size() >= 6 && hex.size() <= 64 &&
         std::all_of(hex.begin(), hex.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f'); });
}

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
    const std::string id = lowered(words[2]);
    if ((verdict != "helpful" && verdict != "harmful") || !is_rule_id(id)) continue;
    if (std::any_of(out.begin(), out.end(), [&](const FeedbackMarker& m) { return m.rule_id == id; })) continue;
    out.push_back({id, verdict == "helpful"});
  }
  return out;
}

std::string rule_feedback_text(const std::vector<FeedbackMarker>& markers, std::size_t max_bytes) {
  std::string text;
  for (const auto& m : markers) {
    const std::string entry = (text.empty() ? "" : " ") + std::string(m.helpful ? "+" : "-") + m.rule_id;
    if (text.size() + entry.size() > max_bytes) break;
    text += entry;
  }
  return text;
}

std::vector<FeedbackMarker> parse_rule_feedback(std::string_view text) {
  std::vector<FeedbackMarker> out;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t end = text.find(' ', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view entry = text.substr(at, end - at);
    at = end + 1;
    if (entry.size() < 2 || (entry[0] != '+' && entry[0] != '-') || !is_rule_id(entry.substr(1))) continue;
    const std::string id(entry.substr(1));
    if (std::none_of(out.begin(), out.end(), [&](const FeedbackMarker& m) { return m.rule_id == id; }))
      out.push_back({id, entry[0] == '+'});
  }
  return out;
}

std::vector<std::string> rules_shown_in(std::string_view text) {
  std::vector<std::string> ids;
  // The context: its heading, then headings of its lists ("Avoid:"), list lines and blank lines;
  // the first line of another shape ends it.
  for (std::size_t at = text.find(kContextHeading); at != std::string_view::npos; at = text.find(kContextHeading, at + 1)) {
    bool heading = true;
    lines_from(text, at, [&](std::string_view line) {
      if (heading) {
        heading = false;
        return true;
      }
      if (starts_with(line, "- [")) {
        const std::size_t close = line.find("] ", 3);
        if (close != std::string_view::npos) add_once(ids, line.substr(3, close - 3));
        return true;
      }
      return line.empty() || starts_with(line, "- ") || line.back() == ':';
    });
  }
  // The AGENTS.md block: "- rule (id)" lines between its markers.
  for (std::size_t at = text.find(kAgentsMdBegin); at != std::string_view::npos; at = text.find(kAgentsMdBegin, at + 1)) {
    const std::size_t end = text.find(kAgentsMdEnd, at);
    if (end == std::string_view::npos) break;
    lines_from(text.substr(0, end), at, [&](std::string_view line) {
      if (starts_with(line, "- ") && line.back() == ')') {
        const std::size_t open = line.rfind(" (");
        if (open != std::string_view::npos) add_once(ids, line.substr(open + 2, line.size() - open - 3));
      }
      return true;
    });
  }
  return ids;
}

}  // namespace agentmetrics
