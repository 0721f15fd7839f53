// What one stream of an agent's session adds up to so far: a Claude Code transcript file (the
// main one or a subagent's), a Codex rollout thread, an opencode session (or a child session of
// a subagent). The readers (claude_transcript, codex_rollout, opencode_sessions) feed it record
// by record; it is kept in the store between imports (to_state / from_state), so that a file
// that grows is read on from where the last import stopped instead of from its start.
//
// A session's task is the accounts of its streams combined (session_task_of): tokens and tool
// calls add up, the outcome is judged on the main stream (session_outcome.h).
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "collector/common/rule_markers.h"
#include "collector/intake/model_prices.h"
#include "collector/intake/session_task.h"
#include "collector/intake/session_tool_failures.h"
#include "collector/intake/sessions/tool_kinds.h"

namespace agentmetrics::intake {

// A tool call whose result has not been read yet.
struct PendingTool {
  std::string name;
  ToolKind kind = ToolKind::kOther;
  bool runs_tests = false;
  double lines = 0;                        // lines an edit proposes
  std::string stage;                       // tool_stage()
  std::string command_ref, command_words;  // a shell command's (session_tool_failures.h); the command itself is not kept
  bool shows_rules = false;                // it fetches cm's context: its output shows rules (common/rule_markers.h)
};

struct SessionAccount {
  // Not kept in the state: the reader sets them for each stream.
  std::string stream;           // "main", a subagent's id, a Codex thread id, an opencode session id
  bool cost_in_parent = false;  // a Claude subagent: its spend is in the main stream's cost-state

  double started = 0, ended = 0;  // unix seconds of the first and last record with a time
  std::string project, git_branch;
  std::string model;  // the model of the records that name none (Codex's turn_context)

  std::map<std::string, TokenCounts, std::less<>> tokens;      // by model
  std::map<std::string, double, std::less<>> responses;        // model responses received, by model
  std::optional<double> reported_cost;                         // the client's own figure, for what it covers
  double reported_until = 0;                                   // the time of the last record it covers
  std::map<std::string, TokenCounts, std::less<>> unreported;  // tokens after that figure, by model
  TokenCounts cumulative;                                      // Codex: the thread's running total last read

  std::map<std::string, double, std::less<>> tools;          // calls by tool
  std::map<std::string, double, std::less<>> tool_failures;  // failed calls by tool (errors and rejections)
  double tool_errors = 0, tool_rejections = 0;
  double edits_accepted = 0, edits_rejected = 0, lines_proposed = 0, lines_accepted = 0;
  std::map<std::string, double, std::less<>> api_errors;  // failed model requests by status
  ToolFailureTally failing_tools;                         // the facts failure patterns are learned from

  // The state of the session's end, as the last records left it (session_outcome.h).
  std::string ending_api_error;  // the status of the failure that ended the last turn
  bool interrupted = false;      // the user interrupted the last turn
  int last_test = 0;             // the last test run: 1 passed, -1 failed, 0 none yet
  bool last_edit_rejected = false;
  bool correction_unanswered = false;  // the last prompt corrected the agent, which did nothing since
  bool ran_tests = false;

  double prompts = 0, corrections = 0;
  std::string title, snippet;  // the first prompt and the last answer, bounded by text_limit

  // The playbook's rules cm showed the stream (its context, its AGENTS.md block), and the agent's
  // inline feedback on them: the first marker of each rule shown before it (common/rule_markers.h).
  // A marker of a rule not shown is not kept. At most kMaxRules of each.
  static constexpr std::size_t kMaxRules = 64;
  std::vector<std::string> rules_shown;
  std::vector<FeedbackMarker> rule_feedback;

  // Records seen already: model responses (Claude Code writes one per content block, each with
  // the full usage) and the tool calls waiting for their result. Both bounded.
  std::deque<std::string> recent_responses;
  std::map<std::string, PendingTool, std::less<>> pending_tools;

  std::size_t text_limit = 300;  // bytes of title and snippet kept (0: none)

  // Adds the tokens of one model response of `model` (empty: `this->model`), which the client's
  // last cost figure does not cover yet.
  void add_usage(const std::string& model, const TokenCounts& usage);
  // The same for a response whose cost the client reported with it (opencode).
  void add_priced_usage(const std::string& model, const TokenCounts& usage, double usd);
  // The client's own cumulative cost figure, covering every response up to now (Claude Code).
  void report_cost(double usd);
  // Whether a response with this key was counted already; remembers it when not.
  bool seen_response(const std::string& key);
  void saw_time(double unix_seconds);
  void set_title(std::string_view text);
  void set_snippet(std::string_view text);
  // A user prompt: counts it, takes the first as the title, and judges whether it corrects
  // the agent (a prompt after the first that says the work was wrong).
  void user_prompt(std::string_view text);
  // Text the session was given (a prompt, the agent's instructions, a hook's context, the output
  // of a tool call that fetched cm's context): the rules it shows in cm's forms. And what the
  // agent wrote: its markers on those rules.
  void given_text(std::string_view text);
  void agent_text(std::string_view text);
  // A tool call and its result.
  void tool_called(const std::string& id, const std::string& name, const std::string& command, double lines_proposed);
  // `detail`: the result or error text, read for the failure's reason (tool_call_words.h) and, for
  // a call that fetched cm's context, the rules it shows (given_text); nothing else.
  enum class ToolResult { kSucceeded, kFailed, kRejected };
  void tool_finished(const std::string& id, ToolResult result, std::string_view detail = {});
  // A model request that failed; `ends_turn`: the turn ended on it (no answer came).
  void api_error(const std::string& status, bool ends_turn);
  // A model answer arrived: the turn did not end on an error or an interruption.
  void answered();

  nlohmann::json to_state() const;
  // Throws nlohmann::json::exception for a state this build did not write.
  static SessionAccount from_state(const nlohmann::json& state);
};

// The task of a session whose streams are `accounts` (the main stream first). Cost: each
// stream's own figure plus its tokens after it priced by `prices`; a Claude subagent's spend is
// already in its session's cost-state unless it ended after the last one.
// `unpriced`, when given, receives the models whose tokens the table could not price.
SessionTask session_task_of(const std::vector<const SessionAccount*>& accounts, const PriceTable& prices,
                            std::set<std::string>* unpriced = nullptr);

}  // namespace agentmetrics::intake
