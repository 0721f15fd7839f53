// A bug's state from an issue that carries a bug label (webhooks.bugLabels): detected when the
// issue was opened, resolved when it was closed as done, unresolved again when reopened. An
// issue that names its cause in the body, as Four Keys' incidents do ("root cause: 1a2b3c4"),
// dates the bug's introduction from that commit, when the store has it.
#pragma once

#include <optional>
#include <string>

#include "collector/intake/webhooks/forge_context.h"
#include "collector/intake/webhooks/forge_fact.h"

namespace agentmetrics::intake {

struct IssueStep {
  enum class What { kDetected, kResolved, kReopened };
  What what = What::kDetected;
  std::string repository;
  std::string number;
  std::string id;  // as stored: "owner/name#7"
  double created = 0;
  double at = 0;     // kResolved: when closed; kReopened: when reopened; kDetected: created
  std::string body;  // read for a root cause, never kept
};

// A step of issue `number` of `repository` (its id "repository#number"), filed at `created`.
IssueStep issue_step(IssueStep::What what, const std::string& repository, const std::string& number, double created, double at,
                     std::string body);

// Empty when its number or a time it needs is missing.
std::optional<ForgeFact> issue_fact(const IssueStep& step, const ForgeContext& context);

// The commit hash after "root cause" in `body` (7 to 40 hex digits), or "".
std::string root_cause_commit(const std::string& body);

}  // namespace agentmetrics::intake
