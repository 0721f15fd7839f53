#include "collector/kpi/deployment_recovery.h"

#include <optional>

namespace agentmetrics::kpi {

std::vector<double> recovery_durations(std::span<const DeploymentRecord> deployments, double start, double end) {
  std::vector<double> durations;
  std::optional<double> failing_since;  // the first failed deployment of the current run
  std::optional<double> last_success;   // of the current repository and environment
  const DeploymentRecord* previous = nullptr;
  for (const DeploymentRecord& d : deployments) {
    if (previous && (previous->repository != d.repository || previous->environment != d.environment)) {
      failing_since.reset();
      last_success.reset();
    }
    previous = &d;
    if (!d.success) {
      if (!failing_since) failing_since = d.time;
      continue;
    }
    // A rollback undoes the deployment before it, which was therefore a failure from its time.
    std::optional<double> began = failing_since;
    if (!began && d.rollback) began = last_success;
    if (began && d.time >= start && d.time < end) durations.push_back(d.time - *began);
    failing_since.reset();
    last_success = d.time;
  }
  return durations;
}

}  // namespace agentmetrics::kpi
