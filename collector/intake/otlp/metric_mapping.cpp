// The agents' metrics, mapped (docs/otlp.md): sessions, tokens, cost, active time, lines of code,
// commits, pull requests and edit decisions come from the metrics; API requests, tool calls and
// the per-session account come from the events (event_mapping.cpp), which carry the session.
#include <cmath>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>
#include <vector>

#include "collector/intake/otlp/otlp_attributes.h"
#include "collector/intake/otlp/otlp_intake.h"
#include "collector/intake/otlp/otlp_labels.h"

namespace agentmetrics::intake {
namespace {

namespace metrics = opentelemetry::proto::metrics::v1;
using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;

Temporality temporality_of(metrics::AggregationTemporality t) {
  return t == metrics::AGGREGATION_TEMPORALITY_DELTA ? Temporality::kDelta : Temporality::kCumulative;
}

// What a metric becomes, decided once per metric rather than per point.
enum class Mapping { kTokens, kSessions, kCost, kActiveTime, kLinesOfCode, kCommits, kPullRequests, kEditDecisions, kNone };

Mapping mapping_of(std::string_view short_name) {
  if (short_name == "token.usage" || short_name == "turn.token_usage") return Mapping::kTokens;
  if (short_name == "session.count" || short_name == "thread.started") return Mapping::kSessions;
  if (short_name == "cost.usage") return Mapping::kCost;
  if (short_name == "active_time.total") return Mapping::kActiveTime;
  if (short_name == "lines_of_code.count" || short_name == "lines.changed") return Mapping::kLinesOfCode;
  if (short_name == "commit.count") return Mapping::kCommits;
  if (short_name == "pull_request.count") return Mapping::kPullRequests;
  if (short_name == "code_edit_tool.decision") return Mapping::kEditDecisions;
  return Mapping::kNone;
}

// Texts made while one request is taken in (a number attribute written as text, a label value
// cut short), so that views of them last as long as views of the request's own strings.
class MadeTexts {
 public:
  std::string_view keep(std::string text) { return texts_.emplace_back(std::move(text)); }
  const std::vector<std::string>& keep(std::vector<std::string> texts) {
    static const std::vector<std::string> kNone;
    return texts.empty() ? kNone : lists_.emplace_back(std::move(texts));
  }

 private:
  std::deque<std::string> texts_;
  std::deque<std::vector<std::string>> lists_;
};

// text_attribute without a copy: a string attribute's own bytes, anything else made text.
template <typename KeyValues>
std::string_view text_view(const KeyValues& attributes, std::string_view key, MadeTexts& made) {
  const auto* value = find_attribute(attributes, key);
  if (!value) return {};
  if (value->value_case() == opentelemetry::proto::common::v1::AnyValue::kStringValue) return value->string_value();
  return made.keep(text_attribute(attributes, key));
}

// label_value without a copy when the text is one already.
std::string_view label_view(std::string_view text, MadeTexts& made) { return is_label_value(text) ? text : made.keep(label_value(text)); }

// Tokens of one model in one export, by the agent's own type names, before they are made
// agentmetrics' (uncached input, output, cache read, cache creation).
struct ModelTokens {
  std::vector<std::pair<std::string_view, double>> by_type;  // a few types: a list beats a map
  double time = 0;

  double get(std::string_view type) const {
    for (const auto& [t, v] : by_type) {
      if (t == type) return v;
    }
    return 0;
  }
  void add(std::string_view type, double value) {
    for (auto& [t, v] : by_type) {
      if (t == type) {
        v += value;
        return;
      }
    }
    by_type.emplace_back(type, value);
  }
};

// The agent's token types as agentmetrics counts them. OpenAI's and Gemini's input includes the
// cached part; Anthropic's does not; Gemini counts thoughts beside the output it bills with them.
TokenCounts normalized(std::string_view agent, const ModelTokens& t) {
  const auto get = [&](const char* type) { return t.get(type); };
  TokenCounts out;
  if (agent == "claude_code") {
    out = {get("input"), get("output"), get("cacheRead"), get("cacheCreation")};
  } else if (agent == "codex") {
    out = {std::max(0.0, get("input") - get("cached_input")), get("output"), get("cached_input"), get("cache_write_input")};
  } else if (agent == "gemini_cli") {
    out = {std::max(0.0, get("input") - get("cache")), get("output") + get("thought"), get("cache"), 0};
  }
  return out;
}

// Views of one family's label values: `agent`, the family's own, then the allowlisted ones.
class LabelViews {
 public:
  std::span<const std::string_view> of(std::string_view agent, std::initializer_list<std::string_view> own,
                                       const std::vector<std::string>& extra) {
    views_.clear();
    views_.push_back(agent);
    views_.insert(views_.end(), own.begin(), own.end());
    views_.insert(views_.end(), extra.begin(), extra.end());
    return views_;
  }

