// Fuzzes the string table's decoder as the collector runs it over a producer's committed
// bytes: entry after entry until one fails, each declaration checked.
// Oracles: no crash or sanitizer report; every decoded declaration encodes back to bytes that
// decode to the same declaration (the decoder and encoder agree on the format).
#include <cstring>
#include <span>
#include <variant>

#include "tests/fuzz/fuzz_support.h"
#include "ipc/string_table.h"

using namespace agentmetrics;

namespace {

bool same_doubles(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

void round_trip(const ipc::FamilyDecl& f) {
  const auto bytes = ipc::encode_entry(f);
  auto again = ipc::decode_entry(bytes);
  auto* entry = std::get_if<ipc::DecodedEntry>(&again);
  if (!entry || entry->size != bytes.size()) fuzz::fail("a decoded family does not decode again");
  const auto& g = std::get<ipc::FamilyDecl>(entry->decl);
  if (g.family_id != f.family_id || g.type != f.type || g.name != f.name || g.help != f.help || g.label_names != f.label_names ||
      !same_doubles(g.buckets, f.buckets)) {
    fuzz::fail("family changed in a round trip", f.name);
  }
}

void round_trip(const ipc::SeriesDecl& s) {
  const auto bytes = ipc::encode_entry(s);
  auto again = ipc::decode_entry(bytes);
  auto* entry = std::get_if<ipc::DecodedEntry>(&again);
  if (!entry || entry->size != bytes.size()) fuzz::fail("a decoded series does not decode again");
  const auto& t = std::get<ipc::SeriesDecl>(entry->decl);
  if (t.series_id != s.series_id || t.family_id != s.family_id || t.label_values != s.label_values)
    fuzz::fail("series changed in a round trip");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  std::vector<ipc::FamilyDecl> families;
  for (std::size_t at = 0; at < bytes.size();) {
    auto decoded = ipc::decode_entry(bytes.subspan(at));
    auto* entry = std::get_if<ipc::DecodedEntry>(&decoded);
    if (!entry) break;
    if (entry->size < 8 || entry->size > bytes.size() - at) fuzz::fail("entry size outside the input");
    at += entry->size;
    if (auto* f = std::get_if<ipc::FamilyDecl>(&entry->decl)) {
      round_trip(*f);
      if (ipc::check_family(*f).empty()) families.push_back(*f);
    } else {
      const auto& s = std::get<ipc::SeriesDecl>(entry->decl);
      round_trip(s);
      for (const auto& family : families) {
        if (family.family_id == s.family_id) (void)ipc::check_series(s, family);
      }
    }
  }
  return 0;
}
