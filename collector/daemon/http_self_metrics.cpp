#include "collector/daemon/http_self_metrics.h"

namespace agentmetrics::collector {

std::vector<prometheus::MetricFamily> http_self_metrics(const NamedHttpCounters& listeners) {
  prometheus::MetricFamily responses{"agentmetrics_http_responses_total",
                                     "HTTP responses by listener and status code, the listener's own refusals included",
                                     prometheus::MetricType::Counter,
                                     {}};
  prometheus::MetricFamily refused{"agentmetrics_http_connections_refused_total",
                                   "HTTP connections closed on arrival: beyond the listener's or the peer's share",
                                   prometheus::MetricType::Counter,
                                   {}};
  for (const auto& [listener, counters] : listeners) {
    if (counters == nullptr) continue;
    // Only the codes a listener has answered with: a few series, not five hundred.
    for (int code = HttpCounters::kFirstStatus; code <= HttpCounters::kLastStatus; ++code) {
      const std::uint64_t n = counters->responses_with(code);
      if (n == 0) continue;
      prometheus::ClientMetric m;
      m.label = {{"listener", listener}, {"code", std::to_string(code)}};
      m.counter.value = static_cast<double>(n);
      responses.metric.push_back(std::move(m));
    }
    prometheus::ClientMetric m;
    m.label = {{"listener", listener}};
    m.counter.value = static_cast<double>(counters->connections_refused.load(std::memory_order_relaxed));
    refused.metric.push_back(std::move(m));
  }
  return {std::move(responses), std::move(refused)};
}

}  // namespace agentmetrics::collector
