// Codex's rollouts (docs/import.md): $CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread>.jsonl,
// one per thread, `codex exec resume` appending to the same file. Each line is
// {timestamp, type, payload}; what counts:
//   session_meta     the thread (id; a subagent's parent_thread_id), cwd, git branch
//   turn_context     the model of the turns that follow (no other record names it)
//   event_msg        token_count: the thread's running token total (input includes the cached
//                    part, OpenAI's convention), counted as the difference from the last one;
//                    task_complete (with error: the turn failed), turn_aborted (interrupted),
//                    user_message / item_completed UserMessage (a prompt), error, stream_error
//   response_item    function_call, custom_tool_call, local_shell_call and their outputs (the exit
//                    code in the output text), assistant messages (the snippet)
// Everything else (world_state, developer messages, token_usage_record, ...) is skipped. Codex
// reports no cost: the price table prices the tokens.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "collector/intake/sessions/session_account.h"

namespace agentmetrics::intake {

bool codex_record_needed(std::string_view type);

void read_codex_record(const nlohmann::json& record, SessionAccount& account);

// The session a rollout belongs to, from its session_meta record: the thread's own id, or its
// parent's for a subagent's thread. Empty when `record` is no session_meta.
std::string codex_session_of(const nlohmann::json& record);

}  // namespace agentmetrics::intake
