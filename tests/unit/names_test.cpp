#include <gtest/gtest.h>

#include "ipc/names.h"
#include "ipc/segment_name.h"

using namespace agentmetrics::ipc;

TEST(Names, MetricNames) {
  EXPECT_TRUE(is_valid_metric_name("opencode_task_total"));
  EXPECT_TRUE(is_valid_metric_name("a:b_c9"));
  EXPECT_TRUE(is_valid_metric_name(":x"));
  EXPECT_FALSE(is_valid_metric_name(""));
  EXPECT_FALSE(is_valid_metric_name("9abc"));
  EXPECT_FALSE(is_valid_metric_name("a-b"));
  EXPECT_FALSE(is_valid_metric_name("a b"));
  EXPECT_FALSE(is_valid_metric_name("caf\xc3\xa9"));
}

TEST(Names, LabelNames) {
  EXPECT_TRUE(is_valid_label_name("agent_type"));
  EXPECT_TRUE(is_valid_label_name("_x1"));
  EXPECT_FALSE(is_valid_label_name("__name__"));
  EXPECT_FALSE(is_valid_label_name("le"));
  EXPECT_FALSE(is_valid_label_name("quantile"));
  EXPECT_FALSE(is_valid_label_name("a:b"));
  EXPECT_FALSE(is_valid_label_name("1a"));
  EXPECT_FALSE(is_valid_label_name(""));
}

TEST(Names, Utf8Text) {
  EXPECT_TRUE(is_valid_utf8_text(""));
  EXPECT_TRUE(is_valid_utf8_text("plain \"quoted\" \\ text\nline"));
  EXPECT_TRUE(is_valid_utf8_text("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
  EXPECT_FALSE(is_valid_utf8_text(std::string("a\0b", 3)));
  EXPECT_FALSE(is_valid_utf8_text("\xc3"));              // truncated sequence
  EXPECT_FALSE(is_valid_utf8_text("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8_text("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8_text("\xf4\x90\x80\x80"));  // beyond U+10FFFF
  EXPECT_FALSE(is_valid_utf8_text("\xff"));
}

TEST(SegmentName, RoundTrip) {
  const auto name = segment_file_name("prod-1", 1234, 99);
  EXPECT_EQ(name, "agentmetrics.prod-1.1234.99");
  auto parsed = parse_segment_file_name(name, "prod-1");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->pid, 1234);
  EXPECT_EQ(parsed->nonce, 99u);
}

TEST(SegmentName, OtherFilesAreNotSegments) {
  EXPECT_FALSE(parse_segment_file_name("agentmetrics.prod.1.2", "prod-1"));
  EXPECT_FALSE(parse_segment_file_name("agentmetrics.prod-1x.1.2", "prod-1"));
  EXPECT_FALSE(parse_segment_file_name(init_file_name("prod-1", 1, 2), "prod-1"));
  EXPECT_FALSE(parse_segment_file_name("agentmetrics.prod-1.0.2", "prod-1"));
  EXPECT_FALSE(parse_segment_file_name("agentmetrics.prod-1.-5.2", "prod-1"));
  EXPECT_FALSE(parse_segment_file_name("agentmetrics.prod-1.12", "prod-1"));
  EXPECT_FALSE(parse_segment_file_name("agentmetrics.prod-1.12.x", "prod-1"));
  EXPECT_FALSE(parse_segment_file_name("sem.something", "prod-1"));
}

TEST(SegmentName, Namespaces) {
  EXPECT_TRUE(is_valid_namespace("default"));
  EXPECT_TRUE(is_valid_namespace("A_b-9"));
  EXPECT_FALSE(is_valid_namespace(""));
  EXPECT_FALSE(is_valid_namespace("a.b"));
  EXPECT_FALSE(is_valid_namespace("../x"));
  EXPECT_FALSE(is_valid_namespace(std::string(65, 'a')));
}
