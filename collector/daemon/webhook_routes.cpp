#include "collector/daemon/webhook_routes.h"

#include "collector/common/log.h"
#include "collector/config/webhook_settings.h"
#include "collector/http/access_policy.h"

namespace agentmetrics::collector {
namespace {

// Events queued for the store beyond which a delivery is answered 503: about a minute of a busy
// store's commits, far more than any forge sends at once.
constexpr std::size_t kMaxQueuedEvents = 20000;

}  // namespace

WebhookRoutes::WebhookRoutes(const Config& config, store::OutcomeSink* sink, const std::string& store_path, prometheus::Registry& registry)
    : max_body_bytes_(config.webhooks.max_body_bytes) {
  struct Wanted {
    intake::Forge forge;
    const Config::Webhooks::Forge& secret;
    const char* environment;
  };
  const Wanted forges[] = {{intake::Forge::kGitHub, config.webhooks.github, "$AGENTMETRICS_GITHUB_WEBHOOK_SECRET"},
                           {intake::Forge::kGitLab, config.webhooks.gitlab, "$AGENTMETRICS_GITLAB_WEBHOOK_TOKEN"}};
  for (const Wanted& w : forges) {
    const std::string name(intake::to_string(w.forge));
    const std::string path = "/webhooks/" + name;
    std::string secret = w.secret.secret;
    if (!w.secret.secret_file.empty()) secret = read_secret_file(w.secret.secret_file, name + " webhook secret");
    if (secret.empty()) {
      log(LogLevel::kInfo, "webhook receiver off: no secret is configured, and one without a secret would accept anyone's deliveries",
          {{"path", path}, {"configure", "webhooks." + name + ".secretFile, webhooks." + name + ".secret or " + w.environment}});
      continue;
    }
    if (!sink) {
      log(LogLevel::kWarn, "webhook receiver off: the store is disabled (store.enabled)", {{"path", path}});
      continue;
    }
    if (!intake_) {
      intake_ = std::make_unique<intake::DurableIntake>(sink, kMaxQueuedEvents);
      metrics_ = std::make_unique<intake::WebhookMetrics>(registry);
    }
    intake::WebhookReceiverOptions options;
    options.forge = w.forge;
    options.secret = std::move(secret);
    options.store_path = store_path;
    options.store_url = config.store.url;
    options.settings = webhook_settings(config);
    receivers_[path] = std::make_unique<intake::WebhookReceiver>(std::move(options), *intake_, *metrics_);
    log(LogLevel::kInfo, "webhook receiver on", {{"path", path}, {"max_body_bytes", max_body_bytes_}});
  }
}

WebhookRoutes::~WebhookRoutes() = default;

std::map<std::string, HttpRoute> WebhookRoutes::routes() const {
  std::map<std::string, HttpRoute> out;
  for (const auto& [path, receiver] : receivers_) {
    intake::WebhookReceiver* r = receiver.get();
    out[path] = HttpRoute{.handler = [r](const HttpRequest& request) { return r->handle(request); },
                          .methods = {"POST"},
                          .access = RouteAccess::kSigned,
                          .max_body_bytes = max_body_bytes_};
  }
  return out;
}

}  // namespace agentmetrics::collector
