// Content negotiation (Accept, Accept-Encoding) for /metrics; the gzip stream has gzip_stream_test.
#include <gtest/gtest.h>

#include <string>

#include "collector/expose/http_encoding.h"

using namespace agentmetrics::collector;

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
