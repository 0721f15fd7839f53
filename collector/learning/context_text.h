// A context (rules, anti-patterns, past tasks) as the text an agent reads: what the opencode
// plugin puts in the system prompt (deploy/opencode/plugin/cass.js writes the same lines),
// `cm hook claude-code` hands Claude Code as additional context, and `cm context --budget`
// counts. Each rule says where it came from, so the model and whoever reads its prompt can tell a
// learned rule from one a person or a credential added.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "collector/common/rule_markers.h"
#include "collector/learning/learning_results.h"

namespace agentmetrics::learning {

inline constexpr std::string_view kRulesHeading = "Rules learned from earlier tasks (most relevant first):";
inline constexpr std::string_view kAvoidHeading = "Avoid:";
inline constexpr std::string_view kHistoryHeading = "Similar past tasks:";

// "- [b-8f3a2c] Always write unit tests ... (learning, added by reflection, 2026-11-02)"
std::string context_line(const ContextBullet& rule);
// "- Implement OAuth2 login (success, 45 min): Started with unit tests, ..."
std::string context_line(const HistoryHit& task);

// The whole text; empty when the context has nothing.
std::string context_text(const ContextResult& context);

// Tokens a text takes, about: one per 4 bytes, rounded up (models' tokenizers average 3.5 to 4.5
// bytes per token on English and code; no tokenizer is shipped here).
std::int64_t approximate_tokens(std::string_view text);

}  // namespace agentmetrics::learning
