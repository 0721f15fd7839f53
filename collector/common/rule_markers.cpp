#include "collector/common/rule_markers.h"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace agentmetrics {
namespace {

bool space(char c) { return c == ' ' || c == '\t'; }

std::string lowered(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// The lines of `text` from `from`, each without its line end, until `each` returns false or the
// text ends; where the line it stopped at begins (the text's size at its end).
template <typename Each>
std::size_t lines_from(std::string_view text, std::size_t from, Each each) {
  while (from < text.size()) {
    std::size_t end = text.find('\n', from);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(from, end - from);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!each(line)) return from;
    from = end + 1;
  }
  return text.size();
}

// Where `needle` first is in `text` from `from`, by glibc's memmem: std::string_view::find compares
// at every byte equal to the needle's first, and most text a session holds is read here.
std::size_t find_from(std::string_view text, std::string_view needle, std::size_t from) {
  if (from > text.size()) return std::string_view::npos;
  const void* at = memmem(text.data() + from, text.size() - from, needle.data(), needle.size());
  return at ? static_cast<std::size_t>(static_cast<const char*>(at) - text.data()) : std::string_view::npos;
}

// Adds `id` when it is a rule's and new; false once `ids` holds `max`.
bool add_once(std::vector<std::string>& ids, std::string_view id, std::size_t max) {
  if (is_rule_id(id) && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.emplace_back(id);
  return ids.size() < max;
}

}  // namespace

bool is_rule_id(std::string_view id) {
  const std::size_t dash = id.find('-');
  if (dash == std::string_view::npos || (id.substr(0, dash) != "b" && id.substr(0, dash) != "ap")) return false;
  const std::string_view hex = id.substr(dash + 1);
  return hex.size() >= 6 && hex.size() <= 64 &&
         std::all_of(hex.begin(), hex.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f'); });
}

std::vector<FeedbackMarker> feedback_markers(std::string_view text, std::size_t max) {
  constexpr std::size_t kMaxInside = 100;
  std::vector<FeedbackMarker> out;
  for (std::size_t open = text.find('['); open != std::string_view::npos && out.size() < max; open = text.find('[', open + 1)) {
    // Only the next kMaxInside bytes are looked at: a text of many '[' is read once.
    const std::size_t close = text.substr(open + 1, kMaxInside + 1).find(']');
    if (close == std::string_view::npos) continue;
    const std::string_view inside = text.substr(open + 1, close);
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

std::vector<std::string> rules_shown_in(std::string_view text, std::size_t max) {
  std::vector<std::string> ids;
  if (max == 0) return ids;
  bool room = true;
  // The context: its heading, then headings of its lists ("Avoid:"), list lines and blank lines;
  // the first line of another shape ends it, and the next heading is looked for after it.
  for (std::size_t at = find_from(text, kContextHeading, 0); room && at != std::string_view::npos;) {
    const std::size_t heading_end = text.find('\n', at);
    const std::size_t end =
        lines_from(text, heading_end == std::string_view::npos ? text.size() : heading_end + 1, [&](std::string_view line) {
          if (line.starts_with("- [")) {
            const std::size_t close = line.find("] ", 3);
            if (close != std::string_view::npos) room = add_once(ids, line.substr(3, close - 3), max);
            return room;
          }
          return line.empty() || line.starts_with("- ") || line.back() == ':';
        });
    at = find_from(text, kContextHeading, end);
  }
  // The AGENTS.md block: "- rule (id)" lines between its markers; the next block after its end.
  for (std::size_t at = find_from(text, kAgentsMdBegin, 0); room && at != std::string_view::npos;) {
    const std::size_t end = find_from(text, kAgentsMdEnd, at);
    if (end == std::string_view::npos) break;
    lines_from(text.substr(0, end), at, [&](std::string_view line) {
      if (line.starts_with("- ") && line.back() == ')') {
        const std::size_t open = line.rfind(" (");
        if (open != std::string_view::npos) room = add_once(ids, line.substr(open + 2, line.size() - open - 3), max);
      }
      return room;
    });
    at = find_from(text, kAgentsMdBegin, end + kAgentsMdEnd.size());
  }
  return ids;
}

bool fetches_cm_context(std::string_view tool, std::string_view command) {
  if (tool.find("cm_context") != std::string_view::npos) return true;  // the MCP tool, whatever the client prefixes
  // A shell command whose first simple command runs cm (by any path) with the word context.
  command = command.substr(0, command.find_first_of(";&|\n"));
  std::vector<std::string_view> words;
  for (std::size_t at = command.find_first_not_of(" \t"); at != std::string_view::npos; at = command.find_first_not_of(" \t", at)) {
    const std::size_t end = std::min(command.find_first_of(" \t", at), command.size());
    words.push_back(command.substr(at, end - at));
    at = end;
  }
  return !words.empty() && (words[0] == "cm" || words[0].ends_with("/cm")) &&
         std::find(words.begin() + 1, words.end(), "context") != words.end();
}

}  // namespace agentmetrics
