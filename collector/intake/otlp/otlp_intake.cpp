#include "collector/intake/otlp/otlp_intake.h"

#include "collector/intake/otlp/otlp_attributes.h"

namespace agentmetrics::intake {

OtlpIntake::OtlpIntake(AgentFamilies& families, SessionTracker& sessions, const PriceTable& prices,
                       std::vector<std::string> label_attributes, std::size_t max_streams, SessionCountLedger* ledger)
    : families_(families),
      sessions_(sessions),
      prices_(prices),
      label_attributes_(std::move(label_attributes)),
      deltas_(max_streams),
      exponential_(max_streams),
      seen_records_(max_streams),
      ledger_(ledger) {}

bool OtlpIntake::counts(std::string_view agent, std::string_view session) {
  if (!ledger_) return true;
  if (session.empty()) {
    ledger_->claim_agent(agent, SessionCountLedger::Counter::kOtlp);
    return true;
  }
  if (ledger_->claim(agent, session, SessionCountLedger::Counter::kOtlp)) return true;
  left_to_watcher_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

IntakeTally OtlpIntake::take(const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& request) {
  std::uint64_t spans = 0;
  for (const auto& rs : request.resource_spans()) {
    for (const auto& ss : rs.scope_spans()) spans += static_cast<std::uint64_t>(ss.spans_size());
  }
  counters_.spans.fetch_add(spans, std::memory_order_relaxed);
  return {};
}

}  // namespace agentmetrics::intake
