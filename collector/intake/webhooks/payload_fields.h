// Reading a forge's JSON without trusting its shape: a member that is missing, null or of
// another type reads as absent, never as an exception.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace agentmetrics::intake {

// The member `key` of `object` (null when `object` is not an object or has no such member).
const nlohmann::json* member(const nlohmann::json& object, const char* key);
// A member that is an object; an empty object otherwise.
const nlohmann::json& object_member(const nlohmann::json& object, const char* key);
// A string member's text; "" otherwise.
std::string text_member(const nlohmann::json& object, const char* key);
// A finite number member; empty otherwise.
std::optional<double> number_member(const nlohmann::json& object, const char* key);
// A boolean member; `otherwise` when it is not one.
bool flag_member(const nlohmann::json& object, const char* key, bool otherwise = false);
// A number or string member as text ("42" for 42): ids, which both forges give either way.
std::string id_member(const nlohmann::json& object, const char* key);

}  // namespace agentmetrics::intake
