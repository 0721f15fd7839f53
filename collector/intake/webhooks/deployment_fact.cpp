#include "collector/intake/webhooks/deployment_fact.h"

namespace agentmetrics::intake {

std::optional<ForgeFact> deployment_fact(const FinishedDeployment& d, const ForgeContext& context) {
  if (d.at <= 0 || !context.settings.environment_allowed(d.environment)) return std::nullopt;
  ForgeFact f = make_fact(d.key, ipc::OutcomeKind::kDeployment, d.at);
  f.event.fields["success"] = d.success;
  set_text(f.event, "environment", d.environment);
  set_text(f.event, "repository", d.repository);
  set_text(f.event, "sha", d.sha);
  if (d.success) {
    f.event.fields["rollback"] = context.history.is_rollback(d.repository, d.environment, d.sha, d.at);
    if (const auto committed = context.history.change_commit_time(d.repository, d.sha, d.at)) f.event.fields["commit_time"] = *committed;
  }
  return f;
}

}  // namespace agentmetrics::intake
