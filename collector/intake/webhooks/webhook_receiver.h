// POST /webhooks/github and /webhooks/gitlab: a forge's deliveries, authenticated by their
// signature (GitHub) or token (GitLab), turned into facts and stored through the durable intake
// before the forge is answered.
//
//   200 stored (or already stored: a redelivery is kept once)   202 nothing to record
//   401 a signature or token that is missing or wrong            400 JSON that does not parse
//   415 a body that is not application/json                      503 the store is behind (Retry-After)
// A body over the route's limit gets 413 from the listener before it is read. Nothing is stored
// for any answer but 200. docs/webhooks.md says how to set a forge up.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "collector/http/http_server.h"
#include "collector/intake/durable_intake.h"
#include "collector/intake/webhooks/webhook_metrics.h"
#include "collector/intake/webhooks/webhook_settings.h"

namespace agentmetrics::store {
class EventStore;
}

namespace agentmetrics::intake {

enum class Forge { kGitHub, kGitLab };
std::string_view to_string(Forge forge);  // github, gitlab

struct WebhookReceiverOptions {
  Forge forge = Forge::kGitHub;
  std::string secret;       // GitHub: the webhook's secret; GitLab: its secret token
  std::string store_path;   // read for what a delivery does not say (forge_history.h)
  std::string store_url{};  // a team store (PostgreSQL): read there instead of store_path
  WebhookSettings settings;
  std::chrono::milliseconds store_wait{5000};  // GitHub gives up on a delivery after 10 s
};

class WebhookReceiver {
 public:
  // Throws std::invalid_argument without a secret: a receiver without one would accept
  // anything.
  WebhookReceiver(WebhookReceiverOptions options, DurableIntake& intake, WebhookMetrics& metrics);
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  collector::HttpResponse handle(const collector::HttpRequest& request);

 private:
  std::string_view event_label(const collector::HttpRequest& request) const;
  bool authentic(const collector::HttpRequest& request) const;
  collector::HttpResponse answer(const collector::HttpRequest& request, std::string_view event, DeliveryResult result, int status,
                                 const std::string& message);

  WebhookReceiverOptions options_;
  DurableIntake& intake_;
  WebhookMetrics& metrics_;
  std::mutex history_mutex_;  // one delivery at a time reads the history
  std::unique_ptr<store::EventStore> history_;
};

}  // namespace agentmetrics::intake
