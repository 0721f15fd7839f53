// The subcommands of the `agentmetrics` command line tool. Each adds itself to the app and
// runs when chosen; exit codes: 0 done, 1 the work failed (an event dropped, a store error),
// 2 bad input (a usage error, an unknown field, a malformed file). Each add_* registers one
// subcommand; `result` receives its exit code when it runs.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "collector/config/config.h"

namespace agentmetrics::cli {

inline constexpr int kExitFailed = 1;
inline constexpr int kExitBadInput = 2;

void add_record_command(CLI::App& app, int& result);
void add_events_command(CLI::App& app, int& result);
void add_exec_command(CLI::App& app, int& result);
void add_ingest_command(CLI::App& app, int& result);
void add_kpi_command(CLI::App& app, int& result);
void add_import_command(CLI::App& app, int& result);
void add_report_command(CLI::App& app, int& result);

// The configuration as the collector reads it (file, environment, checks), with the KPI window
// asked for (kpi and report). Throws ConfigError.
collector::Config kpi_config(const std::string& file, const std::string& window);

}  // namespace agentmetrics::cli
