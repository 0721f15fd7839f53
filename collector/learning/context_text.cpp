#include "collector/learning/context_text.h"

#include "collector/learning/text_tokens.h"
#include "ipc/timestamp.h"

namespace agentmetrics::learning {
namespace {

// "learning, added by reflection, 2026-11-02"
std::string origin(const ContextBullet& b) {
  std::string text(to_string(b.source));
  if (!b.added_by.empty()) text += ", added by " + b.added_by;
  if (b.created > 0) text += ", " + ipc::format_timestamp(b.created).substr(0, 10);
  return text;
}

template <typename Item>
void section(std::string& text, std::string_view heading, const std::vector<Item>& items) {
  if (items.empty()) return;
  text += "\n";
  text += heading;
  for (const auto& item : items) text += "\n" + context_line(item);
}

}  // namespace

std::string context_line(const ContextBullet& rule) { return "- [" + rule.id + "] " + rule.content + " (" + origin(rule) + ")"; }

std::string context_line(const HistoryHit& task) {
  return "- " + without_control_characters(task.title) + " (" + (task.success ? "success" : "failure") + ", " +
         format_duration(task.duration_seconds) + "): " + without_control_characters(task.snippet);
}

std::string context_text(const ContextResult& context) {
  std::string text;
  section(text, kRulesHeading, context.relevant_bullets);
  section(text, kAvoidHeading, context.anti_patterns);
  section(text, kHistoryHeading, context.history_snippets);
  return text.empty() ? text : std::string(kContextHeading) + text;
}

std::int64_t approximate_tokens(std::string_view text) { return static_cast<std::int64_t>((text.size() + 3) / 4); }

}  // namespace agentmetrics::learning
