// Exports KPI results as Prometheus gauges, one series per KPI and window:
//   <prefix>_kpi_value{kpi, group, window}           the value in the KPI's unit; absent without data
//   <prefix>_kpi_status{kpi, group, window}          0 ok, 1 warning, 2 alert, -1 no data
//   <prefix>_kpi_target{kpi, window}                 the effective target
//   <prefix>_kpi_alert_threshold{kpi, window}        the effective alert threshold
//   <prefix>_kpi_quantile{kpi, window, quantile}     median (0.5) and p75 (0.75) of the KPIs that are
//                                                    a mean over items; absent without data
//   <prefix>_kpi_dora_band{kpi, window, band}        DORA's band of the four keys: 4 elite, 3 high,
//                                                    2 medium, 1 low; absent without data
//
// Thread safety: update() and remove_window() are called from one thread (the KPI refresh);
// scrapes collect the registry concurrently. That is safe with prometheus-cpp 1.0: Gauge::Set
// is atomic, and Family::Add, Family::Remove and Family::Collect all take the family's mutex,
// so a scrape sees a series either whole or not at all. Remove destroys the Gauge, and only
// this class holds pointers to its gauges: it forgets a pointer before removing its series.
#pragma once

#include <map>
#include <span>
#include <string>
#include <utility>

#include "collector/kpi/kpi_engine.h"

namespace prometheus {
class Gauge;
template <typename T>
class Family;
class Registry;
}  // namespace prometheus

namespace agentmetrics::kpi {

class KpiGauges {
 public:
  // Registers the six families in `registry`, which must outlive this object. Throws
  // std::invalid_argument when the prefix does not make valid metric names.
  explicit KpiGauges(prometheus::Registry& registry, const std::string& prefix = "opencode");
  ~KpiGauges();
  KpiGauges(const KpiGauges&) = delete;
  KpiGauges& operator=(const KpiGauges&) = delete;

  // Sets the series of `window` (a label such as "7d") from compute()'s results: the value
  // series appears with data and disappears without.
  void update(const std::string& window, std::span<const KpiResult> results);
  // Removes every series of `window` (a window dropped from the configuration).
  void remove_window(const std::string& window);

 private:
  struct Series {
    prometheus::Gauge* value = nullptr;  // null while the KPI has no data
    prometheus::Gauge* status = nullptr;
    prometheus::Gauge* target = nullptr;
    prometheus::Gauge* alert = nullptr;
    std::map<std::string, prometheus::Gauge*> quantiles;  // by detail name ("median", "p75")
    prometheus::Gauge* band = nullptr;                    // null without a band
    std::string band_name;
  };
  void update_quantiles(Series& s, const KpiResult& r, const std::string& window);
  void update_band(Series& s, const KpiResult& r, const std::string& window);

  prometheus::Family<prometheus::Gauge>& value_;
  prometheus::Family<prometheus::Gauge>& status_;
  prometheus::Family<prometheus::Gauge>& target_;
  prometheus::Family<prometheus::Gauge>& alert_;
  prometheus::Family<prometheus::Gauge>& quantile_;
  prometheus::Family<prometheus::Gauge>& band_;
  std::map<std::pair<std::string, std::string>, Series> series_;  // by (window, kpi id)
};

}  // namespace agentmetrics::kpi
