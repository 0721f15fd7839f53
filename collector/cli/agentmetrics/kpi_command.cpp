// agentmetrics kpi [--window 7d] [--json]: the KPIs from the store, for a person or a script.
#include <cstdio>

#include "collector/cli/agentmetrics/commands.h"
#include "collector/config/config.h"
#include "collector/store/store_error.h"
#include "collector/store/store_factory.h"
#include "collector/kpi/kpi_engine.h"
#include "collector/kpi/kpi_report.h"
#include "collector/config/kpi_settings.h"
#include "collector/config/config_location.h"
#include "collector/store/store_location.h"

namespace agentmetrics::cli {
collector::Config kpi_config(const std::string& file, const std::string& window) {
  return collector::load_configuration(collector::find_configuration_file(file), [&](collector::Config& c) { c.kpi.windows = {window}; });
}

void add_kpi_command(CLI::App& app, int& result) {
  auto* cmd = app.add_subcommand(
      "kpi",
      "Show the KPIs over a window: value, target, alert threshold, status and the trend against "
      "the window before, and what the window's and the last 24 hours' tasks cost (read from the store; the collector need "
      "not run)");
  struct Options {
    std::string window = "7d";
    std::string store;
    std::string config;
    bool json = false;
  };
  auto options = std::make_shared<Options>();
  cmd->add_option("--window", options->window, "how far back: 24h, 7d, 30d, ... (default 7d)");
  cmd->add_option(
      "--store", options->store,
      "the store (default $AGENTMETRICS_STORE, else the configuration's store.path, else ~/.local/state/agentmetrics/events.db)");
  cmd->add_option("--config", options->config,
                  "the collector's configuration file, for its kpi.targets (default $AGENTMETRICS_CONFIG, else "
                  "~/.config/agentmetrics/config.yaml if present)");
  cmd->add_flag("--json", options->json, "as JSON");
  cmd->callback([options, &result] {
    using collector::ConfigError;
    try {
      const collector::Config config = kpi_config(options->config, options->window);
      const auto window = collector::kpi_windows(config).front();
      const std::string path = options->store.empty() ? store::store_path_for(config.store.path) : options->store;
      // --store names a file, over a team store's URL.
      auto store = store::open_event_store({options->store.empty() ? config.store.url : "", path}, store::StoreAccess::kReadOnly);
      const kpi::KpiEngine engine(*store, kpi::KpiSettings{collector::kpi_overrides(config)});
      const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
      const auto results = engine.compute(window, now);
      const auto day_cost = engine.task_figures(std::chrono::hours(24), now).cost_usd;
      if (options->json) {
        std::printf("%s\n", kpi::kpi_report_json(results, window, now, day_cost).dump(2).c_str());
      } else {
        std::printf("%s", kpi::render_kpi_table(results, window, day_cost).c_str());
      }
      result = 0;
    } catch (const ConfigError& e) {
      std::fprintf(stderr, "agentmetrics kpi: %s\n", e.what());
      result = kExitBadInput;
    } catch (const store::StoreError& e) {
      std::fprintf(stderr, "agentmetrics kpi: %s\n", e.what());
      result = kExitFailed;
    }
  });
}

}  // namespace agentmetrics::cli
