// agentmetricsd's OTLP receivers, driven by the OpenTelemetry JS SDK's own exporters (from the
// npm registry) in every protocol and temporality, and by bad input: what cannot be read gets
// the status the OTLP specification gives it and nothing is counted; what can is counted
// exactly once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <zlib.h>

#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/collector_process.h"
#include "tests/support/http_client.h"
#include "tests/support/scrape_formats.h"
#include "tests/support/stored_events.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::testing {
namespace {

using json = nlohmann::json;

const std::string kPackages = AM_OTEL_JS_DIR;
const std::string kData = AM_AGENT_DATA_DIR;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

double sample_or_zero(const Samples& s, const std::string& key) {
  const auto it = s.find(key);
  return it == s.end() ? 0 : it->second;
}

class OtlpReceiver : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { installed_ = run_command({AM_OTEL_JS_INSTALL, kPackages}, {}, std::chrono::seconds(600)); }

  CommandResult exporter(const std::string& protocol, const std::string& temporality, const std::string& model,
                         const std::string& token = "") {
    const int port = collector_.otlp_port(protocol == "grpc" ? "grpc" : "http");
    std::vector<std::string> argv = {"node", kPackages + "/export.mjs", protocol, "http://127.0.0.1:" + std::to_string(port), temporality,
                                     model};
    if (!token.empty()) argv.push_back(token);
    return run_command(argv, {{"NODE_PATH", kPackages + "/node_modules"}}, std::chrono::seconds(60));
  }

  HttpResult post(const std::string& path, const std::string& body, const std::map<std::string, std::string>& headers) {
    return http_post("http://127.0.0.1:" + std::to_string(collector_.otlp_port("http")) + path, body, headers);
  }

  static inline CommandResult installed_;
  CollectorProcess collector_{unique_namespace("otlp")};
};

TEST_F(OtlpReceiver, TheJsSdksExportersInEveryProtocolAndTemporalityCountExactly) {
  if (installed_.code == 77) GTEST_SKIP() << installed_.output;
  ASSERT_EQ(installed_.code, 0) << installed_.output;
  const std::vector<std::tuple<std::string, std::string, std::string>> runs = {
      {"http/protobuf", "delta", "m-proto-delta"},
      {"http/json", "delta", "m-json-delta"},
      {"grpc", "cumulative", "m-grpc-cumulative"},
      {"http/protobuf", "cumulative", "m-proto-cumulative"},
  };
  for (const auto& [protocol, temporality, model] : runs) {
    const CommandResult r = exporter(protocol, temporality, model);
    ASSERT_EQ(r.code, 0) << protocol << " " << temporality << ": " << r.output;
  }
  const Samples s = collector_.samples();
  for (const auto& [protocol, temporality, model] : runs) {
    SCOPED_TRACE(model);
    const std::string labels = "agent=\"claude_code\",model=\"" + model + "\"";
    // Two rounds: 1000 then 500 input tokens, whichever way the exporter counted them.
    EXPECT_EQ(sample_or_zero(s, "opencode_tokens_total{" + labels + ",type=\"input\"}"), 1500);
    EXPECT_EQ(sample_or_zero(s, "opencode_tokens_total{" + labels + ",type=\"output\"}"), 50);
    EXPECT_EQ(sample_or_zero(s, "opencode_tokens_total{" + labels + ",type=\"cache_read\"}"), 2000);
    EXPECT_DOUBLE_EQ(sample_or_zero(s, "opencode_cost_usd_total{" + labels + "}"), 0.5);
    EXPECT_EQ(sample_or_zero(s, "opencode_api_requests_total{" + labels + ",status=\"200\"}"), 1);
    EXPECT_EQ(sample_or_zero(s, "opencode_api_request_duration_seconds_count{" + labels + "}"), 1);
  }
  // The user's id was an attribute of every point; it is no label.
  EXPECT_EQ(collector_.scrape().find("a-user-id"), std::string::npos);
  // At shutdown each session is stored as one task, with its figures and without its id.
  ASSERT_EQ(collector_.stop(), 0);
  std::vector<json> tasks;
  for (const auto& e : stored_events(collector_.store_path())) {
    if (e.kind == "task") tasks.push_back(e.fields);
  }
  ASSERT_EQ(tasks.size(), runs.size());
  for (const auto& task : tasks) {
    EXPECT_EQ(task["tokens_input"], 1500) << task.dump();
    EXPECT_EQ(task["tokens_cache_read"], 2000);
    EXPECT_DOUBLE_EQ(task["cost_usd"].get<double>(), 0.5);
    EXPECT_EQ(task["origin"], "otlp");
    EXPECT_EQ(task["session_id"].get<std::string>().find("js-"), std::string::npos) << task.dump();
  }
}

