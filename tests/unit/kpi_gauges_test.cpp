// The KPI gauges as Prometheus scrapes them: the text exposition of the registry.
#include <gtest/gtest.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <atomic>
#include <sstream>
#include <thread>

#include "collector/kpi/kpi_gauges.h"

namespace {

using namespace agentmetrics::kpi;

KpiResult result(std::string_view id, std::optional<double> value, KpiThresholds thresholds = {}) {
  KpiResult r;
  r.definition = find_kpi(id);
  r.thresholds = thresholds == KpiThresholds{} ? r.definition->defaults : thresholds;
  r.value = value;
  r.status = classify(*r.definition, r.thresholds, value);
  r.samples = 3;
  return r;
}

std::string scrape(const prometheus::Registry& registry) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry.Collect());
  return out.str();
}

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

std::size_t count_lines_starting(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  std::size_t n = 0;
  for (std::string l; std::getline(in, l);) n += l.rfind(prefix, 0) == 0;
  return n;
}

TEST(KpiGauges, ExportValueStatusTargetAndThreshold) {
  prometheus::Registry registry;
  KpiGauges gauges(registry);
  const std::vector<KpiResult> results = {result("code_coverage", 82.5), result("lead_time", 130), result("throughput", 15),
                                          result("cycle_time", std::nullopt)};
  gauges.update("7d", results);
  const std::string text = scrape(registry);
  EXPECT_TRUE(has_line(text, R"(opencode_kpi_value{group="quality",kpi="code_coverage",window="7d"} 82.5)")) << text;
  EXPECT_TRUE(has_line(text, R"(opencode_kpi_status{group="quality",kpi="code_coverage",window="7d"} 0)")) << text;
  EXPECT_TRUE(has_line(text, R"(opencode_kpi_target{kpi="code_coverage",window="7d"} 80)")) << text;
  EXPECT_TRUE(has_line(text, R"(opencode_kpi_alert_threshold{kpi="code_coverage",window="7d"} 75)")) << text;
  EXPECT_TRUE(has_line(text, R"(opencode_kpi_value{group="velocity",kpi="lead_time",window="7d"} 130)")) << text;
  EXPECT_TRUE(has_line(text, R"(opencode_kpi_status{group="velocity",kpi="lead_time",window="7d"} 2)")) << text;
  EXPECT_TRUE(has_line(text, R"(opencode_kpi_status{group="velocity",kpi="throughput",window="7d"} 1)")) << text;
  // No data: a status of -1, thresholds, and no value series at all.
  EXPECT_TRUE(has_line(text, R"(opencode_kpi_status{group="velocity",kpi="cycle_time",window="7d"} -1)")) << text;
  EXPECT_TRUE(has_line(text, R"(opencode_kpi_target{kpi="cycle_time",window="7d"} 4)")) << text;
  EXPECT_EQ(text.find(R"(opencode_kpi_value{group="velocity",kpi="cycle_time")"), std::string::npos) << text;
  EXPECT_TRUE(has_line(text, "# TYPE opencode_kpi_value gauge")) << text;
  EXPECT_TRUE(has_line(text, "# TYPE opencode_kpi_status gauge")) << text;
  EXPECT_EQ(count_lines_starting(text, "opencode_kpi_value{"), 3u);
  EXPECT_EQ(count_lines_starting(text, "opencode_kpi_status{"), 4u);
}

