#include "collector/intake/otlp/otlp_receivers.h"

#include <prometheus/client_metric.h>

#include <cctype>

#include "collector/common/log.h"

namespace agentmetrics::intake {
namespace {

// Session tasks waiting for the store beyond which the receivers ask their senders to wait.
constexpr std::size_t kMaxQueuedForStore = 50000;

std::vector<std::string> label_names(const std::vector<std::string>& attributes) {
  std::vector<std::string> names;
  for (const auto& a : attributes) names.push_back(label_name_of(a));
  return names;
}

PriceTable priced(const std::map<std::string, ModelPrice>& overrides) {
  PriceTable table = PriceTable::shipped();
  for (const auto& [model, price] : overrides) table.set(model, price);
  return table;
}

prometheus::ClientMetric sample(double value, std::vector<prometheus::ClientMetric::Label> labels = {}) {
  prometheus::ClientMetric m;
  m.label = std::move(labels);
  m.counter.value = value;
  m.gauge.value = value;
  return m;
}

}  // namespace

std::string label_name_of(const std::string& attribute) {
  std::string name = attribute;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
  }
  if (!name.empty() && std::isdigit(static_cast<unsigned char>(name.front()))) name.insert(name.begin(), '_');
  return name;
}

OtlpReceivers::OtlpReceivers(OtlpReceiverOptions options, collector::FamilyRegistry& registry, store::OutcomeSink* store,
                             SessionCountLedger* ledger)
    : options_(std::move(options)),
      prices_(priced(options_.prices)),
      families_(registry, options_.metric_prefix, label_names(options_.label_attributes)),
      durable_(store, kMaxQueuedForStore),
      sessions_(durable_, prices_, options_.sessions),
      intake_(families_, sessions_, prices_, options_.label_attributes, 100000, ledger),
      routes_(intake_, store ? &durable_ : nullptr, options_.max_request_bytes) {
  families_.set(AgentFamily::kCostBudget, options_.daily_budget_usd);
}

OtlpReceivers::~OtlpReceivers() { stop(); }

void OtlpReceivers::start(const collector::HttpOptions& main_listener) {
  if (!options_.http_listen_address.empty()) {
    collector::HttpOptions http = main_listener;
    http.listen_address = options_.http_listen_address;
    // Exports are answered on the I/O threads; the workers check basic-auth passwords (bcrypt).
    http.threads = 4;
    http.max_body_bytes = options_.max_request_bytes;
    try {
      http.counters = &http_counters_;
      http_ = std::make_unique<collector::HttpServer>(http, routes_.routes());
      http_up_.store(true, std::memory_order_relaxed);
    } catch (const std::exception& e) {
      log(LogLevel::kError, "OTLP/HTTP cannot listen; the collector goes on without it", {{"error", e.what()}});
    }
  }
  if (!options_.grpc_listen_address.empty()) {
    try {
      grpc_ = std::make_unique<OtlpGrpcServer>(options_.grpc_listen_address, intake_, &durable_, main_listener.access,
                                               options_.max_request_bytes);
      grpc_up_.store(true, std::memory_order_relaxed);
    } catch (const std::exception& e) {
      log(LogLevel::kError, "OTLP/gRPC cannot listen; the collector goes on without it", {{"error", e.what()}});
    }
  }
  log(LogLevel::kInfo, "OTLP receivers started",
      {{"http", options_.http_listen_address},
       {"http_port", http_port()},
       {"grpc", options_.grpc_listen_address},
       {"grpc_port", grpc_port()},
       {"prices_dated", prices_.date()}});
}

void OtlpReceivers::tick() {
  sessions_.flush_idle();
  families_.release_idle();
}

void OtlpReceivers::stop() {
  grpc_up_.store(false, std::memory_order_relaxed);
  http_up_.store(false, std::memory_order_relaxed);
  grpc_.reset();
  http_.reset();
  sessions_.flush_all();
}

