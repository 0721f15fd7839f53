// The daemon's HTTP endpoints, on a real agentmetricsd: /metrics with content negotiation and
// gzip, /health (healthy, with the 24 h task figures, and unhealthy), /readiness, /version,
// the landing page, and requests it must refuse without stopping.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/collector_process.h"
#include "tests/support/http_client.h"
#include "tests/support/raw_http.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_paths.h"

using namespace agentmetrics::testing;
using nlohmann::json;

namespace {

// What Prometheus 2.x sends when it scrapes.
const std::string kPrometheusAccept =
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

class Endpoints : public ::testing::Test {
 protected:
  std::string ns_ = unique_namespace("endpoints");
  CollectorProcess collector_{ns_};
};

TEST_F(Endpoints, MetricsIsTextByDefaultAndOpenMetricsWhenAsked) {
  auto text = raw_http(collector_.port(), get_request("/metrics"));
  ASSERT_EQ(text.status, 200);
  EXPECT_EQ(text.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(text.body.find("# TYPE opencode_task_total counter\n"), std::string::npos);
  EXPECT_EQ(text.body.find("# EOF"), std::string::npos);

  auto om = raw_http(collector_.port(), get_request("/metrics", {{"Accept", kPrometheusAccept}}));
  ASSERT_EQ(om.status, 200);
  EXPECT_EQ(om.headers["content-type"], "application/openmetrics-text; version=1.0.0; charset=utf-8");
  // OpenMetrics announces a counter by its name without _total and ends the body with # EOF.
  EXPECT_NE(om.body.find("# TYPE opencode_task counter\n"), std::string::npos);
  ASSERT_GE(om.body.size(), 6u);
  EXPECT_EQ(om.body.substr(om.body.size() - 6), "# EOF\n");

  auto plain = raw_http(collector_.port(), get_request("/metrics", {{"Accept", "text/plain;version=0.0.4"}}));
  EXPECT_EQ(plain.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
}

TEST_F(Endpoints, MetricsIsGzippedWhenAskedAndDecodesToTheSameFamilies) {
  auto zipped = raw_http(collector_.port(), get_request("/metrics", {{"Accept-Encoding", "gzip"}}));
  ASSERT_EQ(zipped.status, 200);
  EXPECT_EQ(zipped.headers["content-encoding"], "gzip");
  // Sent in chunks as it is rendered: one gzip member across all of them.
  EXPECT_EQ(zipped.headers["transfer-encoding"], "chunked");
  const std::string body = gunzip(zipped.body);
  EXPECT_NE(body.find("# TYPE opencode_task_duration_seconds histogram\n"), std::string::npos);
  EXPECT_NE(body.find("agentmetrics_segments_attached"), std::string::npos);

  auto refused = raw_http(collector_.port(), get_request("/metrics", {{"Accept-Encoding", "gzip;q=0"}}));
  EXPECT_EQ(refused.headers.count("content-encoding"), 0u);
  EXPECT_NE(refused.body.find("# TYPE opencode_task_total counter"), std::string::npos);
}

TEST_F(Endpoints, MetricsCarriesProcessAndSelfMetrics) {
  const Samples s = collector_.samples();
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds",
                           "process_max_fds", "process_start_time_seconds", "process_threads", "agentmetrics_events_drained_total",
                           "agentmetrics_events_dropped_total", "agentmetrics_segments_attached", "agentmetrics_scrape_duration_seconds"}) {
    EXPECT_TRUE(sample(s, name)) << name;
  }
  EXPECT_GT(*sample(s, "process_resident_memory_bytes"), 0);
  EXPECT_GT(*sample(s, "process_threads"), 1);
}

TEST_F(Endpoints, EachAttachedProducerHasItsOwnSeriesUntilItIsReclaimed) {
  Process producer({kTestProducerBinary, "--threads", "2", "--events", "1000", "--label", "own", "--linger-ms", "30000"},
                   {{"AGENTMETRICS_NAMESPACE", ns_}});
  // Its series are labelled {pid, program, segment}; the segment's name is the producer's own.
  const std::string prefix =
      "{pid=\"" + std::to_string(producer.pid()) + "\",program=\"test_producer\",segment=\"agentmetrics." + ns_ + ".";
  std::string labels;
  Samples s;
  for (int i = 0; i < 300; ++i) {
    s = collector_.samples();
    for (const auto& [key, value] : s) {
      if (key.starts_with("agentmetrics_producer_ring_fill_ratio" + prefix)) labels = key.substr(key.find('{'));
    }
    // The two drained counters move one after the other: wait until a scrape falls between batches.
    if (!labels.empty() && sample(s, "am_test_value_count{producer=\"own\"}") == 2000 &&
        sample(s, "agentmetrics_producer_events_drained_total" + labels) == sample(s, "agentmetrics_events_drained_total")) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // The only producer: its own count is the collector's whole count.
  ASSERT_TRUE(sample(s, "agentmetrics_producer_events_drained_total" + labels)) << collector_.scrape();
  EXPECT_EQ(sample(s, "agentmetrics_producer_events_drained_total" + labels), sample(s, "agentmetrics_events_drained_total"));
  EXPECT_EQ(sample(s, "agentmetrics_producer_events_dropped_total" + labels), 0);
  EXPECT_EQ(sample(s, "agentmetrics_producer_ring_fill_ratio" + labels), 0);
  producer.signal(SIGTERM);
  ASSERT_TRUE(producer.wait(std::chrono::seconds(10)));
  // The series go when the segment is dropped and the reclaim is counted just after: a scrape
  // can fall between the two, so wait for both.
  for (int i = 0; i < 100 && (sample(s, "agentmetrics_producer_events_drained_total" + labels) ||
                              sample(s, "agentmetrics_segments_reclaimed_total") != 1);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    s = collector_.samples();
  }
  EXPECT_FALSE(sample(s, "agentmetrics_producer_events_drained_total" + labels)) << "the series outlived the producer";
  EXPECT_EQ(sample(s, "agentmetrics_segments_reclaimed_total"), 1);
}

TEST_F(Endpoints, HealthReportsServicesAndTheTasksOfTheLastDay) {
  Process producer({kTestProducerBinary, "--threads", "4", "--events", "100", "--label", "health"}, {{"AGENTMETRICS_NAMESPACE", ns_}});
  ASSERT_TRUE(producer.wait(std::chrono::seconds(30)));
  json body;
  for (int i = 0; i < 300; ++i) {
    auto r = http_get(collector_.url("/health"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers["content-type"], "application/json");
    body = json::parse(r.body);
    if (body["metrics"]["tasks_completed_24h"] == 4) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(body["status"], "healthy");
  EXPECT_TRUE(body["timestamp"].is_string());
  EXPECT_GE(body["uptime"].get<double>(), 0);
  ASSERT_TRUE(body["services"].is_object());
  for (const auto& [name, up] : body["services"].items()) EXPECT_EQ(up, true) << name;
  // The producer's four tasks: even threads succeed, odd ones fail.
  EXPECT_EQ(body["metrics"]["tasks_completed_24h"], 4);
  EXPECT_DOUBLE_EQ(body["metrics"]["success_rate_24h"].get<double>(), 0.5);
  EXPECT_GE(body["metrics"]["avg_task_duration_24h"].get<double>(), 0);
  EXPECT_TRUE(body["wait_mode"] == "io_uring" || body["wait_mode"] == "poll") << body.dump();
}

TEST_F(Endpoints, ReadinessVersionAndLandingPage) {
  auto ready = http_get(collector_.url("/readiness"));
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(json::parse(ready.body), json({{"ready", true}}));

  auto version = json::parse(http_get(collector_.url("/version")).body);
  EXPECT_EQ(version["version"], "0.1.0");
  EXPECT_TRUE(version["commit"].is_string() && !version["commit"].get<std::string>().empty());
  EXPECT_TRUE(version["build_time"].is_string() && !version["build_time"].get<std::string>().empty());

  auto landing = http_get(collector_.url("/"));
  EXPECT_EQ(landing.status, 200);
  for (const char* link : {"/metrics", "/health", "/readiness", "/version"}) {
    EXPECT_NE(landing.body.find(std::string("href=\"") + link + "\""), std::string::npos) << link;
  }
}

TEST(EndpointsVersion, CommitAndBuildTimeComeFromTheEnvironmentWhenSet) {
  CollectorProcess collector(unique_namespace("version"), {}, {{"GIT_COMMIT", "abc123def"}, {"BUILD_TIME", "2026-01-02T03:04:05Z"}});
  auto version = json::parse(http_get(collector.url("/version")).body);
  EXPECT_EQ(version["commit"], "abc123def");
  EXPECT_EQ(version["build_time"], "2026-01-02T03:04:05Z");
}

TEST(EndpointsHealth, UnhealthyWhenTheSegmentDirectoryIsGone) {
  TempDir dir;
  const std::string segments = dir.path() + "/segments";
  std::filesystem::create_directory(segments);
  CollectorProcess collector(unique_namespace("gone"), {"--segment-dir=" + segments});
  EXPECT_EQ(http_get(collector.url("/health")).status, 200);
  std::filesystem::remove(segments);
  auto r = http_get(collector.url("/health"));
  EXPECT_EQ(r.status, 503);
  const json body = json::parse(r.body);
  EXPECT_EQ(body["status"], "unhealthy");
  EXPECT_EQ(body["services"]["segment_directory"], false);
  // Still serving what it has.
  EXPECT_EQ(http_get(collector.url("/metrics")).status, 200);
}

TEST_F(Endpoints, BadRequestsGetA4xxAndTheDaemonGoesOn) {
  const int port = collector_.port();
  EXPECT_EQ(raw_http(port, get_request("/no-such-page")).status, 404);
  auto post = raw_http(port, "POST /metrics HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(post.headers["allow"], "GET, HEAD");

  const int garbage = raw_http(port, "THIS IS NOT HTTP\r\n\r\n").status;
  EXPECT_TRUE(garbage == 0 || (garbage >= 400 && garbage < 500)) << garbage;
  // Headers past the 16 KiB limit: refused (413 or 431), or the connection closed unanswered.
  const std::string huge =
      "GET /metrics HTTP/1.1\r\nHost: localhost\r\nX-Filler: " + std::string(64 * 1024, 'a') + "\r\nConnection: close\r\n\r\n";
  const int oversized = raw_http(port, huge).status;
  EXPECT_TRUE(oversized == 0 || (oversized >= 400 && oversized < 500)) << oversized;
  EXPECT_NE(oversized, 200);

  auto head = raw_http(port, "HEAD /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());

  auto after = http_get(collector_.url("/metrics"));
  EXPECT_EQ(after.status, 200);
  EXPECT_EQ(collector_.process().wait(std::chrono::milliseconds(0)), std::nullopt) << "the daemon exited";
  // The listener's refusals are counted by code where an operator sees them.
  EXPECT_NE(after.body.find("agentmetrics_http_responses_total{listener=\"main\",code=\"404\"} 1"), std::string::npos) << after.body;
  EXPECT_NE(after.body.find("agentmetrics_http_responses_total{listener=\"main\",code=\"405\"} 1"), std::string::npos);
  EXPECT_NE(after.body.find("agentmetrics_http_connections_refused_total{listener=\"main\"} 0"), std::string::npos);
}

TEST(EndpointsLimits, IdleConnectionsAreClosedAndScrapesGoOn) {
  TempDir dir;
  const std::string config = dir.path() + "/agentmetrics.yml";
  std::FILE* f = std::fopen(config.c_str(), "w");
  std::fputs("collector:\n  http:\n    threads: 2\n    requestTimeout: 1s\n", f);
  std::fclose(f);
  CollectorProcess collector(unique_namespace("idle"), {"--config=" + config});
  // Four connections that never send a byte hold both threads until their timeout.
  std::vector<std::thread> idle;
  std::vector<RawResponse> answers(4);
  for (int i = 0; i < 4; ++i) {
    idle.emplace_back([&, i] { answers[i] = raw_http(collector.port(), "", std::chrono::seconds(8)); });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  auto scrape = http_get(collector.url("/metrics"));
  for (auto& t : idle) t.join();
  EXPECT_EQ(scrape.status, 200) << scrape.error;
  // Each idle connection was closed by the server, not left open until the client gave up.
  for (const auto& a : answers) {
    EXPECT_TRUE(a.closed_by_server);
    EXPECT_NE(a.status, 200);
  }
}

}  // namespace
