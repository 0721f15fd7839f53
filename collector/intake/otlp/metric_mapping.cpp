// The agents' metrics, mapped (docs/otlp.md): sessions, tokens, cost, active time, lines of code,
// commits, pull requests and edit decisions come from the metrics; API requests, tool calls and
// the per-session account come from the events (event_mapping.cpp), which carry the session.
#include <cmath>
#include <map>
#include <tuple>

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

// One point of a monotonic sum or of a histogram's sum: what it says, for the mapping.
struct Point {
  const Attributes* attributes;
  std::uint64_t stream;  // resource, scope, metric, attributes
  Temporality temporality;
  std::uint64_t start_ns, time_ns;
  double value;
};

// Tokens of one model in one export, by the agent's own type names, before they are made
// agentmetrics' (uncached input, output, cache read, cache creation).
struct ModelTokens {
  std::map<std::string, double> by_type;
  std::vector<std::string> extra;  // the allowlisted attributes' values
  std::string session_id;
  double time = 0;
};

// The agent's token types as agentmetrics counts them. OpenAI's and Gemini's input includes the
// cached part; Anthropic's does not; Gemini counts thoughts beside the output it bills with them.
TokenCounts normalized(const std::string& agent, const std::map<std::string, double>& t) {
  const auto get = [&](const char* type) {
    const auto it = t.find(type);
    return it == t.end() ? 0.0 : it->second;
  };
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

}  // namespace

