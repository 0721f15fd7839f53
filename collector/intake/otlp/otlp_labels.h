// Label values from what the agents send: bounded, valid UTF-8, and one spelling for what the
// agents spell differently (a decision is "accept" or "reject"). A client's text becomes a label
// only through these, and only for the attributes the mapping names or the configuration
// allows (otlp.labelAttributes): never a user id, an e-mail, a session id or a prompt by default.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "collector/intake/otlp/otlp_attributes.h"

namespace agentmetrics::intake {

// At most 128 bytes of valid UTF-8 (a value that is not is "invalid").
std::string label_value(std::string_view text);
// Whether label_value(text) is `text` unchanged (most are: no copy is needed then).
bool is_label_value(std::string_view text);
// accept, approved, auto_accept, allow -> accept; reject, denied, abort, deny -> reject; else as is.
std::string decision_value(std::string_view decision);
// The allowlisted attributes' values, from the point's attributes, else the resource's.
template <typename KeyValues>
std::vector<std::string> extra_label_values(const std::vector<std::string>& keys, const KeyValues& point, const KeyValues& resource) {
  std::vector<std::string> values;
  values.reserve(keys.size());
  for (const auto& key : keys) {
    std::string value = text_attribute(point, key);
    if (value.empty()) value = text_attribute(resource, key);
    values.push_back(label_value(value));
  }
  return values;
}

}  // namespace agentmetrics::intake
