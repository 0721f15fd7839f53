#include "collector/ui/task_history.h"

#include <algorithm>
#include <string>
#include <string_view>

#include "collector/store/event_store.h"
#include "ipc/timestamp.h"

namespace agentmetrics::ui {
namespace {

using json = nlohmann::ordered_json;
using store::EventRows;

json text_or_null(const EventRows& row, int column) { return row.is_null(column) ? json(nullptr) : json(row.text(column)); }
json number_or_null(const EventRows& row, int column) { return row.is_null(column) ? json(nullptr) : json(row.real(column)); }

// The ids of a comma-separated rule_ids field, trimmed, empty ones dropped.
json rule_id_list(std::string_view text) {
  json ids = json::array();
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view id = text.substr(0, comma);
    while (!id.empty() && id.front() == ' ') id.remove_prefix(1);
    while (!id.empty() && id.back() == ' ') id.remove_suffix(1);
    if (!id.empty()) ids.push_back(std::string(id));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
  }
  return ids;
}

}  // namespace

json recent_tasks(const store::EventStore& store, double start, double end, int limit) {
  // The limit is the collector's own number, written in: PostgreSQL's LIMIT takes no double.
  const std::string sql = R"sql(
SELECT id, time, {text:agent_type}, {text:task_type}, {text:model}, {num:success}, {text:failure_type}, {num:duration_seconds},
       {num:tokens_input}, {num:tokens_output}, {num:tokens_cache_read}, {num:tokens_cache_creation},
       {num:cost_usd}, {text:title}, {text:session_id}, coalesce({text:rule_ids}, '')
FROM events WHERE kind = 'task' AND time >= ?1 AND time < ?2 ORDER BY time DESC, id DESC LIMIT )sql" +
                          std::to_string(std::max(limit, 0));
  const double range[] = {start, end};
  const auto row = store.read(sql, range);
  json tasks = json::array();
  while (row->next()) {
    json tokens = nullptr;  // the four counts summed; null when the task reports none
    for (int column = 8; column < 12; ++column) {
      if (!row->is_null(column)) tokens = (tokens.is_null() ? 0.0 : tokens.get<double>()) + row->real(column);
    }
    tasks.push_back({{"id", row->integer(0)},
                     {"time", ipc::format_timestamp(row->real(1))},
                     {"agent_type", text_or_null(*row, 2)},
                     {"task_type", text_or_null(*row, 3)},
                     {"model", text_or_null(*row, 4)},
                     {"success", row->is_null(5) ? json(nullptr) : json(row->real(5) != 0)},
                     {"failure_type", text_or_null(*row, 6)},
                     {"duration_seconds", number_or_null(*row, 7)},
                     {"tokens", tokens},
                     {"cost_usd", number_or_null(*row, 12)},
                     {"title", text_or_null(*row, 13)},
                     {"session_id", text_or_null(*row, 14)},
                     {"rule_count", rule_id_list(row->text(15)).size()}});
  }
  return tasks;
}

std::optional<json> stored_task(const store::EventStore& store, std::int64_t id) {
  const double key[] = {static_cast<double>(id)};
  const auto row = store.read("SELECT id, time, fields FROM events WHERE id = ?1 AND kind = 'task'", key);
  if (!row->next()) return std::nullopt;
  json fields = json::parse(row->text(2), nullptr, false);
  if (!fields.is_object()) fields = json::object();
  const json rules =
      rule_id_list(fields.contains("rule_ids") && fields["rule_ids"].is_string() ? fields["rule_ids"].get<std::string>() : "");
  return json{{"id", row->integer(0)}, {"time", ipc::format_timestamp(row->real(1))}, {"fields", fields}, {"rule_ids", rules}};
}

}  // namespace agentmetrics::ui
