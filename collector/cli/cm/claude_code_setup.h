// `cm install claude-code`: cm's hooks in a Claude Code settings file (the project's
// .claude/settings.json or the user's ~/.claude/settings.json), merged with what the file holds.
// Each hook runs `cm hook claude-code` (claude_code_hook.h says what each event does); a hook of
// cm's already there (its command runs `hook claude-code`) is brought up to date in place and
// every other setting and hook is kept as it was. A second install changes nothing.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace agentmetrics::learning {

struct SettingsChange {
  std::string event;   // UserPromptSubmit, SessionStart, Stop, StopFailure, SessionEnd
  std::string action;  // added, updated, unchanged
};

struct ClaudeCodeInstall {
  std::string settings_path;
  std::string command;
  bool created = false;  // the file did not exist
  bool written = false;  // false: it held the hooks already
  std::vector<SettingsChange> changes;
};

// The events cm hooks, and the matcher of each ("" for none).
struct HookedEvent {
  const char* event;
  const char* matcher;
};
inline constexpr HookedEvent kClaudeCodeHooks[] = {
    {"UserPromptSubmit", ""}, {"SessionStart", "compact"}, {"Stop", ""}, {"StopFailure", ""}, {"SessionEnd", ""}};

// The settings with cm's hooks merged in, and what changed. Throws LearningError
// (SETTINGS_INVALID) when the settings are not an object whose "hooks" maps events to arrays.
nlohmann::ordered_json merge_claude_code_hooks(nlohmann::ordered_json settings, const std::string& command,
                                               std::vector<SettingsChange>& changes);

// Reads the file (absent: empty settings), merges and writes it back (through a temporary file
// renamed over it) when something changed. Throws LearningError: SETTINGS_INVALID for a file
// that is not such JSON (left as it was), SETTINGS_UNWRITABLE.
ClaudeCodeInstall install_claude_code_hooks(const std::string& settings_path, const std::string& command);

// `path` quoted for a POSIX shell when it needs to be.
std::string shell_quoted(const std::string& word);

nlohmann::ordered_json to_json(const ClaudeCodeInstall& result);

}  // namespace agentmetrics::learning
