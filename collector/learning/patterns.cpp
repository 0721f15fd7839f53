#include "collector/learning/patterns.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "collector/learning/text_tokens.h"
#include "collector/store/sqlite_statement.h"
#include "ipc/timestamp.h"

namespace agentmetrics::learning {
namespace {

using store::SqliteStatement;

std::string label_or_unknown(const std::string& text) { return text.empty() ? "unknown" : text; }

std::string text_field(const nlohmann::ordered_json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<double> number_field(const nlohmann::ordered_json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::int64_t count_field(const nlohmann::ordered_json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

}  // namespace

std::string failure_pattern_id(std::string_view stage, std::string_view failure_type) {
  return "p-" + hex64(fnv1a64("failure\x1f" + std::string(stage) + "\x1f" + std::string(failure_type))).substr(0, 6);
}

std::string success_pattern_id(std::string_view agent_type, std::string_view task_type) {
  return "p-" + hex64(fnv1a64("success\x1f" + std::string(agent_type) + "\x1f" + std::string(task_type))).substr(0, 6);
}

std::vector<OutcomeRow> load_outcome_rows(sqlite3* db, double from, double to) {
  SqliteStatement st(
      db,
      "SELECT id, kind, time, coalesce(json_extract(fields, '$.stage'), ''), coalesce(json_extract(fields, '$.failure_type'), ''), "
      "coalesce(json_extract(fields, '$.success'), 0), coalesce(json_extract(fields, '$.duration_seconds'), 0), "
      "coalesce(json_extract(fields, '$.agent_type'), ''), coalesce(json_extract(fields, '$.task_type'), ''), "
      "coalesce(json_extract(fields, '$.approach'), '') "
      "FROM events WHERE kind IN ('task', 'pipeline') AND time >= ? AND time <= ? ORDER BY time, id");
  st.bind(1, from);
  st.bind(2, to);
  std::vector<OutcomeRow> rows;
  while (st.step()) {
    OutcomeRow r;
    r.id = st.column_int64(0);
    r.kind = st.column_text(1);
    r.time = st.column_double(2);
    r.stage = label_or_unknown(st.column_text(3));
    r.failure_type = label_or_unknown(st.column_text(4));
    r.success = st.column_int(5) != 0;
    r.duration_seconds = st.column_double(6);
    r.agent_type = label_or_unknown(st.column_text(7));
    r.task_type = label_or_unknown(st.column_text(8));
    r.approach = st.column_text(9);
    rows.push_back(std::move(r));
  }
  return rows;
}

PatternSet extract_patterns(std::span<const OutcomeRow> input, const RecommendedActions& actions, const PatternSettings& settings) {
  std::vector<OutcomeRow> rows(input.begin(), input.end());
  std::stable_sort(rows.begin(), rows.end(),
                   [](const OutcomeRow& a, const OutcomeRow& b) { return std::tie(a.time, a.id) < std::tie(b.time, b.id); });
  PatternSet set;

  // Failures, each with the time of the first later success of its kind and stage.
  struct FailureGroup {
    std::vector<double> times;
    std::int64_t resolved = 0;
    double resolve_seconds = 0;
  };
  std::map<std::pair<std::string, std::string>, FailureGroup> failures;
  std::map<std::pair<std::string, std::string>, double> next_success;  // (kind, stage) -> time
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    const auto key = std::make_pair(it->kind, it->stage);
    if (it->success) {
      next_success[key] = it->time;
      continue;
    }
    auto& g = failures[{it->stage, it->failure_type}];
    g.times.push_back(it->time);
    if (auto s = next_success.find(key); s != next_success.end() && s->second > it->time) {
      ++g.resolved;
      g.resolve_seconds += s->second - it->time;
    }
  }
  for (auto& [key, g] : failures) {
    FailurePattern p;
    p.stage = key.first;
    p.failure_type = key.second;
    p.pattern_id = failure_pattern_id(p.stage, p.failure_type);
    p.occurrence_count = static_cast<std::int64_t>(g.times.size());
    std::sort(g.times.begin(), g.times.end());
    p.last_occurrence = g.times.back();
    p.resolution_success_rate = static_cast<double>(g.resolved) / static_cast<double>(p.occurrence_count);
    if (g.resolved > 0) p.avg_time_to_resolve = g.resolve_seconds / static_cast<double>(g.resolved);
    p.recommended_action = actions.action_for(p.stage, p.failure_type);
    p.occurrence_times = std::move(g.times);
    set.failures.push_back(std::move(p));
  }
  std::stable_sort(set.failures.begin(), set.failures.end(),
                   [](const FailurePattern& a, const FailurePattern& b) { return a.occurrence_count > b.occurrence_count; });

  // Successes by agent and task type; approaches within them.
  struct SuccessGroup {
    std::int64_t attempts = 0, successes = 0;
    double success_seconds = 0;
    std::vector<double> times;
    std::map<std::string, std::int64_t> approaches;  // of the successes
  };
  struct ApproachGroup {
    std::int64_t attempts = 0, successes = 0;
    double last = 0;
  };
  std::map<std::pair<std::string, std::string>, SuccessGroup> groups;
  std::map<std::tuple<std::string, std::string, std::string>, ApproachGroup> approaches;
  for (const auto& r : rows) {
    if (r.kind != "task") continue;
    auto& g = groups[{r.agent_type, r.task_type}];
    ++g.attempts;
    if (r.success) {
      ++g.successes;
      g.success_seconds += r.duration_seconds;
      g.times.push_back(r.time);
      if (!r.approach.empty()) ++g.approaches[r.approach];
    }
    if (!r.approach.empty()) {
      auto& a = approaches[{r.agent_type, r.task_type, r.approach}];
      ++a.attempts;
      if (r.success) ++a.successes;
      a.last = std::max(a.last, r.time);
    }
  }
  for (auto& [key, g] : groups) {
    if (g.successes == 0) continue;
    SuccessPattern p;
    p.agent_type = key.first;
    p.task_type = key.second;
    p.pattern_id = success_pattern_id(p.agent_type, p.task_type);
    std::int64_t best = 0;
    for (const auto& [approach, n] : g.approaches) {
      if (n > best) {
        best = n;
        p.approach = approach;
      }
    }
    if (p.approach.empty()) p.approach = p.agent_type + "_" + p.task_type;
    p.success_count = g.successes;
    p.attempt_count = g.attempts;
    p.success_rate = static_cast<double>(g.successes) / static_cast<double>(g.attempts);
    p.avg_time_to_complete = g.success_seconds / static_cast<double>(g.successes);
    p.recommended = g.successes >= settings.recommend_after;
    p.success_times = std::move(g.times);
    set.successes.push_back(std::move(p));
  }
  std::stable_sort(set.successes.begin(), set.successes.end(),
                   [](const SuccessPattern& a, const SuccessPattern& b) { return a.success_count > b.success_count; });

  for (const auto& [key, a] : approaches) {
    const double rate = static_cast<double>(a.successes) / static_cast<double>(a.attempts);
    if (a.attempts < settings.weak_min_attempts || rate >= settings.weak_max_success_rate) continue;
    set.weak_approaches.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), a.attempts, a.successes, rate, a.last});
  }
  return set;
}

