// The receivers' own metrics, beside the collector's:
//   agentmetrics_webhook_deliveries_total{forge, event, result}  every delivery, by what became of it
//   agentmetrics_webhook_facts_dropped_total{forge}              facts a delivery held that failed their check
// `event` is one of the events a receiver knows, or "other", so that no sender can grow the
// series; `result` is stored, ignored, unauthorized, malformed or unavailable (docs/metrics.md).
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <string_view>

namespace agentmetrics::intake {

enum class DeliveryResult { kStored, kIgnored, kUnauthorized, kMalformed, kUnavailable };
std::string_view to_label(DeliveryResult result);

class WebhookMetrics {
 public:
  explicit WebhookMetrics(prometheus::Registry& registry);
  void delivered(std::string_view forge, std::string_view event, DeliveryResult result);
  void dropped(std::string_view forge, std::size_t facts);

 private:
  prometheus::Family<prometheus::Counter>& deliveries_;
  prometheus::Family<prometheus::Counter>& dropped_;
};

}  // namespace agentmetrics::intake