// An exponential histogram from the JS SDK (an SDK view aggregates the instrument so), named as
// a histogram family the collector knows, lands in that family's native buckets: scraped in the
// protobuf format, its buckets are the values' own at the schema it arrived in, in every
// protocol and temporality, each value counted once; its classic buckets and sum follow; an
// attribute that is no label of the family is no label.
TEST_F(OtlpReceiver, ExponentialHistogramsLandInTheFamilysNativeBuckets) {
  if (installed_.code == 77) GTEST_SKIP() << installed_.output;
  ASSERT_EQ(installed_.code, 0) << installed_.output;
  TempDir dir;
  const std::string config = dir.path() + "/native.yml";
  std::ofstream(config) << "prometheus:\n  nativeHistograms:\n    opencode_pipeline_duration_seconds: {schema: 3}\n";
  CollectorProcess collector(unique_namespace("otlp-exp"), {"--config=" + config});
  const std::vector<std::pair<std::string, std::string>> runs = {
      {"http/protobuf", "delta"}, {"http/json", "cumulative"}, {"grpc", "cumulative"}, {"grpc", "delta"}};
  std::map<std::string, std::vector<double>> observed;  // by stage
  for (const auto& [protocol, temporality] : runs) {
    const std::string stage = "js-" + protocol.substr(protocol.find('/') + 1) + "-" + temporality;
    const int port = collector.otlp_port(protocol == "grpc" ? "grpc" : "http");
    const CommandResult r =
        run_command({"node", kPackages + "/export_exponential.mjs", protocol, "http://127.0.0.1:" + std::to_string(port), temporality,
                     "opencode_pipeline_duration_seconds", stage},
                    {{"NODE_PATH", kPackages + "/node_modules"}}, std::chrono::seconds(60));
    ASSERT_EQ(r.code, 0) << protocol << " " << temporality << ": " << r.output;
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty() && std::isdigit(static_cast<unsigned char>(line[0]))) observed[stage].push_back(std::stod(line));
    }
    ASSERT_EQ(observed[stage].size(), 200U) << r.output;
  }
  const HttpResult scraped =
      http_get(collector.url("/metrics"),
               {{"Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"}});
  ASSERT_EQ(scraped.status, 200);
  const io::prometheus::client::MetricFamily* family = nullptr;
  const auto families = parse_protobuf(scraped.body);
  for (const auto& f : families) {
    if (f.name() == "opencode_pipeline_duration_seconds") family = &f;
  }
  ASSERT_NE(family, nullptr);
  ASSERT_EQ(static_cast<std::size_t>(family->metric_size()), runs.size());
  for (const auto& metric : family->metric()) {
    std::map<std::string, std::string> labels;
    for (const auto& l : metric.label()) labels[l.name()] = l.value();
    EXPECT_EQ(labels.size(), 2U) << "stage and success only";
    SCOPED_TRACE(labels["stage"]);
    EXPECT_EQ(labels["success"], "true");
    const std::vector<double>& values = observed.at(labels["stage"]);
    const auto& h = metric.histogram();
    EXPECT_EQ(h.sample_count(), values.size());
    double sum = 0;
    for (const double v : values) sum += v;
    EXPECT_NEAR(h.sample_sum(), sum, sum * 1e-9);
    // The SDK chose the schema its 160 buckets fit (here 3, as configured, or coarser).
    EXPECT_LE(h.schema(), 3);
    std::map<std::int32_t, std::int64_t> expected, got;
    for (const double v : values) ++expected[static_cast<std::int32_t>(std::ceil(std::log2(v) * std::exp2(h.schema())))];
    std::int32_t index = 0;
    std::int64_t count = 0;
    int d = 0;
    for (const auto& span : h.positive_span()) {
      index += span.offset();
      for (std::uint32_t k = 0; k < span.length(); ++k, ++index) {
        count += h.positive_delta(d++);
        if (count != 0) got[index] = count;
      }
    }
    EXPECT_EQ(got, expected);
    // Classic buckets (10, 30, 60, 120, 300): each value in the first whose bound is at least
    // its exponential bucket's upper bound at the scale it arrived in (an export's own, which
    // may be finer than the series' schema): between the values whose bucket at the series'
    // schema ends by 10 and the values of at most 10.
    ASSERT_EQ(h.bucket_size(), 5);
    std::uint64_t bucket_ends_by_10 = 0, at_most_10 = 0;
    for (const double v : values) {
      bucket_ends_by_10 += std::exp2(std::ceil(std::log2(v) * std::exp2(h.schema())) / std::exp2(h.schema())) <= 10;
      at_most_10 += v <= 10;
    }
    EXPECT_GE(h.bucket(0).cumulative_count(), bucket_ends_by_10);
    EXPECT_LE(h.bucket(0).cumulative_count(), at_most_10);
  }
  EXPECT_EQ(scraped.body.find("a-user-id"), std::string::npos);
}

