// Claude Code's hooks as `cm hook claude-code` answers them (docs/learning.md, "Claude Code").
// Claude Code runs the command with one JSON object on stdin: session_id, transcript_path, cwd,
// hook_event_name, and per event prompt (UserPromptSubmit), source (SessionStart) or error_type
// (StopFailure). For UserPromptSubmit and SessionStart it adds the additionalContext of a
// {"hookSpecificOutput": {...}} printed on stdout to what the model reads (a system reminder
// beside the prompt, shown with the real Claude Code in tests/agents/README.md).
//
//   UserPromptSubmit  the prompt is the task: its context, whose rules are remembered for the
//                     session (LearningStore::remember_given: on the embedded store or the team's)
//   SessionStart      only after a compaction (source "compact"): the rules the session was given,
//                     again, since the summary may have dropped them; a new session has no task yet
//   Stop              the turn ended: first the inline feedback in the agent's answers
//                     ("[cass: helpful b-8f3a2c]", common/rule_markers.h), then the outcome for the
//                     rules given and not graded yet, a success unless the transcript's last
//                     answer is Claude Code's own error message
//   StopFailure       the turn ended in an API error: the inline feedback, then failure type
//                     APIError, which blames no rule
//                     (blame.h) but uses up the session's grade for the rules it was given
//   SessionEnd        as Stop, for rules given after the last one (a turn interrupted by the user
//                     is failure type "interrupted", which blames no rule either)
// Any other event answers nothing. The session is known to the store by its digest
// (common/intake_key.h), never by its id.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "collector/learning/learning_store.h"

namespace agentmetrics::learning {

// What to print on stdout for one hook call; empty: nothing. Throws LearningError for input
// that is not a hook's (no session id, a prompt that is not text) and the store's errors: the
// command logs them and exits 0 without output, so that a hook never breaks a session.
std::string answer_claude_code_hook(const nlohmann::json& input, LearningStore& store);

// What the end of a session's transcript says (at most its last 256 KiB are read; a file that
// cannot be read says nothing).
struct TranscriptTail {
  // Why the last turn failed: "APIError" when Claude Code wrote its own error as the answer
  // (model "<synthetic>"), "interrupted" when the user interrupted it, "" otherwise.
  std::string failure;
  std::string agent_text;  // the text of the model's answers, for their feedback markers
};
TranscriptTail read_transcript_tail(const std::string& path);

}  // namespace agentmetrics::learning
