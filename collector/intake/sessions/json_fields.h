// Reading fields of a record the agents wrote, which is untrusted: a member that is missing or
// of another type reads as empty or zero, and nothing throws.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace agentmetrics::intake {

// The member `key` of `j`, or null when `j` is not an object or has no such member.
const nlohmann::json* member(const nlohmann::json& j, std::string_view key);
// The member's string, or "" when it is not a string.
std::string text_of(const nlohmann::json& j, std::string_view key);
// The member's number when it is a finite number >= 0, else 0.
double count_of(const nlohmann::json& j, std::string_view key);
// The member's boolean, or false.
bool flag_of(const nlohmann::json& j, std::string_view key);
// The member's time: an RFC 3339 string or milliseconds since the epoch, as unix seconds; 0 when neither.
double time_of(const nlohmann::json& j, std::string_view key);
// `text` parsed (an empty object when it is not a JSON object), with every string longer than
// `max_string` bytes replaced by as many newlines as it had lines: what the import reads of a
// long tool output or file is its line count, and a session of many such parts stays small.
nlohmann::json parse_object_bounded(std::string_view text, std::size_t max_string = 64 * 1024);
// The last path component of a directory ("/home/u/src/app/" is "app").
std::string directory_name(std::string_view path);

}  // namespace agentmetrics::intake
