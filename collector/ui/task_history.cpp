#include "collector/ui/task_history.h"

#include <string>
#include <string_view>

#include "collector/store/sqlite_statement.h"
#include "ipc/timestamp.h"

namespace agentmetrics::ui {
namespace {

using json = nlohmann::ordered_json;
using store::SqliteStatement;

json text_or_null(const SqliteStatement& st, int column) {
  return st.column_is_null(column) ? json(nullptr) : json(st.column_text(column));
}
json number_or_null(const SqliteStatement& st, int column) {
  return st.column_is_null(column) ? json(nullptr) : json(st.column_double(column));
}

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

json recent_tasks(sqlite3* db, double start, double end, int limit) {
  SqliteStatement st(db, R"sql(
SELECT id, time, json_extract(fields, '$.agent_type'), json_extract(fields, '$.task_type'), json_extract(fields, '$.model'),
       json_extract(fields, '$.success'), json_extract(fields, '$.failure_type'), json_extract(fields, '$.duration_seconds'),
       json_extract(fields, '$.tokens_input'), json_extract(fields, '$.tokens_output'), json_extract(fields, '$.tokens_cache_read'),
       json_extract(fields, '$.tokens_cache_creation'),
       json_extract(fields, '$.cost_usd'), json_extract(fields, '$.title'), json_extract(fields, '$.session_id'),
       coalesce(json_extract(fields, '$.rule_ids'), '')
FROM events WHERE kind = 'task' AND time >= ?1 AND time < ?2 ORDER BY time DESC, id DESC LIMIT ?3)sql");
  st.bind(1, start);
  st.bind(2, end);
  st.bind(3, static_cast<std::int64_t>(limit));
  json tasks = json::array();
  while (st.step()) {
    json tokens = nullptr;  // the four counts summed; null when the task reports none
    for (int column = 8; column < 12; ++column) {
      if (!st.column_is_null(column)) tokens = (tokens.is_null() ? 0.0 : tokens.get<double>()) + st.column_double(column);
    }
    tasks.push_back({{"id", st.column_int64(0)},
                     {"time", ipc::format_timestamp(st.column_double(1))},
                     {"agent_type", text_or_null(st, 2)},
                     {"task_type", text_or_null(st, 3)},
                     {"model", text_or_null(st, 4)},
                     {"success", st.column_is_null(5) ? json(nullptr) : json(st.column_int(5) != 0)},
                     {"failure_type", text_or_null(st, 6)},
                     {"duration_seconds", number_or_null(st, 7)},
                     {"tokens", tokens},
                     {"cost_usd", number_or_null(st, 12)},
                     {"title", text_or_null(st, 13)},
                     {"session_id", text_or_null(st, 14)},
                     {"rule_count", rule_id_list(st.column_text(15)).size()}});
  }
  return tasks;
}

std::optional<json> stored_task(sqlite3* db, std::int64_t id) {
  SqliteStatement st(db, "SELECT id, time, fields FROM events WHERE id = ? AND kind = 'task'");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  json fields = json::parse(st.column_text(2), nullptr, false);
  if (!fields.is_object()) fields = json::object();
  const json rules =
      rule_id_list(fields.contains("rule_ids") && fields["rule_ids"].is_string() ? fields["rule_ids"].get<std::string>() : "");
  return json{{"id", st.column_int64(0)}, {"time", ipc::format_timestamp(st.column_double(1))}, {"fields", fields}, {"rule_ids", rules}};
}

}  // namespace agentmetrics::ui
