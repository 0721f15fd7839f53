#include "collector/kpi/kpi_report.h"

#include "collector/common/duration.h"
#include "collector/kpi/kpi_catalogue.h"
#include "ipc/timestamp.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <vector>

namespace agentmetrics::kpi {
namespace {

std::string printf_text(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// A bound as written in a target: no needless decimals ("80", "1.5", "0.25", "1000000").
std::string bound_text(double value) { return printf_text("%.10g", value); }

std::string with_unit(KpiUnit unit, const std::string& number) {
  switch (unit) {
    case KpiUnit::kPercent: return number + "%";
    case KpiUnit::kHours: return number + " h";
    case KpiUnit::kMinutes: return number + " min";
    case KpiUnit::kPerWeek: return number + "/week";
    case KpiUnit::kPerDay: return number + "/day";
    case KpiUnit::kLines: return number + " lines";
    case KpiUnit::kPerKloc: return number + "/KLOC";
    case KpiUnit::kRatio: return number + "x";
    case KpiUnit::kUsd: return "$" + number;
    case KpiUnit::kTokens: return number + " tokens";
  }
  return number;
}

// Relative change in percent; empty when the previous value is 0.
std::optional<double> change_percent(double value, double previous) {
  if (previous == 0) return std::nullopt;
  return 100 * (value - previous) / std::fabs(previous);
}

bool same(double value, double previous) { return std::fabs(value - previous) <= 1e-9 * std::max(1.0, std::fabs(previous)); }

std::string_view trend_word(const KpiDefinition& d, double value, double previous) {
  if (same(value, previous)) return "same";
  return (value > previous) == higher_is_better(d) ? "better" : "worse";
}

std::string_view status_text(KpiStatus status) {
  switch (status) {
    case KpiStatus::kOk: return "ok";
    case KpiStatus::kWarning: return "WARNING";
    case KpiStatus::kAlert: return "ALERT";
    case KpiStatus::kNoData: return "no data";
  }
  return "?";
}

// Columns as a terminal shows them: UTF-8 continuation bytes take no room.
std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
  }
  return width;
}

}  // namespace

std::string format_kpi_value(const KpiDefinition& d, double value) {
  switch (d.unit) {
    case KpiUnit::kLines:
    case KpiUnit::kTokens: return with_unit(d.unit, printf_text("%.0f", value));
    case KpiUnit::kPerKloc:
    case KpiUnit::kRatio:
    case KpiUnit::kUsd: return with_unit(d.unit, printf_text("%.2f", value));
    default: return with_unit(d.unit, printf_text("%.1f", value));
  }
}

std::string format_target(const KpiDefinition& d, const KpiThresholds& t) {
  if (d.direction == KpiDirection::kRange && d.range_low && *d.range_low < t.target) {
    return with_unit(d.unit, bound_text(*d.range_low) + "-" + bound_text(t.target));
  }
  return std::string(to_string(d.target_rule)) + " " + with_unit(d.unit, bound_text(t.target));
}

std::string format_alert(const KpiDefinition& d, const KpiThresholds& t) {
  return std::string(to_string(d.alert_rule)) + " " + with_unit(d.unit, bound_text(t.alert));
}

std::string format_trend(const KpiDefinition& d, std::optional<double> value, std::optional<double> previous) {
  if (!value || !previous) return "-";
  if (same(*value, *previous)) return "→ same";
  const std::string arrow = *value > *previous ? "↑ " : "↓ ";
  const std::string word(trend_word(d, *value, *previous));
  if (const auto change = change_percent(*value, *previous)) return arrow + printf_text("%+.1f%%", *change) + " " + word;
  return arrow + "(was 0) " + word;
}

namespace {

// Rows as columns aligned by their widths, two spaces apart; each line ends with a newline.
std::string aligned(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], display_width(row[c]));
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line.append(widths[c] - display_width(row[c]) + 2, ' ');
    }
    out += line + "\n";
  }
  return out;
}

std::string detail_text(const KpiResult& r, const char* name) {
  const auto it = r.details.find(name);
  return r.value && it != r.details.end() ? format_kpi_value(*r.definition, it->second) : "-";
}

// What the tasks of the window cost: the spend cost_per_successful_task is computed from.
struct WindowCost {
  std::optional<double> usd;  // empty when no task reports a cost
  std::int64_t tasks = 0;     // tasks that report one
  double successful = 0;      // of those
};

WindowCost window_cost(std::span<const KpiResult> results) {
  for (const KpiResult& r : results) {
    if (r.definition->id != "cost_per_successful_task") continue;
    const auto usd = r.details.find("cost_usd");
    if (usd == r.details.end()) return {};
    const auto successful = r.details.find("successful_tasks");
    return {usd->second, r.samples, successful == r.details.end() ? 0 : successful->second};
  }
  return {};
}

