#include "collector/kpi/dora_band.h"

namespace agentmetrics::kpi {
namespace {

// The lead and recovery times are in hours.
constexpr double kDayInHours = 24;
constexpr double kWeekInHours = 7 * kDayInHours;
constexpr double kMonthInHours = 30 * kDayInHours;

// The better bound of each band below elite: a measure on the good side of `elite` is elite,
// else of `high` high, else of `medium` medium, else low.
struct Bounds {
  double elite, high, medium;
  bool higher_is_better;
};

std::optional<Bounds> bounds_of(std::string_view id) {
  // Deployments per day: on demand (several a day) / between once a day and once a week /
  // between once a week and once a month / less often.
  if (id == "deployment_frequency") return Bounds{1, 1.0 / 7, 1.0 / 30, true};
  // Hours: less than a day / a day to a week / a week to a month / longer.
  if (id == "lead_time") return Bounds{kDayInHours, kWeekInHours, kMonthInHours, false};
  // Percent: the report gives each cluster one figure (5, 10, 15 and 64%); a rate up to a
  // cluster's figure is in that cluster.
  if (id == "change_failure_rate") return Bounds{5, 10, 15, false};
  // Hours: less than an hour / less than a day / a day to a week / longer.
  if (id == "failed_deployment_recovery_time") return Bounds{1, kDayInHours, kWeekInHours, false};
  return std::nullopt;
}

}  // namespace

std::string_view to_string(DoraBand band) {
  switch (band) {
    case DoraBand::kElite: return "elite";
    case DoraBand::kHigh: return "high";
    case DoraBand::kMedium: return "medium";
    case DoraBand::kLow: return "low";
  }
  return "low";
}

bool is_dora_key(std::string_view kpi_id) { return bounds_of(kpi_id).has_value(); }

bool dora_band_uses_median(std::string_view kpi_id) { return kpi_id == "lead_time" || kpi_id == "failed_deployment_recovery_time"; }

std::optional<DoraBand> dora_band(std::string_view kpi_id, double measure) {
  const auto b = bounds_of(kpi_id);
  if (!b) return std::nullopt;
  // Rates are met at their bound ("5%" is elite); durations must be below it ("less than a day").
  const auto within = [&](double bound) {
    if (b->higher_is_better) return measure >= bound;
    return kpi_id == "change_failure_rate" ? measure <= bound : measure < bound;
  };
  if (within(b->elite)) return DoraBand::kElite;
  if (within(b->high)) return DoraBand::kHigh;
  if (within(b->medium)) return DoraBand::kMedium;
  return DoraBand::kLow;
}

}  // namespace agentmetrics::kpi