nlohmann::ordered_json to_json(const FailurePattern& p) {
  return {{"pattern_id", p.pattern_id},
          {"stage", p.stage},
          {"failure_type", p.failure_type},
          {"occurrence_count", p.occurrence_count},
          {"last_occurrence", ipc::format_timestamp(p.last_occurrence)},
          {"resolution_success_rate", round_to(p.resolution_success_rate, 4)},
          {"avg_time_to_resolve",
           p.avg_time_to_resolve ? nlohmann::ordered_json(round_to(*p.avg_time_to_resolve, 1)) : nlohmann::ordered_json(nullptr)},
          {"recommended_action", p.recommended_action}};
}

nlohmann::ordered_json to_json(const SuccessPattern& p) {
  return {{"pattern_id", p.pattern_id},
          {"approach", p.approach},
          {"agent_type", p.agent_type},
          {"task_type", p.task_type},
          {"success_rate", round_to(p.success_rate, 4)},
          {"avg_time_to_complete", round_to(p.avg_time_to_complete, 1)},
          {"recommended", p.recommended},
          {"success_count", p.success_count},
          {"attempt_count", p.attempt_count}};
}

nlohmann::ordered_json to_json(const WeakApproach& p) {
  return {{"agent_type", p.agent_type}, {"task_type", p.task_type}, {"approach", p.approach},
          {"attempts", p.attempts},     {"successes", p.successes}, {"success_rate", round_to(p.success_rate, 4)}};
}

FailurePattern failure_pattern_from_json(const nlohmann::ordered_json& j) {
  FailurePattern p;
  if (!j.is_object()) return p;
  p.pattern_id = text_field(j, "pattern_id");
  p.stage = text_field(j, "stage");
  p.failure_type = text_field(j, "failure_type");
  p.occurrence_count = count_field(j, "occurrence_count");
  p.last_occurrence = ipc::parse_timestamp(text_field(j, "last_occurrence")).value_or(0);
  p.resolution_success_rate = number_field(j, "resolution_success_rate").value_or(0);
  p.avg_time_to_resolve = number_field(j, "avg_time_to_resolve");
  p.recommended_action = text_field(j, "recommended_action");
  return p;
}

SuccessPattern success_pattern_from_json(const nlohmann::ordered_json& j) {
  SuccessPattern p;
  if (!j.is_object()) return p;
  p.pattern_id = text_field(j, "pattern_id");
  p.approach = text_field(j, "approach");
  p.agent_type = text_field(j, "agent_type");
  p.task_type = text_field(j, "task_type");
  p.success_rate = number_field(j, "success_rate").value_or(0);
  p.avg_time_to_complete = number_field(j, "avg_time_to_complete").value_or(0);
  const auto recommended = j.find("recommended");
  p.recommended = recommended != j.end() && recommended->is_boolean() && recommended->get<bool>();
  p.success_count = count_field(j, "success_count");
  p.attempt_count = count_field(j, "attempt_count");
  return p;
}

}  // namespace agentmetrics::learning
