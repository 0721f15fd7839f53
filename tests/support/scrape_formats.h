// /metrics in each format the collector serves, read back into one shape so that a test can
// check they carry the same series: the protobuf format parsed with protobuf's own parser and
// Prometheus's metrics.proto, and every format as "name{labels}" -> value the way the text
// format writes it (metrics_text.h), histogram bounds normalized (OpenMetrics writes le="1.0"
// where the text format writes le="1").
#pragma once

#include <io/prometheus/client/metrics.pb.h>

#include <string>
#include <vector>

#include "tests/support/metrics_text.h"

namespace agentmetrics::testing {

enum class Format { kText, kOpenMetrics, kProtobuf };
const char* to_string(Format format);

// A body of delimited MetricFamily messages; a message that does not parse fails the test.
std::vector<io::prometheus::client::MetricFamily> parse_protobuf(const std::string& body);
// Histogram bounds written one way: le="1.0" and le="1" are one bound (%.17g, as
// protobuf_samples() writes them).
Samples normalized(const Samples& samples);
// The samples the text format would show for these families (classic buckets only).
Samples protobuf_samples(const std::vector<io::prometheus::client::MetricFamily>& families);
// GET `url` asking for `format`; a wrong answer or Content-Type fails the test (empty result).
Samples scrape_samples(const std::string& url, Format format);
// The samples whose names start with one of `prefixes`, scraped in every format; the test fails
// where OpenMetrics or protobuf differ from the text format (beyond the text format's 16
// significant digits). Returns the text format's.
Samples expect_same_in_every_format(const std::string& url, const std::vector<std::string>& prefixes);

}  // namespace agentmetrics::testing
