// What the OTLP receivers feed, and how one export request is taken in: the agents' metrics and
// events mapped to agentmetrics' families and sessions (docs/otlp.md has the mapping of each
// agent), each point counted once whatever its temporality. A request is taken whole or, for
// what it holds that cannot be read, answered with a partial success naming how many points
// or records were rejected and why.
#pragma once

#include <opentelemetry/proto/collector/logs/v1/logs_service.pb.h>
#include <opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h>
#include <opentelemetry/proto/collector/trace/v1/trace_service.pb.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "collector/intake/model_prices.h"
#include "collector/intake/otlp/agent_families.h"
#include "collector/intake/otlp/exponential_points.h"
#include "collector/intake/otlp/metrics_request_view.h"
#include "collector/intake/otlp/otlp_attributes.h"
#include "collector/intake/otlp/point_deltas.h"
#include "collector/intake/otlp/recent_keys.h"
#include "collector/intake/otlp/session_tracker.h"
#include "collector/intake/session_count_ledger.h"

namespace agentmetrics::intake {

// Which agent sent telemetry, by its resource's service.name and the name of a metric or
// event: claude_code, codex, gemini_cli or opencode; empty for any other sender, whose telemetry
// is accepted and left alone.
inline std::string_view agent_named(std::string_view service, std::string_view first_name) {
  if (service == "claude-code" || first_name.starts_with("claude_code.")) return "claude_code";
  if (service.starts_with("codex") || first_name.starts_with("codex.")) return "codex";
  if (service == "gemini-cli" || service == "gemini_cli" || first_name.starts_with("gemini_cli.")) return "gemini_cli";
  if (service == "opencode") return "opencode";
  return {};
}
template <typename Resource>
std::string agent_of(const Resource& resource, std::string_view first_name) {
  return std::string(agent_named(text_attribute(resource.attributes(), "service.name"), first_name));
}

struct IntakeTally {
  std::int64_t rejected = 0;  // points or records that could not be read
  std::string rejection;      // why, for the partial success's message
};

// Counts of what the receivers did, for self-metrics. Relaxed: independent counts.
struct IntakeCounters {
  std::atomic<std::uint64_t> points_mapped{0}, points_ignored{0}, points_rejected{0}, records_mapped{0}, records_ignored{0},
      records_rejected{0}, spans{0}, unpriced_tokens{0};
};

class OtlpIntake {
 public:
  // `label_attributes`: the attributes allowed to become labels (otlp.labelAttributes), in the
  // order of `families.extra_labels()`, which are their names made label names. `ledger`, when
  // given: a session's tokens, cost, requests, tool calls and its start are counted only when
  // this receiver claims the session (the session watcher counts the others).
  OtlpIntake(AgentFamilies& families, SessionTracker& sessions, const PriceTable& prices, std::vector<std::string> label_attributes,
             std::size_t max_streams, SessionCountLedger* ledger = nullptr);

  IntakeTally take(const opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest& request);
  // The same request read in place: the same mapping.
  IntakeTally take(const MetricsRequestView& request);
  IntakeTally take(const opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest& request);
  // Spans are accepted and counted, not mapped: the agents put in them what their events and
  // metrics already say (or the whole prompt: opencode's AI SDK spans).
  IntakeTally take(const opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest& request);

  const IntakeCounters& counters() const { return counters_; }
  // Points and records of sessions the session watcher counts, left out of the families.
  std::uint64_t left_to_watcher() const { return left_to_watcher_.load(std::memory_order_relaxed); }
  std::size_t forgotten_streams() const { return deltas_.forgotten() + seen_records_.forgotten() + exponential_.forgotten(); }

 private:
  // Whether this receiver counts the spend of `session` (empty: telemetry that names none, which
  // claims the whole agent for a while); counts what it leaves to the watcher.
  bool counts(std::string_view agent, std::string_view session);
  template <typename Request>
  IntakeTally take_metrics(const Request& request);
  // A metric of exponential histogram points (exponential_mapping.cpp).
  void take_exponential(const opentelemetry::proto::metrics::v1::Metric& metric, std::uint64_t metric_digest, const Attributes& resource,
                        IntakeTally& tally);

  AgentFamilies& families_;
  SessionTracker& sessions_;
  const PriceTable& prices_;
  const std::vector<std::string> label_attributes_;
  PointDeltas deltas_;
  ExponentialPoints exponential_;
  RecentKeys seen_records_;  // log records, for a retried export
  IntakeCounters counters_;
  SessionCountLedger* ledger_;
  std::atomic<std::uint64_t> left_to_watcher_{0};
};

}  // namespace agentmetrics::intake