IntakeTally OtlpIntake::take(const ExportMetricsServiceRequest& request) {
  IntakeTally tally;
  std::map<std::tuple<std::string, std::string, std::vector<std::string>, std::string>, ModelTokens>
      tokens;  // agent, model, extra, session
  for (const auto& rm : request.resource_metrics()) {
    const Attributes& resource = rm.resource().attributes();
    const std::uint64_t resource_digest = attributes_digest(resource, 0);
    for (const auto& sm : rm.scope_metrics()) {
      for (const auto& metric : sm.metrics()) {
        const std::string agent = agent_of(rm.resource(), metric.name());
        // The points of the metric that can count: a monotonic sum's values, a histogram's sums.
        std::vector<Point> points;
        // Streams are told apart within this process only: a hash need not be stable across builds.
        const std::uint64_t metric_digest = resource_digest ^ std::hash<std::string>{}(sm.scope().name() + "\n" + metric.name());
        if (metric.has_exponential_histogram()) {
          take_exponential(metric, metric_digest, resource, tally);
          continue;
        }
        if (metric.has_sum() && metric.sum().is_monotonic()) {
          for (const auto& p : metric.sum().data_points()) {
            const double v = p.value_case() == metrics::NumberDataPoint::kAsInt ? static_cast<double>(p.as_int()) : p.as_double();
            points.push_back({&p.attributes(), attributes_digest(p.attributes(), metric_digest),
                              temporality_of(metric.sum().aggregation_temporality()), p.start_time_unix_nano(), p.time_unix_nano(), v});
          }
        } else if (metric.has_histogram()) {
          for (const auto& p : metric.histogram().data_points()) {
            points.push_back({&p.attributes(), attributes_digest(p.attributes(), metric_digest),
                              temporality_of(metric.histogram().aggregation_temporality()), p.start_time_unix_nano(), p.time_unix_nano(),
                              p.has_sum() ? p.sum() : 0.0});
          }
        }
        const std::string& name = metric.name();
        for (const Point& p : points) {
          if (!std::isfinite(p.value) || p.value < 0) {
            ++tally.rejected;
            tally.rejection = "metric " + name + ": a value that is not a finite count";
            counters_.points_rejected.fetch_add(1, std::memory_order_relaxed);
            continue;
          }
          if (agent.empty()) {
            counters_.points_ignored.fetch_add(1, std::memory_order_relaxed);
            continue;
          }
          const auto increment = deltas_.increment(p.stream, p.temporality, p.start_ns, p.time_ns, p.value);
          const Attributes& a = *p.attributes;
          const std::vector<std::string> extra = extra_label_values(label_attributes_, a, resource);
          const auto labels = [&](std::vector<std::string> own) {
            own.insert(own.begin(), agent);
            own.insert(own.end(), extra.begin(), extra.end());
            return own;
          };
          bool mapped = true;
          const std::string short_name = name.substr(name.find('.') + 1);
          if (short_name == "token.usage" || short_name == "turn.token_usage") {
            // Tokens of a model are made agentmetrics' types once the export's are together.
            const std::string type = text_attribute(a, agent == "codex" ? "token_type" : "type");
            ModelTokens& m = tokens[{agent, label_value(text_attribute(a, "model")), extra, text_attribute(a, "session.id")}];
            m.by_type[type] += increment.value_or(0);
            m.extra = extra;
            m.time = std::max(m.time, static_cast<double>(p.time_ns) / 1e9);
          } else if (!increment) {
            // Seen before, or no change: nothing to add.
          } else if (short_name == "session.count" || short_name == "thread.started") {
            if (counts(agent, text_attribute(a, "session.id"))) families_.add(AgentFamily::kSessions, labels({}), *increment);
          } else if (short_name == "cost.usage") {
            const std::string model = label_value(text_attribute(a, "model"));
            if (counts(agent, text_attribute(a, "session.id"))) families_.add(AgentFamily::kCost, labels({model}), *increment);
            sessions_.update(agent, text_attribute(a, "session.id"), static_cast<double>(p.time_ns) / 1e9,
                             [&](SessionTask&, SessionEvidence& e) {
                               e.metric_cost += *increment;
                               e.metric_cost_known = true;
                             });
          } else if (short_name == "active_time.total") {
            families_.add(AgentFamily::kActiveTime, labels({label_value(text_attribute(a, "type"))}), *increment);
          } else if (short_name == "lines_of_code.count" || short_name == "lines.changed") {
            families_.add(AgentFamily::kLinesOfCode, labels({label_value(text_attribute(a, "type"))}), *increment);
          } else if (short_name == "commit.count") {
            families_.add(AgentFamily::kCommits, labels({}), *increment);
          } else if (short_name == "pull_request.count") {
            families_.add(AgentFamily::kPullRequests, labels({}), *increment);
          } else if (short_name == "code_edit_tool.decision") {
            families_.add(AgentFamily::kEditDecisions,
                          labels({label_value(text_attribute(a, "tool_name")), decision_value(text_attribute(a, "decision")),
                                  label_value(text_attribute(a, "language"))}),
                          *increment);
          } else {
            mapped = false;
          }
          (mapped ? counters_.points_mapped : counters_.points_ignored).fetch_add(1, std::memory_order_relaxed);
        }
      }
    }
  }
  // Tokens, in agentmetrics' types, and their cost where the agent sends none.
  for (const auto& [key, m] : tokens) {
    // Named, not a structured binding: the lambdas below capture them.
    const std::string& agent = std::get<0>(key);
    const std::string& model = std::get<1>(key);
    const auto& extra = std::get<2>(key);
    const std::string& session = std::get<3>(key);
    const TokenCounts t = normalized(agent, m.by_type);
    if (t.total() <= 0) continue;
    sessions_.update(agent, session, m.time, [&](SessionTask&, SessionEvidence& e) {
      e.metric_tokens += t;
      e.model_tokens[model] += t.total();
    });
    if (!counts(agent, session)) continue;
    auto with = [&](std::string type) {
      std::vector<std::string> l = {agent, model, std::move(type)};
      l.insert(l.end(), extra.begin(), extra.end());
      return l;
    };
    const std::pair<const char*, double> types[] = {
        {"input", t.input}, {"output", t.output}, {"cache_read", t.cache_read}, {"cache_creation", t.cache_creation}};
    for (const auto& [type, count] : types) {
      if (count > 0) families_.add(AgentFamily::kTokens, with(type), count);
    }
    if (agent != "claude_code") {  // Claude Code sends its own cost.usage
      std::vector<std::string> cost_labels = {agent, model};
      cost_labels.insert(cost_labels.end(), extra.begin(), extra.end());
      if (const auto cost = prices_.cost(model, t)) {
        families_.add(AgentFamily::kCost, cost_labels, *cost);
      } else {
        counters_.unpriced_tokens.fetch_add(static_cast<std::uint64_t>(t.total()), std::memory_order_relaxed);
      }
    }
  }
  return tally;
}

}  // namespace agentmetrics::intake
