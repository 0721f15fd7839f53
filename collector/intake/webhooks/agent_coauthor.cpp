#include "collector/intake/webhooks/agent_coauthor.h"

#include "collector/common/header_text.h"

namespace agentmetrics::intake {

std::optional<std::string> agent_coauthor(std::string_view message, const std::map<std::string, std::string>& agents) {
  constexpr std::string_view kTrailer = "co-authored-by:";
  while (!message.empty()) {
    const std::size_t end = message.find('\n');
    const std::string line = ascii_lower(trim_blanks(message.substr(0, end)));
    message = end == std::string_view::npos ? std::string_view() : message.substr(end + 1);
    if (!line.starts_with(kTrailer)) continue;
    const std::size_t open = line.rfind('<');
    const std::size_t close = line.rfind('>');
    if (open == std::string::npos || close == std::string::npos || close < open) continue;
    const std::string_view address = std::string_view(line).substr(open + 1, close - open - 1);
    for (const auto& [agent, text] : agents) {
      if (!text.empty() && address.find(ascii_lower(text)) != std::string_view::npos) return agent;
    }
  }
  return std::nullopt;
}

}  // namespace agentmetrics::intake
