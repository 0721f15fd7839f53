// agentmetricsd: the sidecar collector.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <functional>
#include <optional>

#include "collector/daemon/build_info.h"
#include "collector/daemon/collector.h"
#include "collector/http/tls_context.h"
#include "collector/http/web_config.h"
#include "collector/config/config.h"
#include "collector/config/config_location.h"
#include "collector/common/log.h"

using namespace agentmetrics;
using namespace agentmetrics::collector;

namespace {

// Values given on the command line; each one, when set, wins over the file and the
// environment, at start and at every reload.
struct FlagOverrides {
  std::optional<std::string> listen_address, ns, segment_dir, metric_prefix, wait_mode, log_level, log_format, store_path, web_config_file,
      otlp_http, otlp_grpc;
  std::optional<std::size_t> shards;
  std::vector<uid_t> allow_uids;

  void apply(Config& c) const {
    if (listen_address) c.listen_address = *listen_address;
    if (ns) c.ns = *ns;
    if (segment_dir) c.segment_dir = *segment_dir;
    if (metric_prefix) c.metric_prefix = *metric_prefix;
    if (wait_mode) c.wait_mode = parse_wait_mode(*wait_mode);
    if (log_level) c.log.level = *log_level;
    if (log_format) c.log.format = *log_format;
    if (shards) c.shards = *shards;
    if (store_path) c.store.path = *store_path;
    if (web_config_file) c.security.web_config_file = *web_config_file;
    if (otlp_http) c.otlp.http_listen_address = *otlp_http;
    if (otlp_grpc) c.otlp.grpc_listen_address = *otlp_grpc;
    if (!allow_uids.empty()) c.allowed_uids = {allow_uids.begin(), allow_uids.end()};
  }
};

// Defaults, then the file, then the environment, then the flags; validated. Throws ConfigError.
Config build_config(const std::string& path, const FlagOverrides& flags) {
  return load_configuration(path, [&](Config& c) {
    try {
      flags.apply(c);
    } catch (const std::invalid_argument& e) {
      throw ConfigError("--wait-mode", e.what());
    }
  });
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  FlagOverrides flags;
  const BuildInfo info = build_info();

  CLI::App app{
      "agentmetricsd: drains agentmetrics shared-memory segments and serves them to Prometheus.\n"
      "Settings come from the defaults, then --config, then METRICS_PORT, ALERT_WEBHOOK_URL and AGENTMETRICS_STORE, then these flags."};
  app.set_version_flag("--version", "agentmetricsd " + info.version + " (commit " + info.commit + ", built " + info.build_time + ")");
  app.add_option("--config", config_path,
                 "YAML configuration file (default $AGENTMETRICS_CONFIG, else ~/.config/agentmetrics/config.yaml if present; see "
                 "docs/configuration.md)");
  app.add_option("--web.listen-address", flags.listen_address, "Address to serve HTTP on, HOST:PORT (default :9090)");
  app.add_option("--namespace", flags.ns, "Namespace of the segments to collect (producers set AGENTMETRICS_NAMESPACE; default: default)");
  app.add_option("--segment-dir", flags.segment_dir, "Directory where producers create segments (default /dev/shm)");
  app.add_option("--shards", flags.shards, "Drain threads, each with its own shard of the series (default: one per core)");
  app.add_option("--metric-prefix", flags.metric_prefix, "Prefix of the catalogue's metric names (default opencode)");
  app.add_option("--allow-uid", flags.allow_uids, "Accept segments owned by this uid (repeatable; default: the collector's own uid)");
  app.add_option("--wait-mode", flags.wait_mode, "auto, io_uring or poll (default auto: io_uring where it can be set up)");
  app.add_option("--store", flags.store_path,
                 "SQLite file of the outcome events (default $AGENTMETRICS_STORE, else the configuration's store.path, else "
                 "~/.local/state/agentmetrics/events.db)");
  app.add_option("--web.config.file", flags.web_config_file,
                 "Exporter-toolkit web configuration: TLS and basic authentication (docs/security.md); re-read on SIGHUP");
  app.add_option("--otlp.http.listen-address", flags.otlp_http,
                 "Address of the OTLP/HTTP receiver (default 127.0.0.1:4318; \"\" for none)");
  app.add_option("--otlp.grpc.listen-address", flags.otlp_grpc,
                 "Address of the OTLP/gRPC receiver (default 127.0.0.1:4317; \"\" for none)");
  app.add_option("--log.level", flags.log_level, "debug, info, warn or error (default info)");
  app.add_option("--log.format", flags.log_format, "text or json (default text)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  if (const char* env = std::getenv("AGENTMETRICS_WAIT_MODE"); env && *env && !flags.wait_mode) flags.wait_mode = env;

  config_path = find_configuration_file(config_path);
  Config config;
  try {
    config = build_config(config_path, flags);
  } catch (const ConfigError& e) {
    std::fprintf(stderr, "agentmetricsd: invalid configuration: %s\n", e.what());
    return 2;
  }
  configure_logging(parse_log_level(config.log.level), config.log.format == "json");
  try {
    // Refused here, with the key, rather than as a failure to start the listener.
    const WebConfig web = load_web_config(config.security.web_config_file);
    if (web.tls) make_tls_context(*web.tls);
  } catch (const WebConfigError& e) {
    std::fprintf(stderr, "agentmetricsd: invalid web configuration %s: %s\n", config.security.web_config_file.c_str(), e.what());
    return 2;
  }

  // A write past a file size limit (ulimit -f, systemd's LimitFSIZE=) then fails with EFBIG,
  // which the store handles like a full disk, instead of ending the daemon.
  ::signal(SIGXFSZ, SIG_IGN);
  // Signals are read from a signalfd by the event loop; block them before any thread starts
  // so none is delivered to a worker.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    Collector collector(config);
    collector.run([&] {
      try {
        // Without --config the flags' configuration stays; the files it names (the web
        // configuration) are read again all the same.
        collector.apply(config_path.empty() ? config : build_config(config_path, flags));
      } catch (const ConfigError& e) {
        log(LogLevel::kError, "configuration not reloaded; keeping the running one", {{"error", e.what()}});
      }
    });
  } catch (const std::exception& e) {
    log(LogLevel::kError, "cannot start", {{"error", e.what()}});
    return 1;
  }
  return 0;
}
