// The metrics requests the receiver reads in place (metrics_request_view.h) map exactly as the
// generated classes' do: on every metrics export the real Claude Code and Codex sent
// (tests/data/agents, every encoding, each alone, retried, and all of a session's in one
// request) and the OpenTelemetry JS SDK's exporter sent (tests/data/otel-js); on what the
// in-place reader declines (left to the generated classes); and on every truncation and many
// corruptions of a real export, of which the in-place reader accepts none that the generated
// classes refuse.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "collector/intake/otlp/otlp_body.h"
#include "tests/support/file_text.h"
#include "tests/support/otlp_in_place_check.h"

namespace agentmetrics::intake {
namespace {

// The generated classes log each string that is not UTF-8; these tests make many on purpose.
const bool kQuiet = [] {
  google::protobuf::SetLogHandler(nullptr);
  return true;
}();

namespace fs = std::filesystem;
namespace metrics = opentelemetry::proto::metrics::v1;
using agentmetrics::testing::check_in_place;
using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;

using testing::read_file;

const fs::path kData = AM_AGENT_DATA_DIR;

// Every metrics export recorded, as protobuf bytes (OTLP/JSON ones made protobuf), by recording.
std::map<std::string, std::vector<std::string>> recorded_exports() {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& entry : fs::recursive_directory_iterator(kData)) {
    if (entry.path().filename() != "index.jsonl") continue;
    std::ifstream index(entry.path());
    for (std::string line; std::getline(index, line);) {
      const auto e = nlohmann::json::parse(line);
      if (e["signal"] != "metrics") continue;
      const std::string file = e["file"];
      std::string body = read_file(entry.path().parent_path() / file);
      if (file.ends_with(".stored.gz") || e.value("stored", "") == "gzip") {
        bool too_large = false;
        body = *gunzip_bounded(body, 64 << 20, too_large);
      }
      const bool grpc = e["transport"] == "grpc";
      const std::string type = grpc ? "application/x-protobuf" : e["content_type"].get<std::string>();
      const std::string encoding = e["content_encoding"].is_string() ? e["content_encoding"].get<std::string>() : "";
      ExportMetricsServiceRequest request;
      const auto refused = read_otlp_body(body, type, encoding, 64 << 20, request);
      EXPECT_FALSE(refused) << entry.path() << " " << file;
      out[entry.path().parent_path().string()].push_back(request.SerializeAsString());
    }
  }
  return out;
}

TEST(MetricsRequestView, TheAgentsRecordedExportsAreReadInPlaceAndMapAsTheGeneratedClassesMapThem) {
  const auto recordings = recorded_exports();
  std::size_t exports = 0, claude = 0, codex = 0;
  for (const auto& [recording, bodies] : recordings) {
    SCOPED_TRACE(recording);
    std::string all;  // a session's exports in one request, as a forwarding collector batches them
    for (const auto& bytes : bodies) {
      const auto check = check_in_place(bytes, /*times=*/2);
      ASSERT_TRUE(check.read_in_place);
      ASSERT_TRUE(check.generated_parsed);
      EXPECT_EQ(check.in_place, check.generated);
      EXPECT_EQ(check.in_place.find("mapped 0 "), std::string::npos) << check.in_place;
      all += bytes;
      ++exports;
      (recording.find("/claude/") != std::string::npos ? claude : codex) += 1;
    }
    const auto check = check_in_place(all);
    ASSERT_TRUE(check.read_in_place);
    EXPECT_EQ(check.in_place, check.generated);
  }
  EXPECT_GE(claude, 15u);
  EXPECT_GE(codex, 5u);
  EXPECT_EQ(exports, claude + codex);
}

// The JS SDK's own exporter (tests/data/otel-js): its counters in either temporality are read in
// place and map as the generated classes map them, each export alone and all of a run in one
// request, retried; its exponential histograms are left to the generated classes.
TEST(MetricsRequestView, TheJsSdksExportsMapAsTheGeneratedClassesMapThemOrAreLeftToThem) {
  const fs::path data = AM_OTEL_JS_DATA_DIR;
  for (const std::string run : {"delta", "cumulative", "exponential"}) {
    SCOPED_TRACE(run);
    std::string all;
    std::size_t exports = 0;
    for (const auto& file : fs::directory_iterator(data / run)) {
      const std::string bytes = read_file(file.path());
      const auto check = check_in_place(bytes, /*times=*/2);
      ASSERT_TRUE(check.generated_parsed) << file.path();
      EXPECT_EQ(check.read_in_place, run != "exponential") << file.path();
      EXPECT_EQ(check.in_place, check.generated) << file.path();
      all += bytes;
      ++exports;
    }
    EXPECT_GE(exports, 2u);
    const auto check = check_in_place(all, /*times=*/2);
    ASSERT_TRUE(check.generated_parsed);
    EXPECT_EQ(check.read_in_place, run != "exponential");
    EXPECT_EQ(check.in_place, check.generated);
    if (check.read_in_place) {
      EXPECT_NE(check.in_place.find("opencode_tokens_total{agent=\"claude_code\",model=\"m-js-" + run), std::string::npos)
          << check.in_place;
    }
  }
}

// A request of Claude Code's token counter with one more metric or value of the kind given.
ExportMetricsServiceRequest claude_tokens() {
  ExportMetricsServiceRequest r;
  auto* rm = r.add_resource_metrics();
  auto* service = rm->mutable_resource()->add_attributes();
  service->set_key("service.name");
  service->mutable_value()->set_string_value("claude-code");
  auto* m = rm->add_scope_metrics()->add_metrics();
  m->set_name("claude_code.token.usage");
  m->mutable_sum()->set_is_monotonic(true);
  m->mutable_sum()->set_aggregation_temporality(metrics::AGGREGATION_TEMPORALITY_DELTA);
  auto* p = m->mutable_sum()->add_data_points();
  p->set_as_int(1200);
  p->set_time_unix_nano(1000);
  for (const auto& [k, v] : {std::pair{"type", "input"}, {"model", "claude-sonnet-4"}, {"session.id", "s-1"}}) {
    auto* a = p->add_attributes();
    a->set_key(k);
    a->mutable_value()->set_string_value(v);
  }
  return r;
}

TEST(MetricsRequestView, WhatItDoesNotReadIsLeftToTheGeneratedClasses) {
  const auto base = claude_tokens();
  ASSERT_TRUE(check_in_place(base.SerializeAsString()).read_in_place);
  std::vector<std::pair<std::string, ExportMetricsServiceRequest>> declined;
  auto with = [&](const std::string& what, auto change) {
    auto r = base;
    change(r);
    declined.emplace_back(what, r);
  };
  with("a gauge",
       [](auto& r) { r.mutable_resource_metrics(0)->mutable_scope_metrics(0)->add_metrics()->mutable_gauge()->add_data_points(); });
  with("an exponential histogram",
       [](auto& r) { r.mutable_resource_metrics(0)->mutable_scope_metrics(0)->add_metrics()->mutable_exponential_histogram(); });
  with("an exemplar", [](auto& r) {
    r.mutable_resource_metrics(0)->mutable_scope_metrics(0)->mutable_metrics(0)->mutable_sum()->mutable_data_points(0)->add_exemplars();
  });
  with("an array value",
       [](auto& r) { r.mutable_resource_metrics(0)->mutable_resource()->mutable_attributes(0)->mutable_value()->mutable_array_value(); });
  with("a scope's attributes", [](auto& r) { r.mutable_resource_metrics(0)->mutable_scope_metrics(0)->mutable_scope()->add_attributes(); });
  for (const auto& [what, r] : declined) {
    const auto check = check_in_place(r.SerializeAsString());
    EXPECT_FALSE(check.read_in_place) << what;
    EXPECT_TRUE(check.generated_parsed) << what;
  }
  // Text that is not UTF-8: both refuse it (the receiver answers 400).
  auto bad = base;
  bad.mutable_resource_metrics(0)->mutable_scope_metrics(0)->mutable_metrics(0)->set_name("claude_code.\xff");
  const auto check = check_in_place(bad.SerializeAsString());
  EXPECT_FALSE(check.read_in_place);
  EXPECT_FALSE(check.generated_parsed);
}

// An attribute of every shape on the wire (the in-place reader takes a short key and string value
// in one step, anything else field by field): each is taken or refused as the generated classes
// take or refuse it, and mapped the same. The attribute changed is the point's model, a label.
TEST(MetricsRequestView, AttributesOfEveryShapeAreReadAsTheGeneratedClassesReadThem) {
  using opentelemetry::proto::common::v1::KeyValue;
  std::vector<std::pair<std::string, std::function<void(KeyValue&)>>> shapes;
  for (const std::size_t n : {0u, 1u, 125u, 126u, 127u, 128u, 300u}) {
    shapes.emplace_back("a value of " + std::to_string(n) + " bytes",
                        [n](KeyValue& kv) { kv.mutable_value()->set_string_value(std::string(n, 'm')); });
    shapes.emplace_back("a key of " + std::to_string(n) + " bytes", [n](KeyValue& kv) { kv.set_key(std::string(n, 'k')); });
  }
  shapes.emplace_back("no value", [](KeyValue& kv) { kv.clear_value(); });
  shapes.emplace_back("an int value", [](KeyValue& kv) { kv.mutable_value()->set_int_value(7); });
  shapes.emplace_back("a bool value", [](KeyValue& kv) { kv.mutable_value()->set_bool_value(true); });
  shapes.emplace_back("a double value", [](KeyValue& kv) { kv.mutable_value()->set_double_value(0.5); });
  shapes.emplace_back("a bytes value", [](KeyValue& kv) { kv.mutable_value()->set_bytes_value("claude"); });
  shapes.emplace_back("a field after the value", [](KeyValue& kv) { kv.GetReflection()->MutableUnknownFields(&kv)->AddVarint(3, 1); });
  shapes.emplace_back("a field after the string",
                      [](KeyValue& kv) { kv.mutable_value()->GetReflection()->MutableUnknownFields(kv.mutable_value())->AddVarint(9, 1); });
  shapes.emplace_back("a value that is not UTF-8", [](KeyValue& kv) { kv.mutable_value()->set_string_value("claude-\xff"); });
  shapes.emplace_back("a key that is not UTF-8", [](KeyValue& kv) { kv.set_key("model\xc3"); });
  shapes.emplace_back("a value in two-byte UTF-8", [](KeyValue& kv) { kv.mutable_value()->set_string_value("claude-\xc3\xa9"); });
  std::size_t in_place = 0;
  for (const auto& [what, change] : shapes) {
    auto r = claude_tokens();
    auto* point = r.mutable_resource_metrics(0)->mutable_scope_metrics(0)->mutable_metrics(0)->mutable_sum()->mutable_data_points(0);
    change(*point->mutable_attributes(1));
    const auto check = check_in_place(r.SerializeAsString());
    EXPECT_EQ(check.read_in_place, check.generated_parsed) << what;
    if (check.read_in_place && check.generated_parsed) {
      EXPECT_EQ(check.in_place, check.generated) << what;
    }
    in_place += check.read_in_place;
  }
  // All but the two that are not UTF-8.
  EXPECT_EQ(in_place, shapes.size() - 2);
}

// Every truncation of a real export, and each of its bytes changed (its high bit, a varint's
// continuation, or all of them; the low bit of every fourth): whatever the in-place reader
// accepts, the generated classes accept and map the same.
TEST(MetricsRequestView, NoTruncationOrCorruptionIsReadOtherwiseThanTheGeneratedClassesReadIt) {
  const std::string bytes = read_file(kData / "claude/tool-chain/otlp/http-protobuf/0002-metrics.pb");
  ASSERT_GT(bytes.size(), 1000u);
  std::size_t in_place = 0, generated = 0, tried = 0;
  const auto check = [&](const std::string& input, const std::string& what) {
    const auto c = check_in_place(input);
    ++tried;
    in_place += c.read_in_place;
    generated += c.generated_parsed;
    if (c.read_in_place) {
      ASSERT_TRUE(c.generated_parsed) << what;
      ASSERT_EQ(c.in_place, c.generated) << what;
    }
  };
  for (std::size_t n = 0; n < bytes.size(); ++n) check(bytes.substr(0, n), "the first " + std::to_string(n) + " bytes");
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (const int change : {0x01, 0x80, 0xFF}) {
      if (change == 0x01 && i % 4 != 0) continue;  // each read alike is compared whole: a sample
      std::string corrupt = bytes;
      corrupt[i] = static_cast<char>(static_cast<unsigned char>(corrupt[i]) ^ change);
      check(corrupt, "byte " + std::to_string(i) + " xor " + std::to_string(change));
    }
  }
  // Many changes leave bytes both read (a value, a time, a letter of a name), and those were
  // compared above; the others are refused by both, or declined here only.
  EXPECT_GT(in_place, tried / 10);
  EXPECT_LE(in_place, generated);
}

}  // namespace
}  // namespace agentmetrics::intake
