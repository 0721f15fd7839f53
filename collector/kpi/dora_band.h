// DORA's performance bands (elite, high, medium, low) for the four keys, as the 2023 Accelerate
// State of DevOps Report's software delivery performance clusters draw them. docs/kpis.md
// quotes the report's table and says how each boundary is read from it.
#pragma once

#include <optional>
#include <string_view>

namespace agentmetrics::kpi {

// Numbered so that a larger number is a better band (the gauge's value).
enum class DoraBand { kLow = 1, kMedium = 2, kHigh = 3, kElite = 4 };

std::string_view to_string(DoraBand band);  // elite, high, medium, low

// Whether `kpi_id` is one of the four keys: deployment_frequency, lead_time,
// change_failure_rate, failed_deployment_recovery_time.
bool is_dora_key(std::string_view kpi_id);
// Whether the key's band is judged on the median over the window (lead time and recovery
// time, as DORA reports them) rather than on the KPI's value.
bool dora_band_uses_median(std::string_view kpi_id);
// The band of `measure` (in the KPI's unit: per day, hours, percent); empty for a KPI that is
// not one of the four keys.
std::optional<DoraBand> dora_band(std::string_view kpi_id, double measure);

}  // namespace agentmetrics::kpi
