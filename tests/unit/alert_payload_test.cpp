// The Alertmanager webhook body built for a KPI alert: exact shape, names, fingerprints, times.
#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "collector/alerts/alertmanager_payload.h"

namespace agentmetrics::alerts {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// 2024-05-01T12:00:00Z
constexpr std::chrono::sys_seconds kNoon{std::chrono::seconds(1714564800)};

KpiAlert firing_coverage_alert() {
  KpiAlert alert;
  alert.kpi = "code_coverage";
  alert.name = "Code Coverage";
  alert.window = "24h";
  alert.group = "quality";
  alert.severity = "warning";
  alert.firing = true;
  alert.value = 72.5;
  alert.target = 80;
  alert.threshold = 75;
  alert.unit = "%";
  alert.starts_at = kNoon + 250ms;
  return alert;
}

PayloadOptions prod_options() {
  PayloadOptions options;
  options.external_url = "http://collector.example:9090/";
  options.extra_labels = {{"cluster", "prod"}};
  return options;
}

TEST(AlertPayload, FiringAlertHasAlertmanagersVersion4Shape) {
  const json payload = build_alertmanager_payload(firing_coverage_alert(), prod_options(), kNoon + 1h);
  const json labels = {{"alertname", "KpiCodeCoverage"}, {"cluster", "prod"},     {"group", "quality"},
                       {"kpi", "code_coverage"},         {"severity", "warning"}, {"window", "24h"}};
  const json annotations = {{"summary", "Code Coverage (24h) is below its alert threshold of 75%"},
                            {"description", "Code Coverage over the last 24h is 72.5% (alert threshold 75%, target 80%)."},
                            {"kpi_name", "Code Coverage"},
                            {"value", "72.5"},
                            {"target", "80"},
                            {"threshold", "75"},
                            {"unit", "%"}};
  const json expected = {{"version", "4"},
                         {"groupKey", "{}:{alertname=\"KpiCodeCoverage\", kpi=\"code_coverage\", window=\"24h\"}"},
                         {"truncatedAlerts", 0},
                         {"status", "firing"},
                         {"receiver", "agentmetrics"},
                         {"groupLabels", {{"alertname", "KpiCodeCoverage"}, {"kpi", "code_coverage"}, {"window", "24h"}}},
                         {"commonLabels", labels},
                         {"commonAnnotations", annotations},
                         {"externalURL", "http://collector.example:9090"},
                         {"alerts", json::array({{{"status", "firing"},
                                                  {"labels", labels},
                                                  {"annotations", annotations},
                                                  {"startsAt", "2024-05-01T12:00:00.25Z"},
                                                  {"endsAt", "0001-01-01T00:00:00Z"},
                                                  {"generatorURL", "http://collector.example:9090/kpi?kpi=code_coverage&window=24h"},
                                                  // FNV-1a of the labels, computed independently of this code.
                                                  {"fingerprint", "3ed5d598b8b09245"}}})}};
  EXPECT_EQ(payload, expected) << payload.dump(2);
  // Strings where Alertmanager has strings, a number for truncatedAlerts.
  EXPECT_TRUE(payload["version"].is_string());
  EXPECT_TRUE(payload["truncatedAlerts"].is_number_unsigned());
}

TEST(AlertPayload, RecoveryIsResolvedWithEndsAtAndTheSameFingerprint) {
  KpiAlert alert = firing_coverage_alert();
  const std::string firing_fp = build_alertmanager_payload(alert, prod_options())["alerts"][0]["fingerprint"];
  alert.firing = false;
  alert.value = 81;
  alert.ends_at = kNoon + 2h;
  const json payload = build_alertmanager_payload(alert, prod_options(), kNoon + 3h);
  EXPECT_EQ(payload["status"], "resolved");
  const json& entry = payload["alerts"][0];
  EXPECT_EQ(entry["status"], "resolved");
  EXPECT_EQ(entry["startsAt"], "2024-05-01T12:00:00.25Z");
  EXPECT_EQ(entry["endsAt"], "2024-05-01T14:00:00Z");
  EXPECT_EQ(entry["fingerprint"], firing_fp);
  EXPECT_EQ(entry["annotations"]["summary"], "Code Coverage (24h) is back above its alert threshold of 75%");
  EXPECT_EQ(entry["annotations"]["description"], "Code Coverage over the last 24h is back to 81% (alert threshold 75%, target 80%).");
  EXPECT_EQ(entry["annotations"]["value"], "81");

  alert.ends_at.reset();  // stamped with `now`
  EXPECT_EQ(build_alertmanager_payload(alert, prod_options(), kNoon + 3h)["alerts"][0]["endsAt"], "2024-05-01T15:00:00Z");
}

TEST(AlertPayload, SummarySaysWhichSideOfTheThresholdIsBad) {
  KpiAlert alert;
  alert.kpi = "defect_escape_rate";
  alert.name = "Defect Escape Rate";
  alert.window = "7d";
  alert.value = 2.5;
  alert.target = 1;
  alert.threshold = 2;
  alert.unit = "%";
  const PayloadOptions options;
  EXPECT_EQ(build_alertmanager_payload(alert, options)["alerts"][0]["annotations"]["summary"],
            "Defect Escape Rate (7d) is above its alert threshold of 2%");
  alert.firing = false;
  EXPECT_EQ(build_alertmanager_payload(alert, options)["alerts"][0]["annotations"]["summary"],
            "Defect Escape Rate (7d) is back below its alert threshold of 2%");
  alert.target = alert.threshold;
  alert.firing = true;
  alert.unit = "h";
  EXPECT_EQ(build_alertmanager_payload(alert, options)["alerts"][0]["annotations"]["summary"],
            "Defect Escape Rate (7d) crossed its alert threshold of 2 h");
}

TEST(AlertPayload, WithoutExternalUrlOrOptionalFields) {
  KpiAlert alert;
  alert.kpi = "throughput";
  alert.name = "Throughput";
  alert.starts_at = kNoon;
  const json payload = build_alertmanager_payload(alert, PayloadOptions{});
  EXPECT_EQ(payload["externalURL"], "");
  EXPECT_EQ(payload["alerts"][0]["generatorURL"], "");
  EXPECT_EQ(payload["alerts"][0]["labels"], (json{{"alertname", "KpiThroughput"}, {"kpi", "throughput"}}));
  EXPECT_EQ(payload["groupKey"], "{}:{alertname=\"KpiThroughput\", kpi=\"throughput\"}");
  EXPECT_FALSE(payload["alerts"][0]["annotations"].contains("unit"));
  EXPECT_EQ(payload["alerts"][0]["startsAt"], "2024-05-01T12:00:00Z");
}

TEST(AlertPayload, GroupKeyQuotesValuesAsGoDoes) {
  KpiAlert alert;
  alert.kpi = "lead_time";
  alert.window = "a\"b\\c\n";
  EXPECT_EQ(build_alertmanager_payload(alert, PayloadOptions{})["groupKey"],
            "{}:{alertname=\"KpiLeadTime\", kpi=\"lead_time\", window=\"a\\\"b\\\\c\\n\"}");
}

TEST(AlertPayload, GeneratorUrlEncodesItsQuery) {
  KpiAlert alert;
  alert.kpi = "a b&c";
  alert.window = "7d/x";
  PayloadOptions options;
  options.external_url = "https://x";
  EXPECT_EQ(build_alertmanager_payload(alert, options)["alerts"][0]["generatorURL"], "https://x/kpi?kpi=a%20b%26c&window=7d%2Fx");
}

TEST(AlertPayload, AlertNames) {
  EXPECT_EQ(alert_name("code_coverage"), "KpiCodeCoverage");
  EXPECT_EQ(alert_name("ai_generated_code_acceptance"), "KpiAiGeneratedCodeAcceptance");
  EXPECT_EQ(alert_name("mttd"), "KpiMttd");
  EXPECT_EQ(alert_name("ai-task completion"), "KpiAiTaskCompletion");
  EXPECT_EQ(alert_name("p95_2x"), "KpiP952x");
  EXPECT_EQ(alert_name(""), "Kpi");
}

TEST(AlertPayload, FingerprintIsPrometheusLabelSetFingerprint) {
  // The vectors of prometheus/common model/signature_test.go.
  EXPECT_EQ(fingerprint({}), "cbf29ce484222325");  // 14695981039346656037
  EXPECT_EQ(fingerprint({{"name", "garland, briggs"}, {"fear", "love is not enough"}}),
            "507a62d79ee76c9a");  // 5799056148416392346
  EXPECT_EQ(
      fingerprint({{"first-label", "first-label-value"}, {"second-label", "second-label-value"}, {"third-label", "third-label-value"}}),
      "c01c58139d52b4b9");  // 13843036195897128121
}

TEST(AlertPayload, Values) {
  EXPECT_EQ(format_value(72.5), "72.5");
  EXPECT_EQ(format_value(80), "80");
  EXPECT_EQ(format_value(0), "0");
  EXPECT_EQ(format_value(-0.0), "0");
  EXPECT_EQ(format_value(2.0 / 3.0), "0.6667");
  EXPECT_EQ(format_value(0.0042), "0.0042");
  EXPECT_EQ(format_value(1.5e-7), "1.5e-07");
  EXPECT_EQ(format_value(86400), "86400");
  EXPECT_EQ(format_value(-12.25), "-12.25");
  EXPECT_EQ(format_value(std::numeric_limits<double>::quiet_NaN()), "NaN");
  EXPECT_EQ(format_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_value(1e20), "1e+20");
  EXPECT_EQ(format_quantity(72.5, "%"), "72.5%");
  EXPECT_EQ(format_quantity(30, "h"), "30 h");
  EXPECT_EQ(format_quantity(3, ""), "3");
}

TEST(AlertPayload, ExtraLabelsAreCheckedAndLeftOutWhenEmpty) {
  PayloadOptions options;
  options.extra_labels = {{"team", "platform"}, {"_x1", "y"}};
  EXPECT_NO_THROW(validate(options));
  options.extra_labels = {{"team", ""}};
  EXPECT_NO_THROW(validate(options));
  EXPECT_FALSE(alert_labels(KpiAlert{}, options).contains("team"));
  for (const char* bad : {"1team", "te-am", "", "__name__", "alertname", "kpi", "window", "group", "severity"}) {
    options.extra_labels = {{bad, "v"}};
    EXPECT_THROW(validate(options), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace agentmetrics::alerts
