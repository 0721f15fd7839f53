// Families, series resolution and the record functions behind the C++ handles.
#include <stdexcept>

#include "agentmetrics/agentmetrics.hpp"
#include "ipc/catalogue.h"
#include "agent/client.h"

namespace agentmetrics {
namespace detail {
namespace {

inline void record(std::uint32_t series, ipc::Op op, double value) noexcept {
  if (series == kNoSeries) [[unlikely]] {
    agent::Client::instance().count_local_drop();
    return;
  }
  agent::publish(ipc::Record{series, static_cast<std::uint16_t>(op), 0, value});
}

}  // namespace

void counter_add(std::uint32_t series, double value) noexcept { record(series, ipc::Op::kCounterAdd, value); }
void gauge_set(std::uint32_t series, double value) noexcept { record(series, ipc::Op::kGaugeSet, value); }
void gauge_add(std::uint32_t series, double value) noexcept { record(series, ipc::Op::kGaugeAdd, value); }
void histogram_observe(std::uint32_t series, double value) noexcept { record(series, ipc::Op::kHistogramObserve, value); }

}  // namespace detail

Family::Family(int type, std::string name, std::string help, std::vector<std::string> label_names, std::vector<double> buckets)
    : label_names_(label_names) {
  ipc::FamilyDecl decl;
  decl.type = static_cast<ipc::MetricType>(type);
  decl.name = std::move(name);
  decl.help = std::move(help);
  decl.label_names = std::move(label_names);
  decl.buckets = std::move(buckets);
  family_ = agent::Client::instance().declare_family(std::move(decl));
}

std::uint32_t Family::resolve(const LabelValues& values) const { return agent::Client::instance().declare_series(family_, values); }

std::uint32_t Family::resolve(NamedLabels labels) const {
  LabelValues values(label_names_.size());
  std::vector<bool> seen(label_names_.size(), false);
  for (const auto& [name, value] : labels) {
    std::size_t i = 0;
    while (i < label_names_.size() && label_names_[i] != name) ++i;
    if (i == label_names_.size()) throw std::invalid_argument("unknown label '" + std::string(name) + "'");
    if (seen[i]) throw std::invalid_argument("label '" + std::string(name) + "' given twice");
    seen[i] = true;
    values[i] = std::string(value);
  }
  for (std::size_t i = 0; i < seen.size(); ++i) {
    if (!seen[i]) throw std::invalid_argument("label '" + label_names_[i] + "' is missing");
  }
  return resolve(values);
}

CounterFamily::CounterFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : Family(static_cast<int>(ipc::MetricType::kCounter), std::move(name), std::move(help), std::move(label_names), {}) {}

GaugeFamily::GaugeFamily(std::string name, std::string help, std::vector<std::string> label_names)
    : Family(static_cast<int>(ipc::MetricType::kGauge), std::move(name), std::move(help), std::move(label_names), {}) {}

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names, std::vector<double> buckets)
    : Family(static_cast<int>(ipc::MetricType::kHistogram), std::move(name), std::move(help), std::move(label_names), std::move(buckets)) {}

bool connected() { return agent::Client::instance().connected(); }
std::string last_error() { return agent::Client::instance().last_error(); }
std::uint64_t dropped_events() { return agent::Client::instance().dropped_events(); }

std::string metric_prefix() {
  const char* p = std::getenv(ipc::kMetricPrefixEnv);
  return (p && *p) ? p : std::string(ipc::kDefaultMetricPrefix);
}

}  // namespace agentmetrics
