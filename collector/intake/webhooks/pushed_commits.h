// The commits of a push as commit facts, one per commit and push: GitHub's and GitLab's push
// payloads list them alike (id, message, timestamp, author). A push lists files, not lines, so
// these commits carry no line counts (code churn comes from `agentmetrics ingest git`); they
// date the changes a deployment ships (lead time) and mark those an agent co-authored.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "collector/intake/webhooks/forge_context.h"
#include "collector/intake/webhooks/forge_fact.h"

namespace agentmetrics::intake {

// `ref`: the pushed ref ("refs/heads/main"); a tag, or a branch deleted, records nothing.
// `head`: the hash the push moved the branch to.
ForgeFacts pushed_commits(const std::string& repository, const std::string& ref, const std::string& head, const nlohmann::json& commits,
                          const ForgeContext& context);

}  // namespace agentmetrics::intake
