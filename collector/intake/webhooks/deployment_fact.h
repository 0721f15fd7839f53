// A finished deployment as a deployment fact. Neither forge says whether a deployment went back
// to an earlier commit, nor when the deployed commits were made: both come from what the store
// holds (forge_history.h), so that rollbacks and lead time are measured as DORA defines them.
#pragma once

#include <optional>
#include <string>

#include "collector/intake/webhooks/forge_context.h"
#include "collector/intake/webhooks/forge_fact.h"

namespace agentmetrics::intake {

struct FinishedDeployment {
  std::string key;  // the status (GitHub) or the deployment and its status (GitLab)
  std::string repository;
  std::string environment;
  std::string sha;
  bool success = false;
  double at = 0;  // when it finished
};

// Empty when it has no time, or its environment is not one of webhooks.environments.
std::optional<ForgeFact> deployment_fact(const FinishedDeployment& deployment, const ForgeContext& context);

}  // namespace agentmetrics::intake
