// The OTLP receivers of agentmetricsd, put together: the intake (families, sessions, prices),
// OTLP/HTTP on its own listener (with the main listener's TLS, users and rights) and OTLP/gRPC.
// On by default on loopback only (127.0.0.1:4318 and :4317). A receiver that cannot listen
// (another collector has the port) is logged and reported in /health and
// agentmetrics_otlp_receiver_up; the collector runs on without it.
#pragma once

#include <prometheus/metric_family.h>

#include <atomic>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "collector/aggregate/family_registry.h"
#include "collector/http/http_server.h"
#include "collector/intake/durable_intake.h"
#include "collector/intake/model_prices.h"
#include "collector/intake/otlp/agent_families.h"
#include "collector/intake/otlp/otlp_grpc_server.h"
#include "collector/intake/otlp/otlp_http_routes.h"
#include "collector/intake/otlp/otlp_intake.h"
#include "collector/intake/otlp/session_tracker.h"
#include "collector/intake/session_count_ledger.h"

namespace agentmetrics::intake {

struct OtlpReceiverOptions {
  std::string metric_prefix = "opencode";
  std::string http_listen_address = "127.0.0.1:4318";  // empty: no OTLP/HTTP
  std::string grpc_listen_address = "127.0.0.1:4317";  // empty: no OTLP/gRPC
  std::size_t max_request_bytes = 8 << 20;
  std::vector<std::string> label_attributes;  // attributes that may become labels
  SessionTrackerOptions sessions;
  std::map<std::string, ModelPrice> prices;  // over the shipped table
  double daily_budget_usd = 0;
};

// An attribute's name as a label name: [a-zA-Z0-9_], "deployment.environment" as
// "deployment_environment".
std::string label_name_of(const std::string& attribute);

class OtlpReceivers {
 public:
  // Registers the agents' families in `registry` (throws std::runtime_error if one is taken).
  // `store` may be null (the store disabled: sessions are then not stored). `ledger`, when given,
  // is shared with the session watcher, which counts into families() too: a session's spend is
  // counted by whichever of the two claims it first.
  OtlpReceivers(OtlpReceiverOptions options, collector::FamilyRegistry& registry, store::OutcomeSink* store,
                SessionCountLedger* ledger = nullptr);
  ~OtlpReceivers();

  // Opens the listeners, with the main listener's TLS, users, rights and limits; logs the one
  // that cannot listen.
  void start(const collector::HttpOptions& main_listener);
  // Once a second: stores the sessions that went quiet, lets go of the agents' series no point
  // wrote since the last tick (they expire collector.seriesStaleness later).
  void tick();
  // Closes the listeners and stores every session (before the store stops).
  void stop();

  AgentFamilies& families() { return families_; }
  std::vector<prometheus::MetricFamily> self_metrics() const;
  // {"otlp_http": up, "otlp_grpc": up} for the receivers that are configured.
  nlohmann::json health() const;
  int http_port() const { return http_ ? http_->port() : 0; }
  // The OTLP/HTTP listener's counts; null when it is not listening.
  const collector::HttpCounters* http_counters() const { return options_.http_listen_address.empty() ? nullptr : &http_counters_; }
  int grpc_port() const { return grpc_ ? grpc_->port() : 0; }

 private:
  OtlpReceiverOptions options_;
  PriceTable prices_;
  AgentFamilies families_;
  DurableIntake durable_;
  SessionTracker sessions_;
  OtlpIntake intake_;
  OtlpHttpRoutes routes_;
  collector::HttpCounters http_counters_;  // owned here: a scrape may read them while http_ is set
  std::unique_ptr<collector::HttpServer> http_;
  std::unique_ptr<OtlpGrpcServer> grpc_;
  // Whether each listener runs: set by start() and stop() on the daemon's thread, read by /health
  // and the scrape on the HTTP threads. Relaxed: each is a fact of its own.
  std::atomic<bool> http_up_{false}, grpc_up_{false};
};

}  // namespace agentmetrics::intake
