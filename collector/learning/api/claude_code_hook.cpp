#include "collector/learning/api/claude_code_hook.h"

#include <fstream>
#include <string_view>
#include <vector>

#include "collector/common/intake_key.h"
#include "collector/learning/context_text.h"
#include "collector/learning/learning_error.h"
#include "collector/learning/project_scope.h"
#include "collector/learning/text_tokens.h"

namespace agentmetrics::learning {
namespace {

constexpr std::size_t kMaxTranscriptTail = 256 * 1024;
constexpr std::size_t kMaxPromptBytes = 10000;  // what context() takes

std::string text_field(const nlohmann::json& input, const char* name) {
  if (!input.contains(name) || input[name].is_null()) return "";
  if (!input[name].is_string()) throw input_error("INVALID_HOOK_INPUT", std::string("the hook's ") + name + " is not text");
  return input[name].get<std::string>();
}

std::string additional_context(std::string_view event, const std::string& text) {
  if (text.empty()) return "";
  const nlohmann::json out = {{"hookSpecificOutput", {{"hookEventName", event}, {"additionalContext", text}}}};
  return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> rule_ids(const ContextResult& context) {
  std::vector<std::string> ids;
  for (const auto* list : {&context.relevant_bullets, &context.anti_patterns}) {
    for (const auto& b : *list) ids.push_back(b.id);
  }
  return ids;
}

// The rules a session was given, as a context lists them (those removed since are left out).
ContextResult given_context(LearningStore& store, const std::string& session) {
  ContextResult context;
  const double t = store.now();
  for (const auto& id : store.given_rules(session)) {
    const auto b = store.find(id);
    if (!b || !b->active) continue;
    (b->kind == BulletKind::kAntiPattern ? context.anti_patterns : context.relevant_bullets)
        .push_back({b->id, truncated_text(without_control_characters(b->content), kMaxRuleBytes),
                    b->confidence_at(t, store.settings().reflection.model), b->evidence_count, b->source, b->added_by, b->created});
  }
  return context;
}

bool interrupted(const nlohmann::json& content) {
  constexpr std::string_view kMarker = "[Request interrupted by user";
  if (content.is_string()) return content.get<std::string>().rfind(kMarker, 0) == 0;
  if (!content.is_array()) return false;
  for (const auto& part : content) {
    if (part.is_object() && part.value("type", "") == "text" && part.contains("text") && part["text"].is_string() &&
        part["text"].get<std::string>().rfind(kMarker, 0) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

TranscriptTail read_transcript_tail(const std::string& path) {
  TranscriptTail result;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return result;
  const std::streamoff size = in.tellg();
  const std::streamoff from =
      size > static_cast<std::streamoff>(kMaxTranscriptTail) ? size - static_cast<std::streamoff>(kMaxTranscriptTail) : 0;
  in.seekg(from);
  std::string tail(static_cast<std::size_t>(size - from), '\0');
  if (!in.read(tail.data(), static_cast<std::streamsize>(tail.size()))) return result;
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < tail.size()) {
    std::size_t end = tail.find('\n', start);
    if (end == std::string::npos) end = tail.size();
    if (end > start && !(start == 0 && from > 0)) lines.emplace_back(tail.data() + start, end - start);  // not a cut first line
    start = end + 1;
  }
  bool last_seen = false;  // the last answer or interruption, which says whether the turn failed
  for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
    const nlohmann::json entry = nlohmann::json::parse(*line, nullptr, false);
    if (!entry.is_object() || !entry.contains("message") || !entry["message"].is_object()) continue;
    const std::string type = entry.value("type", "");
    const nlohmann::json& message = entry["message"];
    const bool synthetic = message.value("model", "") == "<synthetic>";
    if (type == "assistant" && !last_seen) {
      last_seen = true;
      if (synthetic) result.failure = "APIError";
    } else if (type == "user" && !last_seen && message.contains("content") && interrupted(message["content"])) {
      last_seen = true;
      result.failure = "interrupted";
    }
    // Only the model's own text: a tool's output (a file, a web page) is the user's side.
    if (type != "assistant" || synthetic || !message.contains("content") || !message["content"].is_array()) continue;
    for (const auto& part : message["content"]) {
      if (part.is_object() && part.value("type", "") == "text" && part.contains("text") && part["text"].is_string())
        result.agent_text += part["text"].get<std::string>() + "\n";
    }
  }
  return result;
}

std::string answer_claude_code_hook(const nlohmann::json& input, LearningStore& store) {
  if (!input.is_object()) throw input_error("INVALID_HOOK_INPUT", "the hook's input is not a JSON object");
  const std::string event = text_field(input, "hook_event_name");
  const std::string session_id = text_field(input, "session_id");
  if (session_id.empty()) throw input_error("INVALID_HOOK_INPUT", "the hook's input has no session_id");
  // The store keeps the session's digest, as the import's task event of the same session does
  // (common/intake_key.h): never the id, and the feedback of both counts once.
  const std::string session = session_digest("claude_code", session_id);

  if (event == "UserPromptSubmit") {
    std::string prompt = text_field(input, "prompt");
    if (!valid_utf8(prompt)) throw input_error("INVALID_TEXT", "the prompt is not UTF-8 text");
    prompt = truncated_text(prompt, kMaxPromptBytes);
    if (content_words(prompt).empty()) return "";  // a slash command, an empty line: no task
    const ContextResult context = store.context(prompt, std::nullopt, project_of_directory(text_field(input, "cwd")));
    const auto ids = rule_ids(context);
    if (!ids.empty()) store.remember_given(session, ids, store.settings().learn_from_prompts ? prompt : "");
    std::string text = context_text(context);
    if (!ids.empty()) text += "\n" + std::string(kMarkerInvitation);
    return additional_context(event, text);
  }
  if (event == "SessionStart") {
    if (text_field(input, "source") != "compact") return "";
    const std::string text = context_text(given_context(store, session));
    return additional_context(event, text.empty() ? text : text + "\n" + std::string(kMarkerInvitation));
  }
  if (event == "StopFailure") {
    store.apply_markers(session, read_transcript_tail(text_field(input, "transcript_path")).agent_text);
    store.grade_session(session, false, "APIError");
    return "";
  }
  if (event == "Stop" || event == "SessionEnd") {
    const TranscriptTail tail = read_transcript_tail(text_field(input, "transcript_path"));
    store.apply_markers(session, tail.agent_text);
    store.grade_session(session, tail.failure.empty(), tail.failure);
    return "";
  }
  return "";
}

}  // namespace agentmetrics::learning
