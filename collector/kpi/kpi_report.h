// KPI results for a person (an aligned table) and for programs (JSON), as the
// `agentmetrics kpi [--window 7d] [--json]` command prints them.
#pragma once

#include <chrono>
#include <optional>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "collector/kpi/kpi_engine.h"

namespace agentmetrics::kpi {

// One line per KPI, grouped as the catalogue is, under a header line:
//   GROUP  KPI  VALUE  TARGET  ALERT  STATUS  TREND (vs previous <window>)
// e.g. "quality  Code Coverage  82.5%  >= 80%  < 75%  ok  ↑ +3.1% better"; then, after a blank
// line, the mean, median and p75 of the KPIs that are a mean over items (SPREAD), and DORA's
// band of each of the four keys (DORA KEY). Ends with a newline.
std::string render_kpi_table(std::span<const KpiResult> results, std::chrono::seconds window);

// {"window": "7d", "window_seconds": 604800, "generated_at": "2026-11-24T10:00:00Z",
//  "kpis": [{"id", "name", "group", "unit", "direction", "value": number|null, "target",
//            "alert_threshold", "target_rule", "alert_rule", "status", "previous": number|null,
//            "change_percent": number|null, "trend": "better"|"worse"|"same"|null,
//            "samples", "details": {name: number}, "dora_band": "elite"|"high"|"medium"|"low"|null}]}
// (details carry "median" and "p75" for the KPIs that are a mean over items.)
nlohmann::json kpi_report_json(std::span<const KpiResult> results, std::chrono::seconds window, double generated_at_unix);

// Pieces of the table, for other renderings (alerts, dashboards).
std::string format_kpi_value(const KpiDefinition& definition, double value);                  // "82.5%", "3.2 h", "1.25x"
std::string format_target(const KpiDefinition& definition, const KpiThresholds& thresholds);  // ">= 80%", "2-4 h"
std::string format_alert(const KpiDefinition& definition, const KpiThresholds& thresholds);   // "< 75%"
// "↑ +12.5% better", "↓ -3.0% worse", "→ same", "↑ (was 0) worse", or "-" without both values.
std::string format_trend(const KpiDefinition& definition, std::optional<double> value, std::optional<double> previous);

}  // namespace agentmetrics::kpi
