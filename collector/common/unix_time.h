// The present as the store, the playbook and the KPIs keep times: seconds since the Unix epoch.
#pragma once

namespace agentmetrics {

double unix_now();

// A set test clock's time, else unix_now(): the learning system's and the page's "now".
template <typename Clock>
double unix_now(const Clock& clock) {
  return clock ? clock() : unix_now();
}

}  // namespace agentmetrics
