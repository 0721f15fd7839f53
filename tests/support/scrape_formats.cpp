#include "tests/support/scrape_formats.h"

#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/util/delimited_message_util.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "tests/support/http_client.h"

namespace agentmetrics::testing {
namespace {

namespace pb = io::prometheus::client;

std::string number(double v) {
  char out[32];
  std::snprintf(out, sizeof(out), "%.17g", v);
  return out;
}

std::string escaped(const std::string& value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string labels_of(const pb::Metric& m, const std::string& le = {}) {
  std::string out;
  for (const auto& l : m.label()) out += (out.empty() ? "" : ",") + l.name() + "=\"" + escaped(l.value()) + "\"";
  if (!le.empty()) out += (out.empty() ? "" : ",") + std::string("le=\"") + le + "\"";
  return out.empty() ? out : "{" + out + "}";
}

}  // namespace

Samples normalized(const Samples& in) {
  Samples out;
  for (const auto& [key, value] : in) {
    const auto at = key.find("le=\"");
    if (at == std::string::npos) {
      out[key] = value;
      continue;
    }
    const auto end = key.find('"', at + 4);
    const std::string bound = key.substr(at + 4, end - at - 4);
    out[key.substr(0, at + 4) + (bound == "+Inf" ? bound : number(std::stod(bound))) + key.substr(end)] = value;
  }
  return out;
}

const char* to_string(Format format) {
  switch (format) {
    case Format::kText: return "text";
    case Format::kOpenMetrics: return "OpenMetrics";
    case Format::kProtobuf: return "protobuf";
  }
  return "?";
}

std::vector<pb::MetricFamily> parse_protobuf(const std::string& body) {
  google::protobuf::io::ArrayInputStream in(body.data(), static_cast<int>(body.size()));
  std::vector<pb::MetricFamily> out;
  for (;;) {
    pb::MetricFamily f;
    bool clean_eof = false;
    if (!google::protobuf::util::ParseDelimitedFromZeroCopyStream(&f, &in, &clean_eof)) {
      EXPECT_TRUE(clean_eof) << "a message that does not parse after " << out.size() << " families";
      return out;
    }
    out.push_back(std::move(f));
  }
}

Samples protobuf_samples(const std::vector<pb::MetricFamily>& families) {
  Samples out;
  for (const auto& f : families) {
    for (const auto& m : f.metric()) {
      switch (f.type()) {
        case pb::COUNTER: out[f.name() + labels_of(m)] = m.counter().value(); break;
        case pb::GAUGE: out[f.name() + labels_of(m)] = m.gauge().value(); break;
        case pb::UNTYPED: out[f.name() + labels_of(m)] = m.untyped().value(); break;
        case pb::HISTOGRAM: {
          const pb::Histogram& h = m.histogram();
          for (const auto& b : h.bucket()) {
            out[f.name() + "_bucket" + labels_of(m, number(b.upper_bound()))] = static_cast<double>(b.cumulative_count());
          }
          out[f.name() + "_bucket" + labels_of(m, "+Inf")] = static_cast<double>(h.sample_count());
          out[f.name() + "_sum" + labels_of(m)] = h.sample_sum();
          out[f.name() + "_count" + labels_of(m)] = static_cast<double>(h.sample_count());
          break;
        }
        default: ADD_FAILURE() << f.name() << ": a type the collector does not write"; break;
      }
    }
  }
  return out;
}

Samples scrape_samples(const std::string& url, Format format) {
  const char* accept = format == Format::kProtobuf
                           ? "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"
                       : format == Format::kOpenMetrics ? "application/openmetrics-text;version=1.0.0"
                                                        : "text/plain;version=0.0.4";
  const HttpResult r = http_get(url, {{"Accept", accept}});
  EXPECT_EQ(r.status, 200) << to_string(format) << ": " << r.error;
  if (r.status != 200) return {};
  const std::string type = r.headers.count("content-type") ? r.headers.at("content-type") : "";
  const std::string want = format == Format::kProtobuf ? "application/vnd.google.protobuf" : accept;
  EXPECT_EQ(type.substr(0, type.find(';')), want.substr(0, want.find(';'))) << to_string(format);
  if (format == Format::kProtobuf) return protobuf_samples(parse_protobuf(r.body));
  if (format == Format::kOpenMetrics) {
    EXPECT_TRUE(r.body.ends_with("# EOF\n")) << "OpenMetrics ends with # EOF";
  }
  return normalized(parse_samples(r.body));
}

Samples expect_same_in_every_format(const std::string& url, const std::vector<std::string>& prefixes) {
  const auto wanted = [&](const Samples& all) {
    Samples out;
    for (const auto& [key, value] : all) {
      for (const auto& p : prefixes) {
        if (key.starts_with(p)) out[key] = value;
      }
    }
    return out;
  };
  Samples text = wanted(scrape_samples(url, Format::kText));
  for (const Format format : {Format::kOpenMetrics, Format::kProtobuf}) {
    const Samples other = wanted(scrape_samples(url, format));
    for (const auto& [key, value] : text) {
      const auto it = other.find(key);
      if (it == other.end()) {
        ADD_FAILURE() << to_string(format) << " lacks " << key;
      } else {
        // The text format writes 16 significant digits, as prometheus-cpp does; the others are exact.
        EXPECT_NEAR(it->second, value, 1e-15 * std::fabs(value)) << to_string(format) << ": " << key;
      }
    }
    for (const auto& [key, value] : other) {
      if (!text.count(key)) ADD_FAILURE() << to_string(format) << " has " << key << " " << value << ", the text format has not";
    }
  }
  return text;
}

}  // namespace agentmetrics::testing
