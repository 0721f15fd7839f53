// agentmetrics: records outcome events from scripts and CI (through a shared-memory segment,
// like any instrumented program), runs commands as pipeline stages, ingests test, coverage and
// lint reports and git history, and prints the KPIs from the store.
#include <cstdlib>

#include "collector/cli/agentmetrics/commands.h"

int main(int argc, char** argv) {
  // One event per run needs one ring, not the library's default sixteen.
  ::setenv("AGENTMETRICS_RINGS", "1", 0);
  CLI::App app{
      "agentmetrics: record outcome events and read the KPIs of your coding agents.\n"
      "Events go through a shared-memory segment to the collector (agentmetricsd), which need not be running yet."};
  app.require_subcommand(1);
  int result = 0;
  using namespace agentmetrics::cli;
  add_record_command(app, result);
  add_events_command(app, result);
  add_exec_command(app, result);
  add_ingest_command(app, result);
  add_kpi_command(app, result);
  add_import_command(app, result);
  add_report_command(app, result);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitBadInput;
  }
  return result;
}
