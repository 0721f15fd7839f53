#include "collector/expose/text_primitives.h"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace agentmetrics::collector {

void append_value(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "Nan";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  char buf[32];
  // Whole numbers below 1e15 print as %.16g prints them, without its digit loop; -0 keeps its
  // sign as %.16g does.
  if (v == std::floor(v) && std::fabs(v) < 1e15 && !(v == 0 && std::signbit(v))) {
    const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), static_cast<long long>(v));
    out.append(buf, end);
    return;
  }
  // chars_format::general with a precision is printf's %g, in the C locale.
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general, 16);
  out.append(buf, end);
}

void append_integer(std::string& out, std::uint64_t value) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
}

void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

void append_help(std::string& out, std::string_view help) {
  for (char c : help) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
}

}  // namespace agentmetrics::collector
