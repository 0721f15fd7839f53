// The two steps of reading an HTTP header's value or token as RFC 9110 compares them: ASCII
// case folded, blanks (space, tab) around it dropped.
#pragma once

#include <string>
#include <string_view>

namespace agentmetrics {

std::string ascii_lower(std::string_view text);
std::string_view trim_blanks(std::string_view text);

}  // namespace agentmetrics
