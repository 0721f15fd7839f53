// What a tool call of an agent was, across the three agents' tool names: an edit of a file, a
// shell command (and whether that command ran tests), a read or search, a web look-up, a
// delegation to a subagent. The outcome rules (session_outcome.h) and the approach label of a
// session are judged from these kinds, not from the agents' own names.
#pragma once

#include <string_view>

namespace agentmetrics::intake {

enum class ToolKind { kEdit, kShell, kRead, kWeb, kDelegate, kOther };

// Claude Code: Edit, MultiEdit, Write, NotebookEdit / Bash / Read, Grep, Glob, LS / WebFetch,
// WebSearch / Agent, Task. Codex: apply_patch / exec_command, shell, local_shell, unified_exec /
// view_image / web_search. opencode: edit, write, patch, multiedit / bash / read, grep, glob,
// list / webfetch, websearch / task.
ToolKind tool_kind(std::string_view tool);

// Whether a shell command runs tests: a known test runner (pytest, go test, cargo test, npm
// test, jest, vitest, ctest, make test/check, mvn test, gradle test, ...) anywhere in it.
bool runs_tests(std::string_view command);

// The stage of the work a call belongs to (tool_call_words.h): a shell command's by what it runs
// (test, build, lint, install, vcs, else shell), any other tool's by its kind.
std::string_view tool_stage(ToolKind kind, std::string_view command);

// The exit code a tool output's text reports ("Process exited with code 1", "Exit code: 0"), or -1.
int output_exit_code(std::string_view output);

// The number of lines in `text` (a last line without a newline counts).
double count_lines(std::string_view text);

}  // namespace agentmetrics::intake