// The agents' families and the receivers' own are in every format /metrics serves, with the
// same series and values: the text format, OpenMetrics and the protobuf format.
TEST_F(OtlpReceiver, TheAgentsFamiliesAreServedInEveryFormat) {
  if (installed_.code == 77) GTEST_SKIP() << installed_.output;
  ASSERT_EQ(installed_.code, 0) << installed_.output;
  const CommandResult r = exporter("http/protobuf", "delta", "m-formats");
  ASSERT_EQ(r.code, 0) << r.output;
  const Samples s = expect_same_in_every_format(collector_.url("/metrics"), {"opencode_", "agentmetrics_otlp_"});
  const std::string labels = "agent=\"claude_code\",model=\"m-formats\"";
  EXPECT_EQ(sample_or_zero(s, "opencode_tokens_total{" + labels + ",type=\"input\"}"), 1500);
  EXPECT_EQ(sample_or_zero(s, "opencode_api_request_duration_seconds_count{" + labels + "}"), 1);
  EXPECT_GT(sample_or_zero(s, "agentmetrics_otlp_points_total{result=\"mapped\"}"), 0);
  EXPECT_EQ(sample_or_zero(s, "agentmetrics_otlp_series_bounded_total{bound=\"series_limit\"}"), 0);
  // The SDK's protobuf exports were read in place (metrics_request_view), none parsed otherwise.
  EXPECT_GE(sample_or_zero(s, "agentmetrics_otlp_metrics_requests_read_total{reader=\"in_place\"}"), 2);
  EXPECT_EQ(sample_or_zero(s, "agentmetrics_otlp_metrics_requests_read_total{reader=\"generated\"}"), 0);
}

