// The closed vocabulary an agent's tool call is described in once it leaves the transcript: its
// stage, why it failed, and the command it ran as a program and subcommand of a fixed list. The
// session importers and the OTLP receiver describe calls with it (tool_failure_facts.h), and the
// reflection words rules from it (learning/session_patterns.h). A rule is text agents obey, and
// commands and error texts come from transcripts a prompt injection can write: so nothing of
// them reaches a rule but these words, and the reader checks every stored word against the
// vocabulary again rather than trusting whoever wrote the event.
#pragma once

#include <string>
#include <string_view>

namespace agentmetrics {

// The stages of the work a tool call belongs to: test, build, lint, install, vcs (git and the
// like), shell (any other command), edit, read, web, delegate, other.
bool is_tool_stage(std::string_view stage);

// A command as the same command however it was typed: blanks made single spaces, leading
// `cd DIR &&` and environment assignments dropped, a trailing `2>&1` or `| head`/`| tail` dropped.
// At most 4096 bytes of the command are read.
std::string normalized_command(std::string_view command);

// The command's program and subcommand when both are in the fixed vocabulary ("npm test",
// "npm run build", "cargo clippy", "pytest", "git push"): a program alone when its subcommand is
// not; empty when the program is not in it. Only the first simple command counts.
std::string command_words(std::string_view command);
// Whether `words` is what command_words makes of itself (a stored fragment is checked with it).
bool is_command_words(std::string_view words);

// Why a tool call failed, as one of a closed set of reasons, from the tool's own result text (only
// read, never kept): string_not_found, not_unique, file_not_read, file_changed, file_not_found,
// patch_failed, permission_denied, user_rejected, timeout, exit_code, other. `rejected`: the
// client recorded the call as refused (by the user or its permission rules).
std::string_view failure_reason(std::string_view result_text, bool rejected);
bool is_failure_reason(std::string_view reason);

// A tool's name as a rule may show it: an identifier of letters, digits and `_ - .`, starting with
// a letter, at most 48 bytes (Bash, apply_patch, mcp__github__create_issue).
bool is_tool_name(std::string_view name);

}  // namespace agentmetrics
