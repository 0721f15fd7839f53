#include "collector/alerts/alertmanager_payload.h"
#include "ipc/timestamp.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <stdexcept>

namespace agentmetrics::alerts {
namespace {

// The alert's own labels; extra labels may not replace them.
constexpr std::string_view kOwnLabels[] = {"alertname", "kpi", "window", "group", "severity"};

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool valid_label_name(std::string_view name) {
  if (name.empty() || is_digit(name.front())) return false;
  for (char c : name) {
    if (!is_alpha(c) && !is_digit(c) && c != '_') return false;
  }
  return !name.starts_with("__");  // reserved for Prometheus' internal labels
}

// A label value quoted as Go's %q does for the label sets in a group key.
std::string go_quote(std::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (byte < 0x20 || byte == 0x7f) {
          char hex[8];
          std::snprintf(hex, sizeof(hex), "\\x%02x", byte);
          out += hex;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

// model.LabelSet.String(): {a="1", b="2"} in name order.
std::string label_set_string(const LabelSet& labels) {
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1) out += ", ";
    out += name;
    out += '=';
    out += go_quote(value);
  }
  out += '}';
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    if (is_alpha(c) || is_digit(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  return out;
}

std::string trimmed_base(std::string_view url) {
  while (!url.empty() && url.back() == '/') url.remove_suffix(1);
  return std::string(url);
}

std::string summary(const KpiAlert& alert) {
  const std::string who = alert.window.empty() ? alert.name : alert.name + " (" + alert.window + ")";
  const std::string threshold = format_quantity(alert.threshold, alert.unit);
  // The side of the threshold that is bad follows from where the target is.
  if (alert.firing) {
    if (alert.target > alert.threshold) return who + " is below its alert threshold of " + threshold;
    if (alert.target < alert.threshold) return who + " is above its alert threshold of " + threshold;
    return who + " crossed its alert threshold of " + threshold;
  }
  if (alert.target > alert.threshold) return who + " is back above its alert threshold of " + threshold;
  if (alert.target < alert.threshold) return who + " is back below its alert threshold of " + threshold;
  return who + " recovered from its alert threshold of " + threshold;
}

std::string description(const KpiAlert& alert) {
  std::string out = alert.name;
  if (!alert.window.empty()) out += " over the last " + alert.window;
  out += alert.firing ? " is " : " is back to ";
  out += format_quantity(alert.value, alert.unit);
  out +=
      " (alert threshold " + format_quantity(alert.threshold, alert.unit) + ", target " + format_quantity(alert.target, alert.unit) + ").";
  return out;
}

}  // namespace

void validate(const PayloadOptions& options) {
  for (const auto& [name, value] : options.extra_labels) {
    if (!valid_label_name(name)) {
      throw std::invalid_argument("alert label '" + name + "' is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, no leading __)");
    }
    for (std::string_view own : kOwnLabels) {
      if (name == own) throw std::invalid_argument("alert label '" + name + "' is set by the collector and cannot be configured");
    }
  }
}

std::string alert_name(std::string_view kpi) {
  std::string out = "Kpi";
  bool word_start = true;
  for (char c : kpi) {
    if (is_alpha(c) || is_digit(c)) {
      out += word_start ? upper(c) : c;
      word_start = false;
    } else {
      word_start = true;
    }
  }
  return out;
}

LabelSet alert_labels(const KpiAlert& alert, const PayloadOptions& options) {
  LabelSet labels;
  for (const auto& [name, value] : options.extra_labels) {
    if (!value.empty()) labels[name] = value;
  }
  auto put = [&](const char* name, const std::string& value) {
    if (!value.empty()) labels[name] = value;
  };
  labels["alertname"] = alert_name(alert.kpi);
  put("kpi", alert.kpi);
  put("window", alert.window);
  put("group", alert.group);
  put("severity", alert.severity);
  return labels;
}

std::string fingerprint(const LabelSet& labels) {
  constexpr std::uint64_t kOffset = 14695981039346656037ULL;
  constexpr std::uint64_t kPrime = 1099511628211ULL;
  constexpr unsigned char kSeparator = 0xff;  // cannot occur in UTF-8
  std::uint64_t hash = kOffset;
  auto add = [&](unsigned char byte) {
    hash ^= byte;
    hash *= kPrime;
  };
  for (const auto& [name, value] : labels) {  // std::map: in name order, as Go sorts them
    for (char c : name) add(static_cast<unsigned char>(c));
    add(kSeparator);
    for (char c : value) add(static_cast<unsigned char>(c));
    add(kSeparator);
  }
  char out[17];
  std::snprintf(out, sizeof(out), "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  std::string out;
  if (std::fabs(value) < 1e15) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::fixed, 4);
    if (ec == std::errc()) {
      out.assign(buf, end);
      while (out.back() == '0') out.pop_back();
      if (out.back() == '.') out.pop_back();
      if (out == "-0") out = "0";
    }
  }
  if (out.empty() || (out == "0" && value != 0)) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::general, 6);
    out.assign(buf, ec == std::errc() ? end : buf);
  }
  return out;
}

std::string format_quantity(double value, std::string_view unit) {
  std::string out = format_value(value);
  if (unit.empty()) return out;
  if (unit != "%") out += ' ';
  out += unit;
  return out;
}

nlohmann::json build_alertmanager_payload(const KpiAlert& alert, const PayloadOptions& options, std::chrono::system_clock::time_point now) {
  using nlohmann::json;
  const LabelSet labels = alert_labels(alert, options);
  LabelSet group_labels;
  for (const char* name : {"alertname", "kpi", "window"}) {
    if (auto it = labels.find(name); it != labels.end()) group_labels.insert(*it);
  }
  json annotations = {
      {"summary", summary(alert)},          {"description", description(alert)},    {"kpi_name", alert.name},
      {"value", format_value(alert.value)}, {"target", format_value(alert.target)}, {"threshold", format_value(alert.threshold)}};
  if (!alert.unit.empty()) annotations["unit"] = alert.unit;

  const std::string status = alert.firing ? "firing" : "resolved";
  const std::string base = trimmed_base(options.external_url);
  std::string generator_url;
  if (!base.empty()) {
    generator_url = base + "/kpi?kpi=" + percent_encode(alert.kpi);
    if (!alert.window.empty()) generator_url += "&window=" + percent_encode(alert.window);
  }
  std::string ends_at(kZeroTime);
  if (!alert.firing) ends_at = ipc::format_timestamp(alert.ends_at.value_or(now));

  json entry = {{"status", status},
                {"labels", labels},
                {"annotations", annotations},
                {"startsAt", ipc::format_timestamp(alert.starts_at)},
                {"endsAt", ends_at},
                {"generatorURL", generator_url},
                {"fingerprint", fingerprint(labels)}};
  return json{{"version", "4"},
              {"groupKey", "{}:" + label_set_string(group_labels)},
              {"truncatedAlerts", std::uint64_t{0}},  // Go: uint64
              {"status", status},
              {"receiver", options.receiver},
              {"groupLabels", group_labels},
              {"commonLabels", labels},
              {"commonAnnotations", annotations},
              {"externalURL", base},
              {"alerts", json::array({entry})}};
}

}  // namespace agentmetrics::alerts
