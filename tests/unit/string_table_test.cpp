#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "ipc/string_table.h"

using namespace agentmetrics::ipc;

namespace {

FamilyDecl histogram_family() {
  FamilyDecl f;
  f.family_id = 3;
  f.type = MetricType::kHistogram;
  f.name = "opencode_task_duration_seconds";
  f.help = "Task completion duration in seconds";
  f.label_names = {"agent_type", "task_type", "stage", "success"};
  f.buckets = {60, 300, 900, 1800, 3600};
  return f;
}

template <typename T>
T decode_as(const std::vector<std::byte>& bytes) {
  auto decoded = decode_entry(bytes);
  EXPECT_TRUE(std::holds_alternative<DecodedEntry>(decoded));
  auto& entry = std::get<DecodedEntry>(decoded);
  EXPECT_EQ(entry.size, bytes.size());
  return std::get<T>(entry.decl);
}

std::string decode_error(std::span<const std::byte> bytes) {
  auto decoded = decode_entry(bytes);
  if (auto* e = std::get_if<DecodeError>(&decoded)) return e->reason;
  return {};
}

}  // namespace

TEST(StringTable, FamilyRoundTrip) {
  const FamilyDecl f = histogram_family();
  const auto bytes = encode_entry(f);
  EXPECT_EQ(bytes.size() % 8, 0u);
  const auto back = decode_as<FamilyDecl>(bytes);
  EXPECT_EQ(back.family_id, 3u);
  EXPECT_EQ(back.type, MetricType::kHistogram);
  EXPECT_EQ(back.name, f.name);
  EXPECT_EQ(back.help, f.help);
  EXPECT_EQ(back.label_names, f.label_names);
  EXPECT_EQ(back.buckets, f.buckets);
  EXPECT_EQ(check_family(back), "");
}

TEST(StringTable, SeriesRoundTrip) {
  SeriesDecl s{7, 3, {"build", "feature", "", "caf\xc3\xa9 \"q\" \\n"}};
  const auto back = decode_as<SeriesDecl>(encode_entry(s));
  EXPECT_EQ(back.series_id, 7u);
  EXPECT_EQ(back.family_id, 3u);
  EXPECT_EQ(back.label_values, s.label_values);
  EXPECT_EQ(check_series(back, histogram_family()), "");
}

TEST(StringTable, ChecksRefuseBadDeclarations) {
  FamilyDecl f = histogram_family();
  f.buckets = {1, 1};
  EXPECT_NE(check_family(f), "");
  f.buckets = {1, INFINITY};
  EXPECT_NE(check_family(f), "");
  f = histogram_family();
  f.label_names = {"a", "a"};
  EXPECT_NE(check_family(f), "");
  f = histogram_family();
  f.name = "bad-name";
  EXPECT_NE(check_family(f), "");
  f = histogram_family();
  f.type = MetricType::kCounter;
  EXPECT_NE(check_family(f), "") << "buckets on a counter";
  SeriesDecl s{0, 3, {"too", "few"}};
  EXPECT_NE(check_series(s, histogram_family()), "");
  s.label_values = {"a", "b", "c", "\xff"};
  EXPECT_NE(check_series(s, histogram_family()), "");
}

TEST(StringTable, EveryTruncationIsAnError) {
  const auto bytes = encode_entry(histogram_family());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_NE(decode_error(std::span(bytes).first(n)), "") << "prefix of " << n << " bytes";
  }
}

TEST(StringTable, BogusSizesAndKinds) {
  auto bytes = encode_entry(histogram_family());
  auto with_size = [&](std::uint32_t size) {
    auto copy = bytes;
    std::memcpy(copy.data(), &size, 4);
    return decode_error(copy);
  };
  EXPECT_NE(with_size(0), "");
  EXPECT_NE(with_size(7), "");
  EXPECT_NE(with_size(static_cast<std::uint32_t>(bytes.size()) + 8), "");
  EXPECT_NE(with_size(0xFFFFFFF8u), "");
  auto copy = bytes;
  copy[4] = std::byte{9};  // kind
  EXPECT_NE(decode_error(copy), "");
  copy = bytes;
  copy[6] = std::byte{1};  // reserved
  EXPECT_NE(decode_error(copy), "");
}

TEST(StringTable, LengthsPointingPastTheEntryAreErrors) {
  auto bytes = encode_entry(histogram_family());
  // name_len sits at body offset 8 (after id, type, zero, label_count, bucket_count).
  const std::uint16_t huge = 0xFFFF;
  std::memcpy(bytes.data() + 8 + 8, &huge, 2);
  EXPECT_NE(decode_error(bytes), "");
  SeriesDecl s{1, 0, {"abc"}};
  auto series = encode_entry(s);
  const std::uint16_t long_value = 200;
  std::memcpy(series.data() + 8 + 10, &long_value, 2);  // first value's length
  EXPECT_NE(decode_error(series), "");
}

TEST(StringTable, RandomBytesNeverCrash) {
  std::mt19937 rng(1234);
  const auto valid = encode_entry(histogram_family());
  for (int round = 0; round < 20000; ++round) {
    auto bytes = valid;
    const int flips = 1 + static_cast<int>(rng() % 6);
    for (int i = 0; i < flips; ++i) bytes[rng() % bytes.size()] = static_cast<std::byte>(rng());
    auto decoded = decode_entry(bytes);
    if (auto* entry = std::get_if<DecodedEntry>(&decoded)) {
      EXPECT_LE(entry->size, bytes.size());
      if (auto* f = std::get_if<FamilyDecl>(&entry->decl)) (void)check_family(*f);
    }
  }
}
