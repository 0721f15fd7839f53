#include "collector/intake/webhooks/webhook_receiver.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "collector/common/header_text.h"
#include "collector/common/log.h"
#include "collector/intake/webhooks/forge_history.h"
#include "collector/intake/webhooks/github_deliveries.h"
#include "collector/intake/webhooks/gitlab_deliveries.h"
#include "collector/intake/webhooks/payload_fields.h"
#include "collector/intake/webhooks/webhook_signature.h"
#include "collector/store/store_error.h"
#include "collector/store/store_factory.h"

namespace agentmetrics::intake {
namespace {

using json = nlohmann::json;

// No forge's payload nests this deep; a body that does is refused while it is parsed, before
// copying or destroying it could recurse through the whole depth.
constexpr int kMaxJsonDepth = 64;
struct TooDeep {};

// Seconds a forge is asked to wait before it sends a delivery the store could not take again.
constexpr const char* kRetryAfterSeconds = "30";

std::string repository_of(Forge forge, const json& payload) {
  if (forge == Forge::kGitHub) return text_member(object_member(payload, "repository"), "full_name");
  return text_member(object_member(payload, "project"), "path_with_namespace");
}

}  // namespace

std::string_view to_string(Forge forge) { return forge == Forge::kGitHub ? "github" : "gitlab"; }

WebhookReceiver::WebhookReceiver(WebhookReceiverOptions options, DurableIntake& intake, WebhookMetrics& metrics)
    : options_(std::move(options)), intake_(intake), metrics_(metrics) {
  if (options_.secret.empty()) throw std::invalid_argument(std::string(to_string(options_.forge)) + " webhook receiver without a secret");
}

WebhookReceiver::~WebhookReceiver() = default;

std::string_view WebhookReceiver::event_label(const collector::HttpRequest& request) const {
  if (options_.forge == Forge::kGitHub) return github_event_label(request.header("x-github-event"));
  return gitlab_event_label(request.header("x-gitlab-event"));
}

bool WebhookReceiver::authentic(const collector::HttpRequest& request) const {
  if (options_.forge == Forge::kGitHub) {
    return github_signature_valid(options_.secret, request.body, request.header("x-hub-signature-256"));
  }
  return gitlab_token_valid(options_.secret, request.header("x-gitlab-token"));
}

collector::HttpResponse WebhookReceiver::answer(const collector::HttpRequest& request, std::string_view event, DeliveryResult result,
                                                int status, const std::string& message) {
  const std::string_view forge = to_string(options_.forge);
  metrics_.delivered(forge, event, result);
  const std::string delivery = request.header(options_.forge == Forge::kGitHub ? "x-github-delivery" : "x-gitlab-event-uuid");
  const bool refused = status >= 400;
  log(refused ? LogLevel::kWarn : LogLevel::kDebug, refused ? "webhook delivery refused" : "webhook delivery",
      {{"forge", std::string(forge)},
       {"event", std::string(event)},
       {"delivery", delivery},
       {"peer", request.peer},
       {"status", status},
       {"result", std::string(to_label(result))},
       {"detail", message}});
  // A parser's message may quote the body's bytes, which need not be UTF-8.
  const std::string body = json{{"result", to_label(result)}, {"detail", message}}.dump(-1, ' ', false, json::error_handler_t::replace);
  collector::HttpResponse response{status, "application/json", {}, body + "\n"};
  if (status == 503) response.headers.emplace_back("Retry-After", kRetryAfterSeconds);
  return response;
}

collector::HttpResponse WebhookReceiver::handle(const collector::HttpRequest& request) {
  const std::string_view event = event_label(request);
  using enum DeliveryResult;
  // Nothing of an unauthenticated body is read, not even as JSON.
  if (!authentic(request)) {
    return answer(request, event, kUnauthorized, 401,
                  options_.forge == Forge::kGitHub ? "the X-Hub-Signature-256 signature is missing or does not match the body"
                                                   : "the X-Gitlab-Token is missing or not this receiver's");
  }
  const std::string content_type = request.header("content-type");
  if (ascii_lower(trim_blanks(content_type.substr(0, content_type.find(';')))) != "application/json") {
    return answer(request, event, kMalformed, 415,
                  "the body must be application/json (set the webhook's content type to application/json)");
  }
  const std::string event_name = request.header(options_.forge == Forge::kGitHub ? "x-github-event" : "x-gitlab-event");
  if (event_name.empty()) return answer(request, event, kMalformed, 400, "no event header");
  json payload;
  try {
    payload = json::parse(request.body, [](int depth, json::parse_event_t, json&) {
      if (depth > kMaxJsonDepth) throw TooDeep{};
      return true;
    });
  } catch (const TooDeep&) {
    return answer(request, event, kMalformed, 400, "the JSON is nested deeper than " + std::to_string(kMaxJsonDepth));
  } catch (const json::exception& e) {
    return answer(request, event, kMalformed, 400, std::string("the body is not JSON: ") + e.what());
  }
  if (!payload.is_object()) return answer(request, event, kMalformed, 400, "the body is not a JSON object");
  if (event == "ping") return answer(request, event, kIgnored, 200, "pong");
  const std::string repository = repository_of(options_.forge, payload);
  if (!repository.empty() && !options_.settings.repository_allowed(repository)) {
    return answer(request, event, kIgnored, 202, "the repository " + repository + " is not one of webhooks.repositories");
  }

  ForgeFacts facts;
  try {
    const std::lock_guard lock(history_mutex_);
    if (!history_) history_ = store::open_event_store({options_.store_url, options_.store_path}, store::StoreAccess::kReadOnly);
    const ForgeHistory history(history_.get());
    const ForgeContext context{options_.settings, history};
    facts =
        options_.forge == Forge::kGitHub ? github_delivery_facts(event_name, payload, context) : gitlab_delivery_facts(payload, context);
  } catch (const store::StoreError& e) {
    return answer(request, event, kUnavailable, 503, std::string("the store cannot be read: ") + e.what());
  }
  std::vector<std::string> dropped;
  std::vector<ipc::OutcomeEvent> events = keyed_events(to_string(options_.forge), std::move(facts.facts), dropped);
  metrics_.dropped(to_string(options_.forge), dropped.size());
  for (const auto& why : dropped)
    log(LogLevel::kWarn, "webhook outcome dropped", {{"forge", std::string(to_string(options_.forge))}, {"reason", why}});
  if (events.empty()) {
    return answer(request, event, kIgnored, 202, facts.ignored.empty() ? "nothing to record" : facts.ignored);
  }
  const std::size_t count = events.size();
  switch (intake_.store(std::move(events), options_.store_wait)) {
    case IntakeResult::kStored:
      return answer(request, event, kStored, 200, std::to_string(count) + (count == 1 ? " outcome" : " outcomes"));
    case IntakeResult::kPending: return answer(request, event, kUnavailable, 503, "the store has not committed in time; send it again");
    case IntakeResult::kQueueFull: return answer(request, event, kUnavailable, 503, "the store is behind; send it again later");
    case IntakeResult::kNoStore: return answer(request, event, kUnavailable, 503, "the store is disabled");
  }
  return answer(request, event, kUnavailable, 503, "the store did not answer");
}

}  // namespace agentmetrics::intake
