// The `agentmetrics kpi` output: the table for a person and the JSON document.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <vector>

#include "collector/kpi/kpi_report.h"

namespace {

using namespace agentmetrics::kpi;
using namespace std::chrono_literals;

KpiResult result(const KpiDefinition& d, std::optional<double> value, std::optional<double> previous) {
  KpiResult r;
  r.definition = &d;
  r.thresholds = d.defaults;
  r.value = value;
  r.previous = previous;
  r.status = classify(d, r.thresholds, value);
  r.samples = value ? 12 : 0;
  return r;
}

// Every KPI: the odd ones without data, the others at their target, with a previous value
// 10% lower for the even ones and none for every third.
std::vector<KpiResult> all_results() {
  std::vector<KpiResult> out;
  int i = 0;
  for (const auto& d : kpi_catalogue()) {
    const bool data = i % 2 == 0;
    const double v = d.defaults.target == 0 ? 0 : d.defaults.target;
    out.push_back(result(d, data ? std::optional(v) : std::nullopt, i % 3 == 0 ? std::nullopt : std::optional(v / 1.1)));
    ++i;
  }
  out[kpi_index(*find_kpi("code_churn"))].details = {{"lines_per_week", 1200}, {"baseline_lines_per_week", 800}};
  // Lead time (at its target of 48 h) spread over items, and DORA's bands of two keys.
  KpiResult& lead = out[kpi_index(*find_kpi("lead_time"))];
  lead.details = {{"median", 30}, {"p75", 60}};
  lead.dora_band = DoraBand::kHigh;
  out[kpi_index(*find_kpi("change_failure_rate"))].dora_band = DoraBand::kHigh;
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

std::size_t width(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

TEST(KpiReportJson, HasTheDocumentedShape) {
  const auto results = all_results();
  const nlohmann::json j = kpi_report_json(results, 7 * 24h, 1'800'000'000);
  EXPECT_EQ(j["window"], "7d");
  EXPECT_EQ(j["window_seconds"], 604800);
  EXPECT_EQ(j["generated_at"], "2027-01-15T08:00:00Z");
  ASSERT_TRUE(j["kpis"].is_array());
  ASSERT_EQ(j["kpis"].size(), 25u);
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& k = j["kpis"][i];
    const KpiResult& r = results[i];
    for (const char* key : {"id", "name", "group", "unit", "direction", "value", "target", "alert_threshold", "target_rule", "alert_rule",
                            "status", "previous", "change_percent", "trend", "samples", "details", "dora_band"}) {
      EXPECT_TRUE(k.contains(key)) << key << " in " << k.dump();
    }
    EXPECT_EQ(k["id"], r.definition->id);
    EXPECT_EQ(k["name"], r.definition->name);
    EXPECT_EQ(k["group"], to_string(r.definition->group));
    EXPECT_EQ(k["unit"], to_string(r.definition->unit));
    EXPECT_EQ(k["status"], to_string(r.status));
    EXPECT_EQ(k["target"], r.thresholds.target);
    EXPECT_EQ(k["alert_threshold"], r.thresholds.alert);
    EXPECT_EQ(k["samples"], r.samples);
    EXPECT_TRUE(k["details"].is_object());
    if (r.value) {
      EXPECT_EQ(k["value"], *r.value);
    } else {
      EXPECT_TRUE(k["value"].is_null()) << k.dump();
      EXPECT_EQ(k["status"], "no_data");
    }
    if (r.previous) {
      EXPECT_DOUBLE_EQ(k["previous"].get<double>(), *r.previous);
    } else {
      EXPECT_TRUE(k["previous"].is_null()) << k.dump();
    }
    if (!r.value || !r.previous) {
      EXPECT_TRUE(k["trend"].is_null()) << k.dump();
      EXPECT_TRUE(k["change_percent"].is_null()) << k.dump();
    }
  }
  const auto& coverage = j["kpis"][0];
  EXPECT_EQ(coverage["id"], "code_coverage");
  EXPECT_EQ(coverage["value"], 80);
  EXPECT_EQ(coverage["status"], "ok");
  EXPECT_EQ(coverage["target_rule"], ">=");
  EXPECT_EQ(coverage["alert_rule"], "<");
  EXPECT_TRUE(coverage["previous"].is_null());
  const auto& escape = j["kpis"][1];  // no data, previous known
  EXPECT_TRUE(escape["value"].is_null());
  EXPECT_NEAR(escape["previous"].get<double>(), 1 / 1.1, 1e-12);
  const auto& mttd = j["kpis"][2];  // 24 now, 21.8 before: up 10%, worse (lower is better)
  EXPECT_NEAR(mttd["change_percent"].get<double>(), 10, 1e-9);
  EXPECT_EQ(mttd["trend"], "worse");
  EXPECT_EQ(j["kpis"][5]["details"]["lines_per_week"], 1200);
  const auto& lead = j["kpis"][kpi_index(*find_kpi("lead_time"))];
  EXPECT_EQ(lead["details"]["median"], 30);
  EXPECT_EQ(lead["details"]["p75"], 60);
  EXPECT_EQ(lead["dora_band"], "high");
  EXPECT_TRUE(j["kpis"][0]["dora_band"].is_null());
}

TEST(KpiReportTable, IsAlignedWithOneLinePerKpi) {
  const auto results = all_results();
  const std::string table = render_kpi_table(results, 7 * 24h);
  const auto all_lines = lines_of(table);
  // The KPIs, then after a blank line the spread of those that are means over items, then
  // DORA's keys.
  const auto blank = std::find(all_lines.begin(), all_lines.end(), "");
  const std::vector<std::string> lines(all_lines.begin(), blank);
  ASSERT_EQ(lines.size(), 26u) << table;
  EXPECT_EQ(table.back(), '\n');
  EXPECT_EQ(lines[0].rfind("GROUP", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find("TREND (vs previous 7d)"), std::string::npos) << lines[0];
  // Each column starts at the same display column on every line.
  for (const char* header : {"KPI", "VALUE", "TARGET", "ALERT", "STATUS", "TREND"}) {
    const std::size_t column = width(lines[0].substr(0, lines[0].find(header)));
    for (std::size_t i = 1; i < lines.size(); ++i) {
      // The character before the column is a space, the one at it is not.
      std::size_t seen = 0, byte = 0;
      while (seen < column && byte < lines[i].size()) {
        if ((static_cast<unsigned char>(lines[i][byte]) & 0xC0) != 0x80) ++seen;
        ++byte;
        while (byte < lines[i].size() && (static_cast<unsigned char>(lines[i][byte]) & 0xC0) == 0x80) ++byte;
      }
      ASSERT_LT(byte, lines[i].size()) << header << " in\n" << table;
      EXPECT_EQ(lines[i][byte - 1], ' ') << header << " in " << lines[i];
      EXPECT_NE(lines[i][byte], ' ') << header << " in " << lines[i];
    }
  }
  EXPECT_NE(lines[1].find("quality"), std::string::npos);
  EXPECT_NE(lines[1].find("Code Coverage"), std::string::npos);
  EXPECT_NE(lines[1].find("80.0%"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find(">= 80%"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("< 75%"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find(" ok "), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("no data"), std::string::npos) << lines[2];
  EXPECT_NE(lines[3].find("↑ +10.0% worse"), std::string::npos) << lines[3];
  EXPECT_NE(table.find("2-4 h"), std::string::npos) << table;
  const std::vector<std::string> sections(blank, all_lines.end());
  ASSERT_EQ(sections.size(), 1u + 2 + 1 + 5) << table;  // blank, SPREAD and lead time, blank, DORA KEY and the four keys
  EXPECT_EQ(sections[1].rfind("SPREAD", 0), 0u) << table;
  EXPECT_NE(sections[2].find("Lead Time"), std::string::npos) << table;
  EXPECT_NE(sections[2].find("30.0 h"), std::string::npos) << sections[2];
  EXPECT_NE(sections[2].find("60.0 h"), std::string::npos) << sections[2];
  EXPECT_EQ(sections[4].rfind("DORA KEY", 0), 0u) << table;
  const auto dora_line = [&](const char* name) {
    for (std::size_t i = 5; i < sections.size(); ++i) {
      if (sections[i].rfind(name, 0) == 0) return sections[i];
    }
    return std::string();
  };
  EXPECT_NE(dora_line("Lead Time").find("30.0 h (median)"), std::string::npos) << table;
  EXPECT_NE(dora_line("Lead Time").find("high"), std::string::npos) << table;
  EXPECT_NE(dora_line("Change Failure Rate").find("high"), std::string::npos) << table;
  EXPECT_NE(dora_line("Deployment Frequency").find("no data"), std::string::npos) << table;
}

TEST(KpiReportFormat, ValuesTargetsAndTrends) {
  const auto& coverage = *find_kpi("code_coverage");
  const auto& duration = *find_kpi("average_task_duration");
  const auto& churn = *find_kpi("code_churn");
  const auto& size = *find_kpi("average_pr_size");
  const auto& rollbacks = *find_kpi("rollback_frequency");
  EXPECT_EQ(format_kpi_value(coverage, 82.46), "82.5%");
  EXPECT_EQ(format_kpi_value(duration, 3.25), "3.2 h");
  EXPECT_EQ(format_kpi_value(churn, 1.234), "1.23x");
  EXPECT_EQ(format_kpi_value(size, 420.4), "420 lines");
  EXPECT_EQ(format_kpi_value(*find_kpi("test_execution_time"), 4), "4.0 min");
  EXPECT_EQ(format_kpi_value(*find_kpi("deployment_frequency"), 5.5), "5.5/day");
  EXPECT_EQ(format_kpi_value(*find_kpi("defect_escape_rate"), 0.5), "0.50/KLOC");
  EXPECT_EQ(format_target(coverage, coverage.defaults), ">= 80%");
  EXPECT_EQ(format_alert(coverage, coverage.defaults), "< 75%");
  EXPECT_EQ(format_target(duration, duration.defaults), "2-4 h");
  EXPECT_EQ(format_target(duration, {1.5, 6}), "<= 1.5 h");  // an override under the range's low end
  EXPECT_EQ(format_target(churn, churn.defaults), "<= 1.5x");
  EXPECT_EQ(format_alert(rollbacks, rollbacks.defaults), ">= 1/week");
  EXPECT_EQ(format_trend(coverage, 88, 80), "↑ +10.0% better");
  EXPECT_EQ(format_trend(coverage, 72, 80), "↓ -10.0% worse");
  EXPECT_EQ(format_trend(size, 400, 500), "↓ -20.0% better");
  EXPECT_EQ(format_trend(coverage, 80, 80), "→ same");
  EXPECT_EQ(format_trend(rollbacks, 1, 0), "↑ (was 0) worse");
  EXPECT_EQ(format_trend(coverage, std::nullopt, 80), "-");
  EXPECT_EQ(format_trend(coverage, 80, std::nullopt), "-");
}

}  // namespace
