// Claude Code's transcripts (docs/import.md): ~/.claude/projects/<cwd with / as ->/<session>.jsonl,
// one JSON record a line, a resumed session appended to the same file, a subagent's records in
// <session>/subagents/agent-<id>.jsonl. What counts, record by record:
//   user        a prompt (string content or text blocks; not a subagent's delegated prompt, not
//               "[Request interrupted by user...]", which marks an interruption), or tool results
//               (is_error: failed; toolDenialKind user-rejected or a reject decision: rejected)
//   assistant   one model response per message.id + requestId, whatever number of lines it was
//               written as (each repeats the full usage); its tool_use blocks; its text is the
//               snippet. model "<synthetic>" is no response: the error written after a failed
//               request (isApiErrorMessage, apiErrorStatus), which ends the turn
//   system      subtype api_error: a failed request that was retried
//   cost-state  the session's cumulative cost in USD (resumes included)
//   attachment  only a hook's additional context (hook_additional_context): what a hook gave the
//               model beside the prompt, read for the rules cm showed (common/rule_markers.h)
// Every other record type (other attachments, api-request*, queue-operation, last-prompt, mode,
// tools-used, ...) is skipped before it is parsed.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "collector/intake/sessions/session_account.h"

namespace agentmetrics::intake {

// Whether a record of this top-level type, whose line is `line`, matters.
bool claude_record_needed(std::string_view type, std::string_view line);

// Adds one record to `account`. `main_stream`: the session's own file (a subagent's prompts
// are the parent's delegation, not the user's, and its cost is in the parent's cost-state).
void read_claude_record(const nlohmann::json& record, SessionAccount& account, bool main_stream);

}  // namespace agentmetrics::intake
