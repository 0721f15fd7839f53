// The gzip stream that compresses /metrics (ISA-L's igzip), read back by zlib, the library every
// scraper's gzip reader descends from or agrees with: the same bytes, one member, a header and a
// trailer (CRC-32, ISIZE) as RFC 1952 writes them, whatever the sizes and cuts of the pieces.
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "collector/expose/http_encoding.h"
#include "collector/expose/scrape.h"
#include "tests/support/aggregates.h"
#include "tests/support/raw_http.h"

using namespace agentmetrics;
using namespace agentmetrics::collector;
using agentmetrics::testing::gunzip;

namespace {

constexpr std::size_t kChunk = 256 * 1024;  // what /metrics hands the stream at a time

// Scrape-like text: lines of a histogram family, the kind of body the stream exists for.
std::string scrape_text(std::size_t bytes) {
  std::string text;
  for (std::size_t i = 0; text.size() < bytes; ++i) {
    text += "opencode_task_duration_seconds_bucket{agent_type=\"agent_" + std::to_string(i % 10) + "\",stage=\"stage_" +
            std::to_string(i / 1000) + "\",le=\"" + std::to_string(60 * (i % 6)) + "\"} " + std::to_string(i * 7 % 13) + "\n";
  }
  text.resize(bytes);
  return text;
}

// Bytes that do not compress: igzip writes them in stored blocks, larger than they came.
std::string random_bytes(std::size_t bytes) {
  std::mt19937_64 random(21);
  std::string out(bytes, '\0');
  for (char& c : out) c = static_cast<char>(random() & 0xff);
  return out;
}

// `data` through one stream, cut into `pieces`-sized writes (the last one finishing).
std::string compress(std::string_view data, std::size_t piece) {
  GzipStream stream;
  std::string zipped;
  for (std::size_t at = 0; at < data.size(); at += piece) stream.write(data.substr(at, piece), false, zipped);
  stream.write("", true, zipped);
  return zipped;
}

std::uint32_t little_endian_32(std::string_view bytes) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  return v;
}

// The header (RFC 1952, 2.3: ID1 ID2, deflate, no reserved flag bits) and the trailer: the CRC-32
// and the length mod 2^32 of `data`, computed here by zlib.
void expect_member_of(const std::string& zipped, std::string_view data) {
  ASSERT_GE(zipped.size(), 18U) << "a 10-byte header and an 8-byte trailer at least";
  EXPECT_EQ(static_cast<unsigned char>(zipped[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(zipped[1]), 0x8b);
  EXPECT_EQ(zipped[2], 8) << "CM: deflate";
  EXPECT_EQ(static_cast<unsigned char>(zipped[3]) & 0xe0, 0) << "reserved FLG bits";
  const std::uint32_t crc =
      static_cast<std::uint32_t>(crc32(crc32(0, nullptr, 0), reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
  EXPECT_EQ(little_endian_32(std::string_view(zipped).substr(zipped.size() - 8, 4)), crc) << "CRC32";
  EXPECT_EQ(little_endian_32(std::string_view(zipped).substr(zipped.size() - 4, 4)), static_cast<std::uint32_t>(data.size())) << "ISIZE";
  // zlib checks both again, and that nothing follows the member (compared whole, not printed).
  EXPECT_TRUE(gunzip(zipped) == data);
}

}  // namespace

TEST(GzipStream, BodiesOfEverySizeRoundTripThroughZlib) {
  const std::vector<std::size_t> sizes = {0, 1, 2, 100, kChunk - 1, kChunk, kChunk + 1, 3 * kChunk, 5'000'000};
  for (std::size_t size : sizes) {
    SCOPED_TRACE("size " + std::to_string(size));
    const std::string text = scrape_text(size);
    const std::string zipped = compress(text, kChunk);
    expect_member_of(zipped, text);
    if (size >= kChunk) {
      EXPECT_LT(zipped.size(), size / 10) << "scrape text compresses about twentyfold";
    }
  }
}

TEST(GzipStream, PiecesOfAnySizeMakeOneMember) {
  const std::string text = scrape_text(2'000'000);
  // One byte at a time over the first 64 KiB, then uneven pieces as families come, empty ones
  // between them (a family that wrote nothing), and everything in the finishing write.
  GzipStream stream;
  std::string zipped;
  std::size_t at = 0;
  for (; at < 64 * 1024; ++at) stream.write(std::string_view(text).substr(at, 1), false, zipped);
  for (std::size_t n = 1; at + n < text.size() / 2; at += n, n = n * 3 % 300'007 + 1) {
    stream.write(std::string_view(text).substr(at, n), false, zipped);
    stream.write("", false, zipped);
  }
  stream.write(std::string_view(text).substr(at), true, zipped);
  expect_member_of(zipped, text);
}

TEST(GzipStream, IncompressibleBytesGrowTheOutputAndStillRoundTrip) {
  for (std::size_t size : {std::size_t{1}, kChunk, 3 * kChunk + 17}) {
    SCOPED_TRACE("size " + std::to_string(size));
    const std::string bytes = random_bytes(size);
    const std::string zipped = compress(bytes, kChunk);
    EXPECT_GT(zipped.size(), bytes.size());
    expect_member_of(zipped, bytes);
  }
}

TEST(GzipStream, AFinishedStreamTakesNoMore) {
  GzipStream stream;
  std::string zipped;
  stream.write("up 1\n", true, zipped);
  const std::size_t size = zipped.size();
  EXPECT_THROW(stream.write("more\n", false, zipped), std::runtime_error);
  EXPECT_THROW(stream.write("", true, zipped), std::runtime_error);
  EXPECT_EQ(zipped.size(), size);
  EXPECT_EQ(gunzip(zipped), "up 1\n");
}

TEST(GzipStream, AGzippedScrapeIsTheTextScrapeCompressed) {
  // Many 256 KiB chunks of a real scrape, each handed to the stream as /metrics hands it.
  FamilyRegistry registry;
  agentmetrics::testing::HeldSeries held(registry);
  Shard shard;
  agentmetrics::testing::observe_stages(registry, held, shard, 8000, [](int i) { return static_cast<double>(i % 4000); });
  const std::string text = render_scrape(registry, ScrapeFormat::kText);
  ASSERT_GT(text.size(), 4 * kChunk);
  BufferPool buffers;
  std::string zipped;
  std::size_t pieces = 0;
  write_scrape(registry, nullptr, ScrapeOptions{.format = ScrapeFormat::kText, .gzip = true, .chunk_bytes = kChunk}, buffers,
               [&](std::string_view piece) {
                 zipped += piece;
                 ++pieces;
                 return true;
               });
  EXPECT_GT(pieces, 1U);
  expect_member_of(zipped, text);
}
