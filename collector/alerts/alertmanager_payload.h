// The body of an Alertmanager webhook notification (webhook_config, payload version "4"),
// built for one KPI alert: a receiver written for Alertmanager (PagerDuty bridges, chat
// relays, alert routers, Alertmanager's own webhook examples) reads it unchanged.
//
//   {"version": "4", "groupKey": "{}:{alertname=\"KpiCodeCoverage\", ...}", "truncatedAlerts": 0,
//    "status": "firing" | "resolved", "receiver": "agentmetrics",
//    "groupLabels": {...}, "commonLabels": {...}, "commonAnnotations": {...},
//    "externalURL": "...",
//    "alerts": [{"status", "labels", "annotations", "startsAt", "endsAt", "generatorURL",
//                "fingerprint"}]}
//
// Pure functions: no I/O, no shared state; safe from any thread.
#pragma once

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "collector/alerts/alert.h"

namespace agentmetrics::alerts {

using LabelSet = std::map<std::string, std::string>;

struct PayloadOptions {
  std::string receiver = "agentmetrics";  // "receiver" in the body
  // The collector's externally reachable base URL ("http://host:9090"); becomes "externalURL"
  // and the prefix of each alert's "generatorURL". Empty: both are "".
  std::string external_url;
  // Added to every alert's labels (e.g. {"cluster": "prod", "team": "platform"}). Names must be
  // Prometheus label names and may not be one of the alert's own labels (alertname, kpi,
  // window, group, severity).
  LabelSet extra_labels;
};

// Throws std::invalid_argument naming the offending label.
void validate(const PayloadOptions& options);

// "code_coverage" -> "KpiCodeCoverage", "ai-task completion" -> "KpiAiTaskCompletion": "Kpi"
// and each run of ASCII letters and digits with its first letter upper-cased.
std::string alert_name(std::string_view kpi);

// The labels of the alert: alertname, kpi, window, group, severity and the extra labels. Empty
// values are left out (Alertmanager treats an empty label as an absent one).
LabelSet alert_labels(const KpiAlert& alert, const PayloadOptions& options);

// Alertmanager's fingerprint of a label set (prometheus/common model.LabelSet.Fingerprint:
// FNV-1a 64 over the names in order, each name and value followed by the byte 0xff), as 16
// lower-case hex digits. The same labels always give the same fingerprint, so a firing alert
// and its recovery share it.
std::string fingerprint(const LabelSet& labels);

// Go's zero time, which Alertmanager writes as the endsAt of a firing alert.
inline constexpr std::string_view kZeroTime = "0001-01-01T00:00:00Z";

// A number for an annotation: up to 4 decimals, trailing zeros dropped ("72.5", "0.0042",
// "1200"); 6 significant digits when that would show nothing ("1.5e-07"); "NaN", "+Inf", "-Inf".
std::string format_value(double value);
// "72.5%" for a percentage, "30 h" for another unit, "72.5" without one.
std::string format_quantity(double value, std::string_view unit);

// The whole webhook body. A recovery without ends_at gets "endsAt" = `now`.
nlohmann::json build_alertmanager_payload(const KpiAlert& alert, const PayloadOptions& options,
                                          std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace agentmetrics::alerts
