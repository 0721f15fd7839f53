// Commits made with a coding agent: Claude Code, Copilot's agent, Cursor, aider and others sign
// the commits they write with a Co-authored-by trailer naming themselves
// ("Co-Authored-By: Claude <noreply@anthropic.com>").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace agentmetrics::intake {

// The agent whose e-mail text (`agents`: name -> text the address contains, case-insensitive)
// appears in one of the message's Co-authored-by trailers; the first such trailer wins. Only
// the address is looked at, and nothing of it is kept.
std::optional<std::string> agent_coauthor(std::string_view commit_message, const std::map<std::string, std::string>& agents);

}  // namespace agentmetrics::intake
