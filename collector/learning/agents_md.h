// The playbook as a block of AGENTS.md (Codex, opencode and others read it) or CLAUDE.md: `cm
// export --format agents.md`. Such a file is committed and read by every agent on the project,
// so what goes into it is chosen, not dumped: active rules only, confident enough
// (min_confidence), and by default only rules this store learned or a person added at this
// machine; rules that came in through an import or an API credential stay out unless asked for
// (include_unvetted), since their text was written elsewhere. Each rule is one line, without
// control characters or the block's markers, at most kMaxRuleBytes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "collector/common/rule_markers.h"
#include "collector/learning/learning_results.h"

namespace agentmetrics::learning {

struct AgentsMdOptions {
  double min_confidence = 0.5;
  int limit = 50;  // rules and anti-patterns together, most trusted first
  bool include_unvetted = false;
  std::string project;  // its rules beside every project's; another project's stay out
};

struct AgentsMdExport {
  std::string text;  // the block, markers included
  std::int64_t rules = 0, anti_patterns = 0;
  std::int64_t left_out_confidence = 0, left_out_unvetted = 0, left_out_limit = 0;
};

// `bullets`: active ones, most trusted first (LearningService::playbook_list).
AgentsMdExport agents_md_block(const std::vector<BulletView>& bullets, const AgentsMdOptions& options);

// `document` with its block replaced by `block`, or `block` appended when it has none. Throws
// LearningError (AGENTS_MD_MARKERS) when the markers are not one begin before one end.
std::string with_agents_md_block(const std::string& document, const std::string& block);

nlohmann::ordered_json to_json(const AgentsMdExport& result);

}  // namespace agentmetrics::learning
