// The forges' webhook receivers the configuration asks for, as routes of the listener:
// POST /webhooks/github and /webhooks/gitlab, each only when its secret is set (a receiver
// without one would take anyone's deliveries) and the store is on; the log says which run and,
// for the others, why not.
#pragma once

#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collector/config/config.h"
#include "collector/http/http_server.h"
#include "collector/intake/durable_intake.h"
#include "collector/intake/webhooks/webhook_metrics.h"
#include "collector/intake/webhooks/webhook_receiver.h"

namespace agentmetrics::collector {

class WebhookRoutes {
 public:
  // `sink` is the store thread (null: the store is disabled) and `store_path` its file. Throws
  // std::runtime_error when a configured secret file cannot be read.
  WebhookRoutes(const Config& config, store::OutcomeSink* sink, const std::string& store_path, prometheus::Registry& registry);
  ~WebhookRoutes();

  std::map<std::string, HttpRoute> routes() const;

 private:
  std::unique_ptr<intake::DurableIntake> intake_;
  std::unique_ptr<intake::WebhookMetrics> metrics_;
  std::map<std::string, std::unique_ptr<intake::WebhookReceiver>> receivers_;  // by path
  std::size_t max_body_bytes_;
};

}  // namespace agentmetrics::collector
