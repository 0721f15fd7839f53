// An agent's session as a task outcome event, whichever way it reaches agentmetrics: its
// OpenTelemetry export (otlp/) or the files it wrote (sessions/). One task per session: the
// event's key is the agent and the session's id (intake_producer_id("session/<agent>", id),
// sequence 1; common/intake_key.h), so the same session seen twice is one row however it came.
//
// Privacy by default (docs/otlp.md): the session's id is stored as a digest unless
// `keep_session_ids`; text (title, snippet) is bounded by `max_text_bytes` (0: none kept);
// user ids, e-mails and prompts never reach the event; of the tool calls, only the facts of
// common/tool_failure_facts.h do (no command or error text).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "collector/common/intake_key.h"
#include "collector/common/rule_markers.h"
#include "collector/common/tool_failure_facts.h"
#include "collector/intake/model_prices.h"
#include "ipc/outcome_event.h"

namespace agentmetrics::intake {

struct SessionTask {
  std::string agent;       // claude_code, codex, gemini_cli, opencode
  std::string session_id;  // the agent's own
  std::string origin;      // otlp or import
  double started = 0;      // unix seconds
  double ended = 0;
  bool success = true;
  std::string failure_type;  // when it failed: api_error_<status>, interrupted, ...
  std::string model;
  TokenCounts tokens;
  std::optional<double> cost_usd;
  double tool_calls = 0, tool_errors = 0, api_errors = 0, edits_accepted = 0, edits_rejected = 0, prompts = 0;
  std::optional<double> prompts_useful;           // prompts the user did not have to correct
  std::string intervention;                       // why a person stepped in (interrupted, edit_rejected, ...); empty: nobody did
  double lines_proposed = 0, lines_accepted = 0;  // lines of code the agent's edits proposed, and of those applied
  std::string title, approach, snippet, project, git_branch;
  ToolFailureFacts tool_failures;             // what failed, for the failure patterns of the reflection
  std::vector<FeedbackMarker> rule_feedback;  // the agent's inline feedback on rules cm showed it
};

struct SessionPrivacy {
  bool keep_session_ids = false;
  std::size_t max_text_bytes = 300;  // the snippet length cm shows
};

// The task event of `session` (agent_type = the agent, task_type = "session").
ipc::OutcomeEvent to_outcome_event(const SessionTask& session, const SessionPrivacy& privacy);

}  // namespace agentmetrics::intake
