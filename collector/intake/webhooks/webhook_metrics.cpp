#include "collector/intake/webhooks/webhook_metrics.h"

#include <string>

namespace agentmetrics::intake {

std::string_view to_label(DeliveryResult result) {
  switch (result) {
    case DeliveryResult::kStored: return "stored";
    case DeliveryResult::kIgnored: return "ignored";
    case DeliveryResult::kUnauthorized: return "unauthorized";
    case DeliveryResult::kMalformed: return "malformed";
    case DeliveryResult::kUnavailable: return "unavailable";
  }
  return "malformed";
}

WebhookMetrics::WebhookMetrics(prometheus::Registry& registry)
    : deliveries_(prometheus::BuildCounter()
                      .Name("agentmetrics_webhook_deliveries_total")
                      .Help("Forge webhook deliveries by forge, event and result (stored, ignored, unauthorized, malformed, unavailable)")
                      .Register(registry)),
      dropped_(prometheus::BuildCounter()
                   .Name("agentmetrics_webhook_facts_dropped_total")
                   .Help("Outcomes of accepted webhook deliveries that failed their check and were not stored")
                   .Register(registry)) {}

void WebhookMetrics::delivered(std::string_view forge, std::string_view event, DeliveryResult result) {
  deliveries_.Add({{"forge", std::string(forge)}, {"event", std::string(event)}, {"result", std::string(to_label(result))}}).Increment();
}

void WebhookMetrics::dropped(std::string_view forge, std::size_t facts) {
  if (facts > 0) dropped_.Add({{"forge", std::string(forge)}}).Increment(static_cast<double>(facts));
}

}  // namespace agentmetrics::intake
