#include "collector/config/kpi_settings.h"

#include <stdexcept>

namespace agentmetrics::collector {

kpi::KpiOverrides kpi_overrides(const Config& config) {
  kpi::KpiOverrides overrides;
  for (const auto& [id, values] : config.kpi.targets) {
    const kpi::KpiDefinition* definition = kpi::find_kpi(id);
    if (!definition) throw ConfigError("kpi.targets." + id, "unknown KPI (docs/kpis.md lists the 23 ids)");
    overrides[id] =
        kpi::KpiThresholds{values.first.value_or(definition->defaults.target), values.second.value_or(definition->defaults.alert)};
  }
  try {
    kpi::resolve_thresholds(overrides);
  } catch (const std::invalid_argument& e) {
    throw ConfigError("kpi.targets", e.what());
  }
  return overrides;
}

std::vector<std::chrono::seconds> kpi_windows(const Config& config) {
  std::vector<std::chrono::seconds> windows;
  for (std::size_t i = 0; i < config.kpi.windows.size(); ++i) {
    try {
      windows.push_back(kpi::parse_window(config.kpi.windows[i]));
    } catch (const std::invalid_argument& e) {
      throw ConfigError("kpi.windows[" + std::to_string(i) + "]", e.what());
    }
  }
  return windows;
}

}  // namespace agentmetrics::collector
