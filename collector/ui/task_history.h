// The stored task events as the /ui page and the HTML report list them: the recent ones with
// what a person scans for (outcome, duration, tokens, cost), and one with every field and the
// rules it was given. Read from the store's `events` table in the stores' notation
// (store/event_sql.h), so a team store lists the whole team's; one thread at a time.
#pragma once

#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

namespace agentmetrics::store {
class EventStore;
}

namespace agentmetrics::ui {

// The `limit` newest tasks in [start, end), newest first: [{"id", "time", "agent_type",
// "task_type", "model", "success", "failure_type", "duration_seconds", "tokens", "cost_usd",
// "title", "session_id", "rule_count"}], absent fields null; "tokens" is the sum of the four
// token counts (null when the task reports none).
nlohmann::ordered_json recent_tasks(const store::EventStore& store, double start, double end, int limit);

// One task event by its id: {"id", "time", "fields": {every stored field}, "rule_ids": [the
// rules the task event names]}, or none when there is no task of that id.
std::optional<nlohmann::ordered_json> stored_task(const store::EventStore& store, std::int64_t id);

}  // namespace agentmetrics::ui
