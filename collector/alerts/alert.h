// One KPI alert transition, as the KPI engine reports it to the notifier: a KPI over a window
// crossed its alert threshold (firing) or came back (recovered).
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace agentmetrics::alerts {

struct KpiAlert {
  std::string kpi;       // stable id, e.g. "code_coverage"; becomes the alertname "KpiCodeCoverage"
  std::string name;      // human name, e.g. "Code Coverage"
  std::string window;    // e.g. "24h"
  std::string group;     // quality | velocity | workflow | ai_assistance
  std::string severity;  // "warning" | "critical"
  bool firing = true;    // true: crossed the threshold; false: recovered
  double value = 0;
  double target = 0;
  double threshold = 0;
  std::string unit;  // "%", "h", "tasks/week", ... ("" for a plain number)
  // When the KPI crossed the threshold. A recovery repeats the firing's starts_at, so that the
  // receiver sees one alert (same fingerprint) going from firing to resolved. Left at the
  // epoch, AlertNotifier::notify() stamps it with the current time.
  std::chrono::system_clock::time_point starts_at;
  // When it recovered. Ignored while firing; a recovery without it is stamped with the time
  // AlertNotifier::notify() is called.
  std::optional<std::chrono::system_clock::time_point> ends_at;
};

}  // namespace agentmetrics::alerts
