// Times as the forges write them in their payloads: RFC 3339 ("2019-05-15T15:20:33Z",
// "2011-12-12T14:27:31+02:00", GitHub and most of GitLab), and GitLab's older forms
// ("2016-08-12 15:23:28 UTC", "2021-04-28 21:50:00 +0200").
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

namespace agentmetrics::intake {

// Seconds since the Unix epoch; empty when `value` is absent, null, not a string, or not one
// of the forms above (a time without a zone is refused: a forge always gives one).
std::optional<double> forge_time(const nlohmann::json* value);
std::optional<double> forge_time(const nlohmann::json& object, const char* key);

}  // namespace agentmetrics::intake