TEST_F(OtlpReceiver, AnExportSentTwiceCountsOnce) {
  const std::string body = read_file(kData + "/claude/plain/otlp/http-protobuf/0003-metrics.pb");
  for (int i = 0; i < 3; ++i) {
    const HttpResult r = post("/v1/metrics", body, {{"Content-Type", "application/x-protobuf"}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.headers.at("content-type"), "application/x-protobuf");
  }
  EXPECT_EQ(collector_.samples().at(R"(opencode_tokens_total{agent="claude_code",model="claude-sonnet-4-5-20250929",type="input"})"), 1200);
}

// Bad input, each answered as the specification says, none counted, and the daemon goes on.
TEST_F(OtlpReceiver, WhatCannotBeReadIsRefusedWithItsStatusAndNothingIsCounted) {
  const std::string good = read_file(kData + "/claude/plain/otlp/http-protobuf/0003-metrics.pb");
  const std::map<std::string, std::string> protobuf = {{"Content-Type", "application/x-protobuf"}};
  // A truncated message: 400, with a google.rpc.Status in the request's encoding.
  const HttpResult truncated = post("/v1/metrics", good.substr(0, good.size() / 2), protobuf);
  EXPECT_EQ(truncated.status, 400);
  EXPECT_EQ(truncated.headers.at("content-type"), "application/x-protobuf");
  const HttpResult bad_json = post("/v1/logs", "{\"resourceLogs\": [", {{"Content-Type", "application/json"}});
  EXPECT_EQ(bad_json.status, 400);
  EXPECT_NE(json::parse(bad_json.body)["message"].get<std::string>().find("OTLP/JSON"), std::string::npos) << bad_json.body;
  // Another media type, or an encoding other than gzip: 415.
  EXPECT_EQ(post("/v1/metrics", good, {{"Content-Type", "text/plain"}}).status, 415);
  EXPECT_EQ(post("/v1/metrics", good, {{"Content-Type", "application/x-protobuf"}, {"Content-Encoding", "br"}}).status, 415);
  // A gzip bomb (a few KiB inflating to 64 MiB) and a 10 MiB body: 413.
  const std::string bomb = gzip(std::string(64 << 20, '\0'));
  ASSERT_LT(bomb.size(), 128u * 1024);
  EXPECT_EQ(post("/v1/metrics", bomb, {{"Content-Type", "application/x-protobuf"}, {"Content-Encoding", "gzip"}}).status, 413);
  EXPECT_EQ(post("/v1/metrics", std::string(10 << 20, 'x'), protobuf).status, 413);
  EXPECT_EQ(collector_.samples().count(R"(opencode_tokens_total{agent="claude_code",model="claude-sonnet-4-5-20250929",type="input"})"),
            0u);
  // A gzip body that is fine is taken.
  EXPECT_EQ(post("/v1/metrics", gzip(good), {{"Content-Type", "application/x-protobuf"}, {"Content-Encoding", "gzip"}}).status, 200);
  EXPECT_EQ(collector_.samples().at(R"(opencode_tokens_total{agent="claude_code",model="claude-sonnet-4-5-20250929",type="input"})"), 1200);
  EXPECT_EQ(http_get(collector_.url("/health")).status, 200);
}

// OTLP/JSON the way a hand-made client might send it: NaN and negative counts are rejected and
// said so in the partial success; unknown metric types are taken and left alone; 20k distinct
// attribute values end in the family's overflow series, not in 20k series.
TEST_F(OtlpReceiver, OddPointsArePartiallyRejectedAndCardinalityIsBounded) {
  json points = json::array();
  for (int i = 0; i < 20000; ++i) {
    points.push_back({{"asDouble", 1.0},
                      {"timeUnixNano", std::to_string(1800000000000000000LL + i)},
                      {"attributes",
                       {{{"key", "model"}, {"value", {{"stringValue", "model-" + std::to_string(i)}}}},
                        {{"key", "type"}, {"value", {{"stringValue", "input"}}}}}}});
  }
  points.push_back({{"asDouble", "NaN"}, {"timeUnixNano", "1800000000000000001"}, {"attributes", json::array()}});
  points.push_back({{"asDouble", -5.0}, {"timeUnixNano", "1800000000000000002"}, {"attributes", json::array()}});
  const json request = {
      {"resourceMetrics",
       {{{"resource", {{"attributes", {{{"key", "service.name"}, {"value", {{"stringValue", "claude-code"}}}}}}}},
         {"scopeMetrics",
          {{{"metrics",
             {{{"name", "claude_code.token.usage"},
               {"sum", {{"aggregationTemporality", 1}, {"isMonotonic", true}, {"dataPoints", points}}}},
              {{"name", "claude_code.future.thing"}, {"exponentialHistogram", {{"dataPoints", json::array({{{"count", "3"}}})}}}},
              {{"name", "claude_code.session.count"}, {"summary", {{"dataPoints", json::array({{{"count", "1"}}})}}}}}}}}}}}}};
  const HttpResult r = post("/v1/metrics", request.dump(), {{"Content-Type", "application/json"}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json answer = json::parse(r.body);
  EXPECT_EQ(answer["partialSuccess"]["rejectedDataPoints"], "2") << r.body;
  const std::string scrape = collector_.scrape();
  std::size_t series = 0;
  for (std::size_t at = scrape.find("\nopencode_tokens_total{"); at != std::string::npos;
       at = scrape.find("\nopencode_tokens_total{", at + 1))
    ++series;
  EXPECT_LE(series, 10001u) << "the series limit per family holds";
  EXPECT_NE(scrape.find("opencode_tokens_total{agent=\"__overflow__\""), std::string::npos);
  EXPECT_EQ(http_get(collector_.url("/health")).status, 200);
}

}  // namespace
}  // namespace agentmetrics::testing