std::vector<prometheus::MetricFamily> OtlpReceivers::self_metrics() const {
  using prometheus::MetricType;
  const IntakeCounters& c = intake_.counters();
  const auto load = [](const std::atomic<std::uint64_t>& v) { return static_cast<double>(v.load(std::memory_order_relaxed)); };
  std::vector<prometheus::ClientMetric> bounded;
  for (const auto bound :
       {collector::SeriesRefusal::kFamilyLimit, collector::SeriesRefusal::kSeriesLimit, collector::SeriesRefusal::kLabelBytesLimit}) {
    bounded.push_back(sample(static_cast<double>(families_.refused(bound)), {{"bound", std::string(collector::to_label(bound))}}));
  }
  return {
      {"agentmetrics_otlp_points_total",
       "OTLP metric points taken in: mapped to a family, ignored (not an agent's, or a repeat), rejected",
       MetricType::Counter,
       {sample(load(c.points_mapped), {{"result", "mapped"}}), sample(load(c.points_ignored), {{"result", "ignored"}}),
        sample(load(c.points_rejected), {{"result", "rejected"}})}},
      {"agentmetrics_otlp_records_total",
       "OTLP log records taken in: mapped, ignored (not an agent's event, or a repeat), rejected",
       MetricType::Counter,
       {sample(load(c.records_mapped), {{"result", "mapped"}}), sample(load(c.records_ignored), {{"result", "ignored"}}),
        sample(load(c.records_rejected), {{"result", "rejected"}})}},
      {"agentmetrics_otlp_metrics_requests_read_total",
       "OTLP/HTTP protobuf metrics requests by how they were read: in place, or by the generated classes (another shape, or "
       "bytes they refused)",
       MetricType::Counter,
       {sample(static_cast<double>(routes_.metrics_read_in_place()), {{"reader", "in_place"}}),
        sample(static_cast<double>(routes_.metrics_parsed()), {{"reader", "generated"}})}},
      {"agentmetrics_otlp_spans_total", "OTLP spans taken in (accepted, not mapped)", MetricType::Counter, {sample(load(c.spans))}},
      {"agentmetrics_otlp_unpriced_tokens_total",
       "Tokens of models the price table does not know: no cost was counted for them",
       MetricType::Counter,
       {sample(load(c.unpriced_tokens))}},
      {"agentmetrics_otlp_left_to_watcher_total",
       "Points and records of sessions the session watcher counts (import.sources), left out of the agent families here",
       MetricType::Counter,
       {sample(static_cast<double>(intake_.left_to_watcher()))}},
      {"agentmetrics_otlp_sessions_followed",
       "Agent sessions heard of and not stored yet (or kept a while after)",
       MetricType::Gauge,
       {sample(static_cast<double>(sessions_.followed()))}},
      {"agentmetrics_otlp_sessions_stored_total",
       "Agent sessions stored as tasks",
       MetricType::Counter,
       {sample(static_cast<double>(sessions_.stored()))}},
      {"agentmetrics_otlp_series_bounded_total",
       "Agents' data points whose new series a bound refused (collector.seriesLimitPerFamily, seriesLimit, labelBytesLimit): "
       "counted in the family's overflow series",
       MetricType::Counter, bounded},
      {"agentmetrics_otlp_receiver_up",
       "Whether each configured OTLP receiver is listening",
       MetricType::Gauge,
       {sample(http_up_.load(std::memory_order_relaxed) ? 1 : 0, {{"protocol", "http"}}),
        sample(grpc_up_.load(std::memory_order_relaxed) ? 1 : 0, {{"protocol", "grpc"}})}},
  };
}

nlohmann::json OtlpReceivers::health() const {
  nlohmann::json services = nlohmann::json::object();
  if (!options_.http_listen_address.empty()) services["otlp_http"] = http_up_.load(std::memory_order_relaxed);
  if (!options_.grpc_listen_address.empty()) services["otlp_grpc"] = grpc_up_.load(std::memory_order_relaxed);
  return services;
}

}  // namespace agentmetrics::intake
