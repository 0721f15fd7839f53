// agentmetrics report --html FILE [--window 7d]: the /ui page's views from the store, written
// into one self-contained HTML file (collector/ui/html_report.h), for a person without a
// running collector.
#include <cstdio>
#include <fstream>
#include <memory>

#include "collector/cli/agentmetrics/commands.h"
#include "collector/config/kpi_settings.h"
#include "collector/learning/learning_store.h"
#include "collector/store/sqlite_event_store.h"
#include "collector/store/store_factory.h"
#include "collector/store/store_location.h"
#include "collector/ui/dashboard.h"
#include "collector/ui/html_report.h"

namespace agentmetrics::cli {

void add_report_command(CLI::App& app, int& result) {
  auto* cmd = app.add_subcommand("report",
                                 "Write the KPIs, tokens and cost, the recent tasks, the playbook and the last reflections into one "
                                 "HTML file that needs nothing else to open (read from the store; the collector need not run)");
  struct Options {
    std::string html;
    std::string window = "7d";
    std::string store;
    std::string config;
  };
  auto options = std::make_shared<Options>();
  cmd->add_option("--html", options->html, "the file to write")->required();
  cmd->add_option("--window", options->window, "how far back: 24h, 7d, 30d, ... (default 7d)");
  cmd->add_option(
      "--store", options->store,
      "the store (default $AGENTMETRICS_STORE, else the configuration's store.path, else ~/.local/state/agentmetrics/events.db)");
  cmd->add_option("--config", options->config,
                  "the collector's configuration file, for its kpi.targets (default $AGENTMETRICS_CONFIG, else "
                  "~/.config/agentmetrics/config.yaml if present)");
  cmd->callback([options, &result] {
    try {
      const collector::Config config = kpi_config(options->config, options->window);
      const auto window = collector::kpi_windows(config).front();
      const std::string path = options->store.empty() ? store::store_path_for(config.store.path) : options->store;
      ui::DashboardOptions dashboard;
      dashboard.kpi = kpi::KpiSettings{collector::kpi_overrides(config)};
      dashboard.learning.reflection.max_rules = config.cass_memory.max_rules;
      // --store names a file, over a team store's URL: a team's report shows the team's events,
      // playbook and reflections.
      const std::string url = options->store.empty() ? config.store.url : std::string();
      std::unique_ptr<store::EventStore> store;
      std::unique_ptr<ui::Dashboard> view;
      if (url.empty()) {
        auto local = store::SqliteEventStore::open(path, store::SqliteEventStore::Mode::kReadOnly);
        view = std::make_unique<ui::Dashboard>(*local, dashboard);
        store = std::move(local);
      } else {
        store = store::open_event_store({url, path}, store::StoreAccess::kReadOnly);
        learning::LearningStoreOptions playbook{url, path, dashboard.learning};
        view = std::make_unique<ui::Dashboard>(
            *store, [playbook] { return learning::open_learning_store(playbook); }, dashboard);
      }
      const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
      const std::string page = ui::render_html_report(view->report(now, window));
      std::ofstream out(options->html, std::ios::binary | std::ios::trunc);
      out << page;
      out.close();
      if (!out) {
        std::fprintf(stderr, "agentmetrics report: cannot write %s\n", options->html.c_str());
        result = kExitFailed;
        return;
      }
      std::printf("wrote %s (%zu bytes)\n", options->html.c_str(), page.size());
      result = 0;
    } catch (const collector::ConfigError& e) {
      std::fprintf(stderr, "agentmetrics report: %s\n", e.what());
      result = kExitBadInput;
    } catch (const std::invalid_argument& e) {
      std::fprintf(stderr, "agentmetrics report: %s\n", e.what());
      result = kExitBadInput;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "agentmetrics report: %s\n", e.what());
      result = kExitFailed;
    }
  });
}

}  // namespace agentmetrics::cli
