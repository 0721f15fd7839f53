// Content negotiation (Accept, Accept-Encoding) and gzip compression for /metrics.
#include <gtest/gtest.h>

#include <string>

#include "collector/expose/http_encoding.h"
#include "tests/support/raw_http.h"

using namespace agentmetrics::collector;
using agentmetrics::testing::gunzip;

namespace {

bool prefers_openmetrics(std::string_view accept) { return negotiate_format(accept, true) == ScrapeFormat::kOpenMetrics; }

}  // namespace

TEST(HttpEncoding, PrometheusAcceptHeaderPrefersOpenMetrics) {
  EXPECT_TRUE(
      prefers_openmetrics("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
                          "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"));
  EXPECT_TRUE(prefers_openmetrics("application/openmetrics-text; version=1.0.0"));
  EXPECT_TRUE(prefers_openmetrics("Application/OpenMetrics-Text;Q=0.5, text/plain;q=0.5"));  // a tie goes to OpenMetrics
  EXPECT_TRUE(prefers_openmetrics("text/plain;q=0.2, application/openmetrics-text;q=0.3"));
}

TEST(HttpEncoding, OtherAcceptHeadersGetText) {
  EXPECT_FALSE(prefers_openmetrics(""));
  EXPECT_FALSE(prefers_openmetrics("*/*"));
  EXPECT_FALSE(prefers_openmetrics("text/plain;version=0.0.4"));
  EXPECT_FALSE(prefers_openmetrics("application/openmetrics-text;q=0"));
  EXPECT_FALSE(prefers_openmetrics("application/openmetrics-text;q=0, */*"));
  EXPECT_FALSE(prefers_openmetrics("application/openmetrics-text;q=0.4,text/plain"));
  EXPECT_FALSE(prefers_openmetrics("application/json"));
  EXPECT_EQ(negotiate_format("application/openmetrics-text;version=1.0.0,text/plain;q=0.5", false), ScrapeFormat::kText)
      << "prometheus.openMetrics: false";
}

TEST(HttpEncoding, NativeHistogramScrapersGetProtobuf) {
  // What Prometheus sends with native histograms on, and with its protobuf scrape protocol first.
  EXPECT_EQ(negotiate_format("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,"
                             "text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
                             true),
            ScrapeFormat::kProtobuf);
  EXPECT_EQ(negotiate_format("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited,"
                             "application/openmetrics-text;version=1.0.0;q=0.8,text/plain;version=0.0.4;q=0.5",
                             true),
            ScrapeFormat::kProtobuf);
  // Another message or encoding is not this format.
  EXPECT_EQ(negotiate_format("application/vnd.google.protobuf;proto=io.prometheus.client.Metric;encoding=delimited", true),
            ScrapeFormat::kText);
  EXPECT_EQ(negotiate_format("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text", true),
            ScrapeFormat::kText);
  EXPECT_EQ(negotiate_format("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.2,"
                             "application/openmetrics-text;q=0.9",
                             true),
            ScrapeFormat::kOpenMetrics);
}

TEST(HttpEncoding, AcceptsGzipUnlessRefused) {
  EXPECT_TRUE(accepts_gzip("gzip"));
  EXPECT_TRUE(accepts_gzip("deflate, gzip;q=0.5"));
  EXPECT_TRUE(accepts_gzip("gzip, deflate, br"));
  EXPECT_TRUE(accepts_gzip("x-gzip"));
  EXPECT_TRUE(accepts_gzip("*"));  // "*" stands for every coding not listed
  EXPECT_TRUE(accepts_gzip("br, *;q=0.1"));
  EXPECT_FALSE(accepts_gzip(""));
  EXPECT_FALSE(accepts_gzip("gzip;q=0"));
  EXPECT_FALSE(accepts_gzip("gzip;q=0, *"));  // listed and refused: "*" does not bring it back
  EXPECT_FALSE(accepts_gzip("*;q=0"));
  EXPECT_FALSE(accepts_gzip("deflate, identity"));
}

TEST(HttpEncoding, GzipRoundTrips) {
  std::string body;
  for (int i = 0; i < 2000; ++i) body += "opencode_task_total{agent_type=\"build\",n=\"" + std::to_string(i) + "\"} 1\n";
  const std::string zipped = gzip_compress(body);
  ASSERT_GE(zipped.size(), 18u);  // header and trailer at least
  EXPECT_EQ(static_cast<unsigned char>(zipped[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(zipped[1]), 0x8b);
  EXPECT_EQ(zipped[2], 8);  // deflate
  EXPECT_LT(zipped.size(), body.size() / 4);
  EXPECT_EQ(gunzip(zipped), body);
  EXPECT_EQ(gunzip(gzip_compress("")), "");
}

TEST(HttpEncoding, AGzipStreamWrittenInPiecesIsOneMember) {
  std::string body;
  for (int i = 0; i < 50000; ++i) body += "opencode_task_total{n=\"" + std::to_string(i) + "\"} " + std::to_string(i * 7 % 13) + "\n";
  GzipStream stream;
  std::string zipped;
  // Pieces of uneven sizes, as families come; the last one finishes the member.
  for (std::size_t at = 0; at < body.size();) {
    const std::size_t n = std::min<std::size_t>(body.size() - at, 1 + at % 300000);
    stream.write(std::string_view(body).substr(at, n), false, zipped);
    at += n;
  }
  stream.write("", true, zipped);
  EXPECT_LT(zipped.size(), body.size() / 4);
  EXPECT_EQ(gunzip(zipped), body);
}