std::string cost_line(std::span<const KpiResult> results, std::chrono::seconds window, std::optional<double> cost_usd_24h) {
  const WindowCost cost = window_cost(results);
  std::string line = "COST over the last " + format_duration(window) + ": ";
  if (cost.usd) {
    line += printf_text("$%.2f", *cost.usd) + " (" + std::to_string(cost.tasks) + (cost.tasks == 1 ? " task reports" : " tasks report") +
            " a cost, " + printf_text("%.0f", cost.successful) + " of them successful)";
  } else {
    line += "no task reports a cost";
  }
  // The day's spend beside any other window's, as /health gives it.
  if (window != std::chrono::hours(24)) line += "; over the last 24h: " + (cost_usd_24h ? printf_text("$%.2f", *cost_usd_24h) : "none");
  return line + "\n";
}

}  // namespace

std::string render_kpi_table(std::span<const KpiResult> results, std::chrono::seconds window, std::optional<double> cost_usd_24h) {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"GROUP", "KPI", "VALUE", "TARGET", "ALERT", "STATUS", "TREND (vs previous " + format_duration(window) + ")"});
  std::vector<std::vector<std::string>> spread{{"SPREAD", "MEAN", "MEDIAN", "P75", "ITEMS"}};
  std::vector<std::vector<std::string>> dora{{"DORA KEY", "MEASURE", "BAND (2023 State of DevOps Report)"}};
  for (const KpiResult& r : results) {
    const KpiDefinition& d = *r.definition;
    const std::string value = r.value ? format_kpi_value(d, *r.value) : "-";
    rows.push_back({std::string(to_string(d.group)), std::string(d.name), value, format_target(d, r.thresholds),
                    format_alert(d, r.thresholds), std::string(status_text(r.status)), format_trend(d, r.value, r.previous)});
    if (r.details.contains("median")) {
      spread.push_back({std::string(d.name), value, detail_text(r, "median"), detail_text(r, "p75"), std::to_string(r.samples)});
    }
    if (is_dora_key(d.id)) {
      std::string measure = dora_band_uses_median(d.id) ? detail_text(r, "median") : value;
      if (measure != "-" && dora_band_uses_median(d.id)) measure += " (median)";
      dora.push_back({std::string(d.name), measure, r.dora_band ? std::string(to_string(*r.dora_band)) : "no data"});
    }
  }
  std::string out = aligned(rows);
  out += "\n" + cost_line(results, window, cost_usd_24h);
  if (spread.size() > 1) out += "\n" + aligned(spread);
  if (dora.size() > 1) out += "\n" + aligned(dora);
  return out;
}

nlohmann::json kpi_report_json(std::span<const KpiResult> results, std::chrono::seconds window, double generated_at_unix,
                               std::optional<double> cost_usd_24h) {
  nlohmann::json kpis = nlohmann::json::array();
  for (const KpiResult& r : results) {
    const KpiDefinition& d = *r.definition;
    nlohmann::json k;
    k["id"] = d.id;
    k["name"] = d.name;
    k["group"] = to_string(d.group);
    k["unit"] = to_string(d.unit);
    k["direction"] = to_string(d.direction);
    k["value"] = r.value ? nlohmann::json(*r.value) : nlohmann::json(nullptr);
    k["target"] = r.thresholds.target;
    k["alert_threshold"] = r.thresholds.alert;
    k["target_rule"] = to_string(d.target_rule);
    k["alert_rule"] = to_string(d.alert_rule);
    k["status"] = to_string(r.status);
    k["previous"] = r.previous ? nlohmann::json(*r.previous) : nlohmann::json(nullptr);
    k["change_percent"] = nullptr;
    k["trend"] = nullptr;
    if (r.value && r.previous) {
      if (const auto change = change_percent(*r.value, *r.previous)) k["change_percent"] = *change;
      k["trend"] = trend_word(d, *r.value, *r.previous);
    }
    k["samples"] = r.samples;
    k["dora_band"] = r.dora_band ? nlohmann::json(to_string(*r.dora_band)) : nlohmann::json(nullptr);
    k["details"] = nlohmann::json::object();
    for (const auto& [name, value] : r.details) k["details"][name] = value;
    kpis.push_back(std::move(k));
  }
  const WindowCost cost = window_cost(results);
  return {{"window", format_duration(window)},
          {"window_seconds", window.count()},
          {"generated_at", ipc::format_timestamp(generated_at_unix)},
          {"cost_usd", cost.usd ? nlohmann::json(*cost.usd) : nlohmann::json(nullptr)},
          {"tasks_with_cost", cost.tasks},
          {"cost_usd_24h", cost_usd_24h ? nlohmann::json(*cost_usd_24h) : nlohmann::json(nullptr)},
          {"kpis", std::move(kpis)}};
}

}  // namespace agentmetrics::kpi
