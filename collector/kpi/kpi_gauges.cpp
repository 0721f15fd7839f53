#include "collector/kpi/kpi_gauges.h"

#include <prometheus/check_names.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <stdexcept>

namespace agentmetrics::kpi {
namespace {

prometheus::Family<prometheus::Gauge>& family(prometheus::Registry& registry, const std::string& prefix, const std::string& suffix,
                                              const std::string& help) {
  const std::string name = prefix + suffix;
  if (!prometheus::CheckMetricName(name)) {
    throw std::invalid_argument("KPI gauges: \"" + prefix + "\" does not make a valid metric name prefix");
  }
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry);
}

// The quantile label of a detail that is one, or empty.
std::string quantile_label(const std::string& detail) {
  if (detail == "median") return "0.5";
  if (detail == "p75") return "0.75";
  return {};
}

}  // namespace

KpiGauges::KpiGauges(prometheus::Registry& registry, const std::string& prefix)
    : value_(family(registry, prefix, "_kpi_value",
                    "KPI value over the window, in the KPI's unit (docs/kpis.md); absent while the window holds no data")),
      status_(family(registry, prefix, "_kpi_status", "KPI status over the window: 0 ok, 1 warning, 2 alert, -1 no data")),
      target_(family(registry, prefix, "_kpi_target", "KPI target, in the KPI's unit")),
      alert_(family(registry, prefix, "_kpi_alert_threshold", "KPI alert threshold, in the KPI's unit")),
      quantile_(family(registry, prefix, "_kpi_quantile",
                       "Median (quantile 0.5) and 75th percentile (0.75) over the window of the items a KPI is the mean of, in its unit")),
      band_(
          family(registry, prefix, "_kpi_dora_band", "DORA performance band of a key over the window: 4 elite, 3 high, 2 medium, 1 low")) {}

KpiGauges::~KpiGauges() {
  // The registry may outlive this object: take the series away with it.
  while (!series_.empty()) remove_window(series_.begin()->first.first);
}

void KpiGauges::update(const std::string& window, std::span<const KpiResult> results) {
  for (const KpiResult& r : results) {
    const std::string id(r.definition->id);
    const std::string group(to_string(r.definition->group));
    const prometheus::Labels grouped{{"kpi", id}, {"group", group}, {"window", window}};
    const prometheus::Labels plain{{"kpi", id}, {"window", window}};
    Series& s = series_[{window, id}];
    if (!s.status) {
      s.status = &status_.Add(grouped);
      s.target = &target_.Add(plain);
      s.alert = &alert_.Add(plain);
    }
    if (r.value) {
      if (!s.value) s.value = &value_.Add(grouped);
      s.value->Set(*r.value);
    } else if (s.value) {
      prometheus::Gauge* gone = s.value;
      s.value = nullptr;
      value_.Remove(gone);
    }
    s.status->Set(status_gauge_value(r.status));
    s.target->Set(r.thresholds.target);
    s.alert->Set(r.thresholds.alert);
    update_quantiles(s, r, window);
    update_band(s, r, window);
  }
}

void KpiGauges::update_quantiles(Series& s, const KpiResult& r, const std::string& window) {
  for (const std::string detail : {"median", "p75"}) {
    const auto given = r.value ? r.details.find(detail) : r.details.end();
    const auto held = s.quantiles.find(detail);
    if (given == r.details.end()) {
      if (held == s.quantiles.end()) continue;
      prometheus::Gauge* gone = held->second;
      s.quantiles.erase(held);
      quantile_.Remove(gone);
      continue;
    }
    prometheus::Gauge* gauge = held != s.quantiles.end() ? held->second : nullptr;
    if (!gauge) {
      gauge = &quantile_.Add({{"kpi", std::string(r.definition->id)}, {"window", window}, {"quantile", quantile_label(detail)}});
      s.quantiles[detail] = gauge;
    }
    gauge->Set(given->second);
  }
}

void KpiGauges::update_band(Series& s, const KpiResult& r, const std::string& window) {
  const std::string name = r.dora_band ? std::string(to_string(*r.dora_band)) : std::string();
  if (s.band && s.band_name != name) {
    prometheus::Gauge* gone = s.band;
    s.band = nullptr;
    band_.Remove(gone);
  }
  if (!r.dora_band) return;
  if (!s.band) {
    s.band = &band_.Add({{"kpi", std::string(r.definition->id)}, {"window", window}, {"band", name}});
    s.band_name = name;
  }
  s.band->Set(static_cast<double>(*r.dora_band));
}

void KpiGauges::remove_window(const std::string& window_label) {
  // A copy: the caller's may live in a key erased below.
  const std::string window = window_label;  // NOLINT(performance-unnecessary-copy-initialization)
  for (auto it = series_.begin(); it != series_.end();) {
    if (it->first.first != window) {
      ++it;
      continue;
    }
    const Series s = it->second;
    it = series_.erase(it);
    if (s.value) value_.Remove(s.value);
    for (const auto& [detail, gauge] : s.quantiles) quantile_.Remove(gauge);
    if (s.band) band_.Remove(s.band);
    status_.Remove(s.status);
    target_.Remove(s.target);
    alert_.Remove(s.alert);
  }
}

}  // namespace agentmetrics::kpi
