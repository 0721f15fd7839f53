#include "collector/intake/otlp/agent_families.h"

#include <algorithm>
#include <stdexcept>
#include <variant>

#include "ipc/record.h"

namespace agentmetrics::intake {
namespace {

struct FamilyShape {
  const char* suffix;
  ipc::MetricType type;
  const char* help;
  std::vector<std::string> labels;
  std::vector<double> buckets;
};

// In AgentFamily's order.
std::vector<FamilyShape> shapes() {
  using ipc::MetricType;
  const std::vector<double> api_seconds = {0.5, 1, 2, 5, 10, 30, 60, 120};
  const std::vector<double> tool_seconds = {0.1, 0.5, 1, 5, 10, 30, 60, 300};
  return {
      {"sessions_total", MetricType::kCounter, "Agent sessions started, from the agents' OpenTelemetry", {"agent"}, {}},
      {"tokens_total",
       MetricType::kCounter,
       "Model tokens by type: input (not cached), output, cache_read, cache_creation",
       {"agent", "model", "type"},
       {}},
      {"cost_usd_total",
       MetricType::kCounter,
       "Model cost in US dollars, the agent's own figure or from the price table",
       {"agent", "model"},
       {}},
      {"active_time_seconds_total", MetricType::kCounter, "Time the agent or its user was active", {"agent", "type"}, {}},
      {"lines_of_code_total", MetricType::kCounter, "Lines of code the agent added or removed", {"agent", "type"}, {}},
      {"commits_total", MetricType::kCounter, "Commits the agent made", {"agent"}, {}},
      {"pull_requests_total", MetricType::kCounter, "Pull requests the agent opened", {"agent"}, {}},
      {"edit_decisions_total",
       MetricType::kCounter,
       "Code edits the agent proposed, accepted or rejected",
       {"agent", "tool", "decision", "language"},
       {}},
      {"tool_decisions_total", MetricType::kCounter, "Tool uses accepted or rejected", {"agent", "tool", "decision"}, {}},
      {"api_requests_total", MetricType::kCounter, "Model API requests by HTTP status", {"agent", "model", "status"}, {}},
      {"api_request_duration_seconds", MetricType::kHistogram, "Model API request duration", {"agent", "model"}, api_seconds},
      {"agent_tool_calls_total", MetricType::kCounter, "Tool calls the agents made, by success", {"agent", "tool", "success"}, {}},
      {"agent_tool_duration_seconds", MetricType::kHistogram, "Tool call duration", {"agent", "tool"}, tool_seconds},
      {"cost_budget_usd_daily", MetricType::kGauge, "The configured daily cost budget in US dollars (0: none)", {}, {}},
  };
}

}  // namespace

AgentFamilies::AgentFamilies(collector::FamilyRegistry& registry, const std::string& prefix, std::vector<std::string> extra_labels)
    : registry_(registry), extra_labels_(std::move(extra_labels)) {
  const auto all = shapes();
  for (std::size_t i = 0; i < all.size(); ++i) {
    ipc::FamilyDecl decl;
    decl.type = all[i].type;
    decl.name = prefix + "_" + all[i].suffix;
    decl.help = all[i].help;
    decl.label_names = all[i].labels;
    if (!decl.label_names.empty()) decl.label_names.insert(decl.label_names.end(), extra_labels_.begin(), extra_labels_.end());
    decl.buckets = all[i].buckets;
    auto registered = registry_.register_family(decl);
    if (auto* why = std::get_if<std::string>(&registered)) throw std::runtime_error("cannot register " + decl.name + ": " + *why);
    families_[i] = std::get<const collector::RegisteredFamily*>(registered);
  }
}

// Under mutex_.
AgentFamilies::Held& AgentFamilies::held(const collector::RegisteredFamily& f, std::span<const std::string_view> labels) {
  // Keyed by the family's name: the exponential histograms' families are not AgentFamily's.
  const auto key_of = [this, &f](const auto& values) -> const std::string& {
    key_.assign(f.decl.name);
    for (const auto& v : values) key_.append(1, '\0').append(v);
    return key_;
  };
  if (auto it = held_.find(key_of(labels)); it != held_.end()) return it->second;
  collector::Admission admission = registry_.acquire_series(f, std::vector<std::string>(labels.begin(), labels.end()));
  if (admission.refused != collector::SeriesRefusal::kNone) {
    refused_[static_cast<std::size_t>(admission.refused)].fetch_add(1, std::memory_order_relaxed);
    if (auto it = held_.find(key_of(f.overflow_label_values)); it != held_.end()) return it->second;  // the new hold goes
  }
  collector::SeriesAggregate* aggregate = shard_.aggregate(*admission.series);
  return held_.emplace(key_, Held{std::move(admission.series), aggregate, false}).first->second;
}

void AgentFamilies::apply(AgentFamily family, std::span<const std::string_view> labels, std::uint16_t op, double value) {
  const collector::RegisteredFamily& f = *families_[static_cast<std::size_t>(family)];
  if (labels.size() != f.decl.label_names.size()) return;  // a mapping bug, not the client's
  std::lock_guard lock(mutex_);
  Held& h = held(f, labels);
  h.written = true;
  shard_.begin_batch();
  shard_.apply(*h.aggregate, ipc::Record{0, op, 0, value});
}

const collector::RegisteredFamily* AgentFamilies::histogram_family(const std::string& name) const {
  const auto all = registry_.families();  // sorted by name
  const auto it = std::lower_bound(all.begin(), all.end(), name, [](const auto* f, const std::string& n) { return f->decl.name < n; });
  if (it == all.end() || (*it)->decl.name != name || (*it)->decl.type != ipc::MetricType::kHistogram) return nullptr;
  return *it;
}

collector::ApplyResult AgentFamilies::add_exponential(const collector::RegisteredFamily& family, const std::vector<std::string>& labels,
                                                      const collector::ExponentialPoint& point) {
  if (labels.size() != family.decl.label_names.size()) return collector::ApplyResult::kBadValue;
  const std::vector<std::string_view> views(labels.begin(), labels.end());
  std::lock_guard lock(mutex_);
  Held& h = held(family, views);
  h.written = true;
  shard_.begin_batch();
  return shard_.add_exponential(*h.aggregate, point);
}

void AgentFamilies::release_idle() {
  std::lock_guard lock(mutex_);
  for (auto it = held_.begin(); it != held_.end();) {
    Held& h = it->second;
    if (!h.written && !h.hold->labels().empty()) {
      it = held_.erase(it);
    } else {
      h.written = false;
      ++it;
    }
  }
}

std::uint64_t AgentFamilies::refused(collector::SeriesRefusal bound) const {
  return refused_[static_cast<std::size_t>(bound)].load(std::memory_order_relaxed);
}

namespace {

std::vector<std::string_view> views_of(const std::vector<std::string>& labels) { return {labels.begin(), labels.end()}; }

}  // namespace

void AgentFamilies::add(AgentFamily family, const std::vector<std::string>& labels, double value) {
  apply(family, views_of(labels), static_cast<std::uint16_t>(ipc::Op::kCounterAdd), value);
}

void AgentFamilies::add(AgentFamily family, std::span<const std::string_view> labels, double value) {
  apply(family, labels, static_cast<std::uint16_t>(ipc::Op::kCounterAdd), value);
}

void AgentFamilies::observe(AgentFamily family, const std::vector<std::string>& labels, double value) {
  apply(family, views_of(labels), static_cast<std::uint16_t>(ipc::Op::kHistogramObserve), value);
}

void AgentFamilies::add(const FamilyAdditions& additions) {
  if (additions.additions_.empty()) return;
  const std::span<const std::string_view> labels(additions.labels_);
  std::lock_guard lock(mutex_);
  shard_.begin_batch();
  for (const auto& a : additions.additions_) {
    const collector::RegisteredFamily& f = *families_[static_cast<std::size_t>(a.family)];
    if (a.count != f.decl.label_names.size()) continue;  // a mapping bug, not the client's
    Held& h = held(f, labels.subspan(a.first, a.count));
    h.written = true;
    shard_.apply(*h.aggregate, ipc::Record{0, static_cast<std::uint16_t>(ipc::Op::kCounterAdd), 0, a.value});
  }
}

void FamilyAdditions::add(AgentFamily family, std::span<const std::string_view> labels, double value) {
  additions_.push_back({family, labels_.size(), labels.size(), value});
  labels_.insert(labels_.end(), labels.begin(), labels.end());
}

void FamilyAdditions::clear() {
  additions_.clear();
  labels_.clear();
}

void AgentFamilies::set(AgentFamily family, double value) { apply(family, {}, static_cast<std::uint16_t>(ipc::Op::kGaugeSet), value); }

}  // namespace agentmetrics::intake
