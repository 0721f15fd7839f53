// ParseArenas lends an arena over a block that comes back for the next request: a message parsed
// in it is whole, the block grows to what a request needed (within the bound), and no more than
// `max_kept` blocks are kept.
#include "collector/intake/otlp/parse_arenas.h"

#include <gtest/gtest.h>
#include <opentelemetry/proto/collector/metrics/v1/metrics_service.pb.h>

#include <fstream>
#include <iterator>
#include <string>

namespace agentmetrics::intake {
namespace {

using opentelemetry::proto::collector::metrics::v1::ExportMetricsServiceRequest;

// A real Claude Code export, `copies` times over.
std::string export_bytes(int copies) {
  std::ifstream in(AM_AGENT_DATA_DIR "/claude/tool-chain/otlp/http-protobuf/0002-metrics.pb", std::ios::binary);
  const std::string one((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ExportMetricsServiceRequest single;
  EXPECT_TRUE(single.ParseFromString(one));
  ExportMetricsServiceRequest many;
  for (int i = 0; i < copies; ++i) *many.add_resource_metrics() = single.resource_metrics(0);
  return many.SerializeAsString();
}

TEST(ParseArenasTest, AMessageParsedInALeaseIsWholeAndTheArenas) {
  const std::string bytes = export_bytes(3);
  ParseArenas arenas(2, 1 << 20);
  ParseArenas::Lease lease = arenas.lease();
  auto* message = google::protobuf::Arena::CreateMessage<ExportMetricsServiceRequest>(&lease.arena());
  ASSERT_TRUE(message->ParseFromString(bytes));
  EXPECT_EQ(message->GetArena(), &lease.arena());
  EXPECT_EQ(message->resource_metrics_size(), 3);
  EXPECT_EQ(message->SerializeAsString(), bytes);
}

TEST(ParseArenasTest, ABlockComesBackGrownToWhatItsRequestNeeded) {
  const std::string bytes = export_bytes(200);  // 800 KB of protobuf: megabytes parsed
  ParseArenas arenas(2, 64 << 20);
  EXPECT_EQ(arenas.kept(), 0U);
  std::size_t needed = 0;
  {
    ParseArenas::Lease lease = arenas.lease();
    auto* message = google::protobuf::Arena::CreateMessage<ExportMetricsServiceRequest>(&lease.arena());
    ASSERT_TRUE(message->ParseFromString(bytes));
    needed = static_cast<std::size_t>(lease.arena().SpaceAllocated());
  }
  ASSERT_EQ(arenas.kept(), 1U);
  EXPECT_GE(arenas.kept_bytes(), needed);
  // The next request like it fits in the block: the arena takes no memory of its own.
  ParseArenas::Lease lease = arenas.lease();
  EXPECT_EQ(arenas.kept(), 0U);
  auto* message = google::protobuf::Arena::CreateMessage<ExportMetricsServiceRequest>(&lease.arena());
  ASSERT_TRUE(message->ParseFromString(bytes));
  EXPECT_LE(static_cast<std::size_t>(lease.arena().SpaceAllocated()), needed + needed / 4);
  EXPECT_EQ(message->resource_metrics_size(), 200);
}

TEST(ParseArenasTest, BlocksAreBoundedInSizeAndNumber) {
  const std::string bytes = export_bytes(200);
  ParseArenas arenas(2, 256 << 10);
  const auto parse = [&](ParseArenas::Lease& lease) {
    auto* message = google::protobuf::Arena::CreateMessage<ExportMetricsServiceRequest>(&lease.arena());
    ASSERT_TRUE(message->ParseFromString(bytes));  // more than a block holds: the arena takes its own memory
    EXPECT_EQ(message->resource_metrics_size(), 200);
  };
  {
    ParseArenas::Lease first = arenas.lease();
    ParseArenas::Lease second = arenas.lease();
    ParseArenas::Lease third = arenas.lease();
    parse(first);
    parse(second);
    parse(third);
  }
  EXPECT_EQ(arenas.kept(), 2U);
  EXPECT_LE(arenas.kept_bytes(), 2U * (256 << 10));
  EXPECT_GT(arenas.kept_bytes(), 2U * (64 << 10));  // grown to the bound
}

}  // namespace
}  // namespace agentmetrics::intake