TEST(KpiGauges, ValueSeriesComeAndGoWithTheData) {
  prometheus::Registry registry;
  KpiGauges gauges(registry);
  gauges.update("24h", std::vector{result("code_coverage", 70)});
  EXPECT_TRUE(has_line(scrape(registry), R"(opencode_kpi_value{group="quality",kpi="code_coverage",window="24h"} 70)"));
  gauges.update("24h", std::vector{result("code_coverage", std::nullopt)});
  std::string text = scrape(registry);
  EXPECT_EQ(count_lines_starting(text, "opencode_kpi_value{"), 0u) << text;
  EXPECT_TRUE(has_line(text, R"(opencode_kpi_status{group="quality",kpi="code_coverage",window="24h"} -1)")) << text;
  gauges.update("24h", std::vector{result("code_coverage", 90, {95, 85})});
  text = scrape(registry);
  EXPECT_TRUE(has_line(text, R"(opencode_kpi_value{group="quality",kpi="code_coverage",window="24h"} 90)")) << text;
  EXPECT_TRUE(has_line(text, R"(opencode_kpi_status{group="quality",kpi="code_coverage",window="24h"} 1)")) << text;
  EXPECT_TRUE(has_line(text, R"(opencode_kpi_target{kpi="code_coverage",window="24h"} 95)")) << text;
  EXPECT_TRUE(has_line(text, R"(opencode_kpi_alert_threshold{kpi="code_coverage",window="24h"} 85)")) << text;
}

TEST(KpiGauges, WindowsAreSeparateSeries) {
  prometheus::Registry registry;
  KpiGauges gauges(registry, "am");
  gauges.update("24h", std::vector{result("throughput", 25)});
  gauges.update("7d", std::vector{result("throughput", 12)});
  std::string text = scrape(registry);
  EXPECT_TRUE(has_line(text, R"(am_kpi_value{group="velocity",kpi="throughput",window="24h"} 25)")) << text;
  EXPECT_TRUE(has_line(text, R"(am_kpi_value{group="velocity",kpi="throughput",window="7d"} 12)")) << text;
  gauges.remove_window("24h");
  text = scrape(registry);
  EXPECT_EQ(text.find(R"(window="24h")"), std::string::npos) << text;
  EXPECT_TRUE(has_line(text, R"(am_kpi_status{group="velocity",kpi="throughput",window="7d"} 1)")) << text;
}

TEST(KpiGauges, LeaveTheRegistryEmptyWhenDestroyed) {
  prometheus::Registry registry;
  {
    KpiGauges gauges(registry);
    gauges.update("7d", std::vector{result("throughput", 25), result("lead_time", 3)});
  }
  const std::string text = scrape(registry);
  EXPECT_EQ(text.find("kpi=\""), std::string::npos) << text;
}

TEST(KpiGauges, RefuseAPrefixThatMakesNoMetricName) {
  prometheus::Registry registry;
  EXPECT_THROW(KpiGauges(registry, "9lives"), std::invalid_argument);
  EXPECT_THROW(KpiGauges(registry, "has space"), std::invalid_argument);
}

TEST(KpiGauges, ScrapesRunSafelyWhileSeriesComeAndGo) {
  prometheus::Registry registry;
  KpiGauges gauges(registry);
  std::atomic<bool> done = false;
  std::atomic<int> scrapes = 0;
  std::thread scraper([&] {
    while (!done) {
      const std::string text = scrape(registry);
      EXPECT_EQ(text.find("kpi=\"\""), std::string::npos);
      ++scrapes;
    }
  });
  // Until the scraper has overlapped a good number of updates (it may start late).
  for (int i = 0; i < 2000 || (scrapes < 200 && i < 10'000'000); ++i) {
    const bool data = i % 2 == 0;
    gauges.update("7d", std::vector{result("code_coverage", data ? std::optional(80.0 + i % 7) : std::nullopt),
                                    result("lead_time", data ? std::nullopt : std::optional(10.0))});
    if (i % 100 == 50) gauges.remove_window("7d");
  }
  gauges.update("7d", std::vector{result("code_coverage", std::nullopt), result("lead_time", 10)});
  done = true;
  scraper.join();
  EXPECT_GT(scrapes.load(), 0);
  const std::string text = scrape(registry);
  EXPECT_TRUE(has_line(text, R"(opencode_kpi_value{group="velocity",kpi="lead_time",window="7d"} 10)")) << text;
  EXPECT_EQ(count_lines_starting(text, "opencode_kpi_value{"), 1u) << text;
}

}  // namespace
