// agentmetricsd: the sidecar collector.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <thread>

#include "collector.h"
#include "log.h"
#include "names.h"
#include "segment_name.h"

using namespace agentmetrics::collector;

int main(int argc, char** argv) {
  CollectorOptions options;
  options.shards = std::max(1u, std::thread::hardware_concurrency());
  std::string log_level = "info";
  std::string log_format = "text";
  std::vector<uid_t> allowed;

  CLI::App app{"agentmetricsd: drains agentmetrics shared-memory segments and serves them to Prometheus"};
  app.set_version_flag("--version", std::string("agentmetricsd ") + AGENTMETRICS_VERSION + " (commit " + AGENTMETRICS_GIT_COMMIT + ")");
  app.add_option("--web.listen-address", options.listen_address, "Address to serve /metrics on, HOST:PORT")->capture_default_str();
  app.add_option("--namespace", options.ns, "Namespace of the segments to collect (producers set AGENTMETRICS_NAMESPACE)")
      ->capture_default_str()
      ->check([](const std::string& ns) {
        return agentmetrics::ipc::is_valid_namespace(ns) ? std::string() : "must be 1 to 64 characters of [A-Za-z0-9_-]";
      });
  app.add_option("--segment-dir", options.segment_dir, "Directory where producers create segments (producers set AGENTMETRICS_SHM_DIR)")
      ->capture_default_str();
  app.add_option("--shards", options.shards, "Drain threads, each with its own shard of the aggregates")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  app.add_option("--metric-prefix", options.metric_prefix, "Prefix of the catalogue's metric names")
      ->capture_default_str()
      ->check([](const std::string& p) { return agentmetrics::ipc::is_valid_metric_name(p) ? std::string() : "is not a valid metric name"; });
  app.add_option("--allow-uid", allowed, "Accept segments owned by this uid (repeatable; default: the collector's own uid)");
  app.add_option("--log.level", log_level, "debug, info, warn or error")->capture_default_str()->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  app.add_option("--log.format", log_format, "text or json")->capture_default_str()->check(CLI::IsMember({"text", "json"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  configure_logging(parse_log_level(log_level), log_format == "json");
  options.allowed_owners.insert(allowed.begin(), allowed.end());

  // Signals are taken by sigwait below, never delivered to a worker thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  try {
    Collector collector(options);
    int signo = 0;
    sigwait(&signals, &signo);
    log(LogLevel::kInfo, "stopping", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"}});
  } catch (const std::exception& e) {
    log(LogLevel::kError, "cannot start", {{"error", e.what()}});
    return 1;
  }
  return 0;
}