 private:
  std::vector<std::string_view> views_;  // its memory kept from one series to the next
};

}  // namespace

IntakeTally OtlpIntake::take(const ExportMetricsServiceRequest& request) { return take_metrics(request); }

IntakeTally OtlpIntake::take(const MetricsRequestView& request) { return take_metrics(request); }

template <typename Request>
IntakeTally OtlpIntake::take_metrics(const Request& request) {
  using KeyValues = std::remove_cvref_t<decltype(request.resource_metrics().begin()->resource().attributes())>;
  using Metric = std::remove_cvref_t<decltype(*request.resource_metrics().begin()->scope_metrics().begin()->metrics().begin())>;
  IntakeTally tally;
  MadeTexts made;
  LabelViews labels;
  // Agent, model (as a label), the allowlisted values, session: views of the request's strings.
  using TokensKey = std::tuple<std::string_view, std::string_view, std::vector<std::string>, std::string_view>;
  std::map<TokensKey, ModelTokens> tokens;
  ModelTokens* last_tokens = nullptr;  // an export's token points of one model and session come together
  const TokensKey* last_tokens_key = nullptr;
  // First every point's stream, then the increments of all of them at once (the retried-export
  // check looks them up together), then the mapping, metric by metric in the request's order.
  struct MetricPoints {
    const Metric* metric;
    const KeyValues* resource;
    std::string_view agent;
    std::uint64_t digest;
    std::size_t first, count;  // in `points` and `attributes`
    std::size_t offered;       // where its points' increments start, when it has an agent
  };
  // Kept by each thread from one request to the next, their memory with them (up to a request of
  // kKeptPoints).
  struct Scratch {
    std::vector<MetricPoints> by_metric;
    std::vector<PointDeltas::Point> points, offered;
    std::vector<const KeyValues*> attributes;
    std::vector<std::optional<double>> increments;
    PointDeltas::Scratch deltas;
    FamilyAdditions additions;  // applied together at the end
  };
  constexpr std::size_t kKeptPoints = 16384;
  thread_local Scratch scratch;
  auto& [by_metric, points, offered, attributes, increments, deltas_scratch, additions] = scratch;
  by_metric.clear();
  points.clear();
  offered.clear();
  attributes.clear();
  additions.clear();
  for (const auto& rm : request.resource_metrics()) {
    const KeyValues& resource = rm.resource().attributes();
    const std::uint64_t resource_digest = attributes_digest(resource, 0);
    const std::string service = text_attribute(resource, "service.name");
    for (const auto& sm : rm.scope_metrics()) {
      for (const auto& metric : sm.metrics()) {
        const std::string_view name = metric.name();
        // Streams are told apart within this process only: a hash need not be stable across builds.
        const std::uint64_t metric_digest = resource_digest ^ (attribute_detail::bytes_hash(sm.scope().name()) * 0x9E3779B97F4A7C15ULL) ^
                                            attribute_detail::bytes_hash(name);
        MetricPoints& m =
            by_metric.emplace_back(MetricPoints{&metric, &resource, agent_named(service, name), metric_digest, points.size(), 0, 0});
        // The points of the metric that can count: a monotonic sum's values, a histogram's sums.
        if (metric.has_exponential_histogram()) continue;
        if (metric.has_sum() && metric.sum().is_monotonic()) {
          for (const auto& p : metric.sum().data_points()) {
            const double v = p.value_case() == metrics::NumberDataPoint::kAsInt ? static_cast<double>(p.as_int()) : p.as_double();
            points.push_back({attributes_digest(p.attributes(), metric_digest), temporality_of(metric.sum().aggregation_temporality()),
                              p.start_time_unix_nano(), p.time_unix_nano(), v});
            attributes.push_back(&p.attributes());
          }
        } else if (metric.has_histogram()) {
          for (const auto& p : metric.histogram().data_points()) {
            points.push_back({attributes_digest(p.attributes(), metric_digest),
                              temporality_of(metric.histogram().aggregation_temporality()), p.start_time_unix_nano(), p.time_unix_nano(),
                              p.has_sum() ? p.sum() : 0.0});
            attributes.push_back(&p.attributes());
          }
        }
        m.count = points.size() - m.first;
      }
    }
  }
  // Only the points of an agent's metrics are offered to the retried-export check.
  for (MetricPoints& m : by_metric) {
    m.offered = offered.size();
    if (!m.agent.empty())
      offered.insert(offered.end(), points.begin() + static_cast<std::ptrdiff_t>(m.first),
                     points.begin() + static_cast<std::ptrdiff_t>(m.first + m.count));
  }
  increments.resize(offered.size());
  deltas_.increments(offered, increments, deltas_scratch);
  for (const MetricPoints& m : by_metric) {
    const Metric& metric = *m.metric;
    const std::string_view name = metric.name();
    const std::string_view agent = m.agent;
    const KeyValues& resource = *m.resource;
    if (metric.has_exponential_histogram()) {
      // Never in a request read in place: the generated classes read those. What came before
      // goes first, as the series were admitted in the request's order.
      if constexpr (std::is_same_v<Request, ExportMetricsServiceRequest>) {
        families_.add(additions);
        additions.clear();
        take_exponential(metric, m.digest, resource, tally);
      }
      continue;
    }
    const Mapping mapping = mapping_of(name.substr(name.find('.') + 1));
    for (std::size_t k = 0; k < m.count; ++k) {
      const PointDeltas::Point& p = points[m.first + k];
      if (!std::isfinite(p.value) || p.value < 0) {
        ++tally.rejected;
        tally.rejection = "metric " + std::string(name) + ": a value that is not a finite count";
        counters_.points_rejected.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      if (agent.empty()) {
        counters_.points_ignored.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      const std::optional<double> increment = increments[m.offered + k];
      const KeyValues& a = *attributes[m.first + k];
      const std::vector<std::string>& extra = made.keep(extra_label_values(label_attributes_, a, resource));
      const auto with = [&](std::initializer_list<std::string_view> own) { return labels.of(agent, own, extra); };
      bool mapped = true;
      if (mapping == Mapping::kTokens) {
        // Tokens of a model are made agentmetrics' types once the export's are together.
        const std::string_view type = text_view(a, agent == "codex" ? "token_type" : "type", made);
        const std::string_view model = label_view(text_view(a, "model", made), made);
        const std::string_view session = text_view(a, "session.id", made);
        if (!last_tokens_key || std::get<3>(*last_tokens_key) != session || std::get<1>(*last_tokens_key) != model ||
            std::get<0>(*last_tokens_key) != agent || std::get<2>(*last_tokens_key) != extra) {
          const auto it = tokens.try_emplace({agent, model, extra, session}).first;
          last_tokens_key = &it->first;
          last_tokens = &it->second;
        }
        last_tokens->add(type, increment.value_or(0));
        last_tokens->time = std::max(last_tokens->time, static_cast<double>(p.time_ns) / 1e9);
      } else if (!increment) {
        // Seen before, or no change: nothing to add.
      } else if (mapping == Mapping::kSessions) {
        if (counts(agent, text_view(a, "session.id", made))) additions.add(AgentFamily::kSessions, with({}), *increment);
      } else if (mapping == Mapping::kCost) {
        const std::string_view model = label_view(text_view(a, "model", made), made);
        const std::string_view session = text_view(a, "session.id", made);
        if (counts(agent, session)) additions.add(AgentFamily::kCost, with({model}), *increment);
        sessions_.update(agent, session, static_cast<double>(p.time_ns) / 1e9, [&](SessionTask&, SessionEvidence& e) {
          e.metric_cost += *increment;
          e.metric_cost_known = true;
        });
      } else if (mapping == Mapping::kActiveTime) {
        additions.add(AgentFamily::kActiveTime, with({label_view(text_view(a, "type", made), made)}), *increment);
      } else if (mapping == Mapping::kLinesOfCode) {
        additions.add(AgentFamily::kLinesOfCode, with({label_view(text_view(a, "type", made), made)}), *increment);
      } else if (mapping == Mapping::kCommits) {
        additions.add(AgentFamily::kCommits, with({}), *increment);
      } else if (mapping == Mapping::kPullRequests) {
        additions.add(AgentFamily::kPullRequests, with({}), *increment);
      } else if (mapping == Mapping::kEditDecisions) {
        const std::string_view tool = label_view(text_view(a, "tool_name", made), made);
        const std::string_view decision = made.keep(decision_value(text_view(a, "decision", made)));
        const std::string_view language = label_view(text_view(a, "language", made), made);
        additions.add(AgentFamily::kEditDecisions, with({tool, decision, language}), *increment);
      } else {
        mapped = false;
      }
      (mapped ? counters_.points_mapped : counters_.points_ignored).fetch_add(1, std::memory_order_relaxed);
    }
  }
  // Tokens, in agentmetrics' types, and their cost where the agent sends none.
  for (const auto& [key, m] : tokens) {
    // Named, not a structured binding: the lambdas below capture them.
    const std::string_view agent = std::get<0>(key);
    const std::string_view model = std::get<1>(key);
    const auto& extra = std::get<2>(key);
    const std::string_view session = std::get<3>(key);
    const TokenCounts t = normalized(agent, m);
    if (t.total() <= 0) continue;
    sessions_.update(agent, session, m.time, [&](SessionTask&, SessionEvidence& e) {
      e.metric_tokens += t;
      e.model_tokens[std::string(model)] += t.total();
    });
    if (!counts(agent, session)) continue;
    const std::pair<std::string_view, double> types[] = {
        {"input", t.input}, {"output", t.output}, {"cache_read", t.cache_read}, {"cache_creation", t.cache_creation}};
    for (const auto& [type, count] : types) {
      if (count > 0) additions.add(AgentFamily::kTokens, labels.of(agent, {model, type}, extra), count);
    }
    if (agent != "claude_code") {  // Claude Code sends its own cost.usage
      if (const auto cost = prices_.cost(model, t)) {
        additions.add(AgentFamily::kCost, labels.of(agent, {model}, extra), *cost);
      } else {
        counters_.unpriced_tokens.fetch_add(static_cast<std::uint64_t>(t.total()), std::memory_order_relaxed);
      }
    }
  }
  families_.add(additions);
  if (points.size() > kKeptPoints) scratch = Scratch();
  return tally;
}

}  // namespace agentmetrics::intake
