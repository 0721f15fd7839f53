#include "collector/intake/session_task.h"

#include <algorithm>

namespace agentmetrics::intake {
namespace {

// At most `max` bytes of `text`, cut at a UTF-8 character boundary.
std::string bounded(const std::string& text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

// The tool_failures field's bound in the schema (ipc/outcome_event.cpp).
constexpr std::size_t kToolFailuresBytes = 640;  // what the largest task leaves of a frame, rule_feedback beside it
constexpr std::size_t kRuleFeedbackBytes = 128;  // the rule_feedback field's bound: a dozen markers

// A label value: at most 128 bytes, as the schema takes it.
std::string label(const std::string& text) { return bounded(text, 128); }

}  // namespace

ipc::OutcomeEvent to_outcome_event(const SessionTask& s, const SessionPrivacy& privacy) {
  ipc::OutcomeEvent e;
  e.kind = ipc::OutcomeKind::kTask;
  e.producer_id = session_producer_id(s.agent, s.session_id);
  e.sequence = 1;
  e.time = s.ended > 0 ? s.ended : s.started;
  auto& f = e.fields;
  f["agent_type"] = label(s.agent);
  f["task_type"] = std::string("session");
  f["success"] = s.success;
  f["duration_seconds"] = std::max(0.0, s.ended - s.started);
  f["origin"] = label(s.origin);
  if (!s.success && !s.failure_type.empty()) f["failure_type"] = label(s.failure_type);
  if (privacy.keep_session_ids) {
    f["session_id"] = bounded(s.session_id, 128);
  } else {
    f["session_id"] = session_digest(e.producer_id);
  }
  if (!s.model.empty()) f["model"] = label(s.model);
  const auto count = [&](const char* name, double value) {
    if (value > 0) f[name] = value;
  };
  count("tokens_input", s.tokens.input);
  count("tokens_output", s.tokens.output);
  count("tokens_cache_read", s.tokens.cache_read);
  count("tokens_cache_creation", s.tokens.cache_creation);
  if (s.cost_usd) f["cost_usd"] = std::max(0.0, *s.cost_usd);
  count("tool_calls", s.tool_calls);
  count("tool_errors", s.tool_errors);
  count("api_errors", s.api_errors);
  count("edits_accepted", s.edits_accepted);
  count("edits_rejected", s.edits_rejected);
  count("prompts_sent", s.prompts);
  if (s.prompts > 0 && s.prompts_useful) f["prompts_useful"] = std::clamp(*s.prompts_useful, 0.0, s.prompts);
  if (!s.intervention.empty()) {
    f["human_intervention"] = true;
    f["intervention_reason"] = label(s.intervention);
  }
  if (s.lines_proposed > 0) {
    f["ai_lines_generated"] = s.lines_proposed;
    f["ai_lines_accepted"] = std::clamp(s.lines_accepted, 0.0, s.lines_proposed);
  }
  if (privacy.max_text_bytes > 0) {
    if (!s.title.empty()) f["title"] = bounded(s.title, std::min<std::size_t>(privacy.max_text_bytes, 256));
    if (!s.snippet.empty()) f["snippet"] = bounded(s.snippet, std::min<std::size_t>(privacy.max_text_bytes, 1024));
  }
  if (!s.approach.empty()) f["approach"] = bounded(s.approach, 128);
  if (!s.project.empty()) f["project"] = label(s.project);
  if (!s.git_branch.empty()) f["git_branch"] = label(s.git_branch);
  if (std::string facts = s.tool_failures.to_text(kToolFailuresBytes); !facts.empty()) f["tool_failures"] = std::move(facts);
  if (std::string markers = rule_feedback_text(s.rule_feedback, kRuleFeedbackBytes); !markers.empty())
    f["rule_feedback"] = std::move(markers);
  return e;
}

}  // namespace agentmetrics::intake
