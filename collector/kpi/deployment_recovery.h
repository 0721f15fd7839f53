// Failed deployment recovery time (DORA): how long an environment ran a failed change before a
// deployment restored it. A failure starts at a failed deployment (the first of a run of
// failures), or, for a rollback, at the deployment it rolled back (the last successful one
// before it); it ends at the next successful deployment to the same repository and
// environment. docs/kpis.md gives the rule with examples.
#pragma once

#include <span>
#include <string>
#include <vector>

namespace agentmetrics::kpi {

struct DeploymentRecord {
  double time = 0;
  std::string repository;   // "" when not recorded
  std::string environment;  // likewise
  bool success = false;
  bool rollback = false;
};

// The durations in seconds of the recoveries that ended in [start, end), in the order they
// ended within each repository and environment. `deployments` must be ordered by repository,
// environment, then time; deployments before `start` let a recovery in the window find its
// failure.
std::vector<double> recovery_durations(std::span<const DeploymentRecord> deployments, double start, double end);

}  // namespace agentmetrics::kpi
