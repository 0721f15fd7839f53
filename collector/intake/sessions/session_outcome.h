// How an imported session went, judged from how it ended (docs/import.md, "Outcome"). The
// first rule that holds decides:
//   1. api_error_<status>  the last turn ended on a failed model request (no answer came);
//   2. interrupted         the user interrupted the last turn;
//   3. test_failure        the last test command the agent ran failed;
//   4. edit_rejected       the last edit the agent proposed was rejected;
//   5. user_correction     the last prompt told the agent it was wrong, and it did nothing since;
// otherwise the session succeeded. A person stepped in (human_intervention) when the user
// interrupted, rejected an edit or another tool call, or corrected the agent; prompts the user
// had to correct are not counted as useful.
//
// And the approach label of a session, from the kinds of tools it used:
//   delegated (a subagent did part), edit_and_test, edit, test, shell, explore (reads and
//   searches only), web_research, answer (no tool at all).
#pragma once

#include <string>

#include "collector/intake/session_task.h"
#include "collector/intake/sessions/session_account.h"

namespace agentmetrics::intake {

// Sets success, failure_type, intervention and prompts_useful of `task` from the main stream.
void judge_outcome(const SessionAccount& main, SessionTask& task);

// The approach label of a session that used `tools` (calls by tool name) and ran tests or not.
std::string approach_of(const std::map<std::string, double, std::less<>>& tools, bool ran_tests);

}  // namespace agentmetrics::intake
