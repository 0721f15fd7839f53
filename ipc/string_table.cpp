#include "ipc/string_table.h"

#include <cmath>
#include <cstring>
#include <optional>

#include "ipc/names.h"
#include "ipc/segment_layout.h"

namespace agentmetrics::ipc {
namespace {

enum class EntryKind : std::uint16_t { kFamily = 1, kSeries = 2 };

class ByteWriter {
 public:
  template <typename T>
  void put(T v) {
    append(&v, sizeof(T));
  }
  void put_string(std::string_view s) { append(s.data(), s.size()); }
  void put_short_string(std::string_view s) {
    put(static_cast<std::uint16_t>(s.size()));
    put_string(s);
  }
  void pad_to_8() { out_.resize(align_up(out_.size(), 8), std::byte{0}); }
  // Fills in the entry header's size once the body is written.
  std::vector<std::byte> finish() {
    pad_to_8();
    const auto size = static_cast<std::uint32_t>(out_.size());
    std::memcpy(out_.data(), &size, sizeof(size));
    return std::move(out_);
  }

 private:
  void append(const void* data, std::size_t n) {
    const std::size_t at = out_.size();
    out_.resize(at + n);
    if (n) std::memcpy(out_.data() + at, data, n);
  }
  std::vector<std::byte> out_;
};

// Reads from an untrusted span: every read is bounds-checked and a failed read sticks, so
// that checking the last of a run of reads is enough to know all of them succeeded.
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> bytes) : bytes_(bytes) {}
  template <typename T>
  std::optional<T> get() {
    if (failed_ || pos_ + sizeof(T) > bytes_.size()) return fail<T>();
    T v;
    std::memcpy(&v, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::optional<std::string> get_string(std::size_t len) {
    if (failed_ || len > bytes_.size() - pos_) return fail<std::string>();
    std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), len);
    pos_ += len;
    return s;
  }
  std::optional<std::string> get_short_string(std::size_t max_len) {
    auto len = get<std::uint16_t>();
    if (!len || *len > max_len) return fail<std::string>();
    return get_string(*len);
  }
  bool skip_to_8() {
    const auto aligned = align_up(pos_, 8);
    if (failed_ || aligned > bytes_.size()) return fail<bool>().has_value();
    pos_ = aligned;
    return true;
  }

 private:
  template <typename T>
  std::optional<T> fail() {
    failed_ = true;
    return std::nullopt;
  }

  std::span<const std::byte> bytes_;
  std::size_t pos_ = 0;
  bool failed_ = false;
};

ByteWriter start_entry(EntryKind kind) {
  ByteWriter w;
  w.put<std::uint32_t>(0);  // size, filled by finish()
  w.put(static_cast<std::uint16_t>(kind));
  w.put<std::uint16_t>(0);
  return w;
}

std::variant<DecodedEntry, DecodeError> decode_family(ByteReader& r, std::uint32_t size) {
  FamilyDecl f;
  auto id = r.get<std::uint32_t>();
  auto type = r.get<std::uint8_t>();
  auto zero = r.get<std::uint8_t>();
  auto label_count = r.get<std::uint16_t>();
  auto bucket_count = r.get<std::uint16_t>();
  auto name_len = r.get<std::uint16_t>();
  auto help_len = r.get<std::uint16_t>();
  auto zero2 = r.get<std::uint16_t>();
  if (!zero2) return DecodeError{"family entry truncated"};
  if (*zero != 0 || *zero2 != 0) return DecodeError{"family entry has non-zero reserved bytes"};
  if (*type < 1 || *type > 3) return DecodeError{"unknown metric type"};
  if (*label_count > kMaxLabels) return DecodeError{"too many label names"};
  if (*bucket_count > kMaxBuckets) return DecodeError{"too many buckets"};
  if (*name_len > kMaxNameBytes || *help_len > kMaxHelpBytes) return DecodeError{"name or help too long"};
  f.family_id = *id;
  f.type = static_cast<MetricType>(*type);
  auto name = r.get_string(*name_len);
  auto help = r.get_string(*help_len);
  if (!name || !help) return DecodeError{"family name or help runs past the entry"};
  f.name = std::move(*name);
  f.help = std::move(*help);
  for (std::uint16_t i = 0; i < *label_count; ++i) {
    auto label = r.get_short_string(kMaxNameBytes);
    if (!label) return DecodeError{"label name runs past the entry or is too long"};
    f.label_names.push_back(std::move(*label));
  }
  if (!r.skip_to_8()) return DecodeError{"family entry truncated before buckets"};
  for (std::uint16_t i = 0; i < *bucket_count; ++i) {
    auto b = r.get<double>();
    if (!b) return DecodeError{"buckets run past the entry"};
    f.buckets.push_back(*b);
  }
  return DecodedEntry{std::move(f), size};
}

std::variant<DecodedEntry, DecodeError> decode_series(ByteReader& r, std::uint32_t size) {
  SeriesDecl s;
  auto id = r.get<std::uint32_t>();
  auto family = r.get<std::uint32_t>();
  auto count = r.get<std::uint16_t>();
  if (!count) return DecodeError{"series entry truncated"};
  if (*count > kMaxLabels) return DecodeError{"too many label values"};
  s.series_id = *id;
  s.family_id = *family;
  for (std::uint16_t i = 0; i < *count; ++i) {
    auto value = r.get_short_string(kMaxLabelValueBytes);
    if (!value) return DecodeError{"label value runs past the entry or is too long"};
    s.label_values.push_back(std::move(*value));
  }
  return DecodedEntry{std::move(s), size};
}

}  // namespace

std::string check_family(const FamilyDecl& f) {
  if (!is_valid_metric_name(f.name)) return "invalid metric name '" + f.name + "'";
  if (f.help.size() > kMaxHelpBytes || !is_valid_utf8_text(f.help)) return "help of '" + f.name + "' is not valid UTF-8 or too long";
  if (f.type != MetricType::kCounter && f.type != MetricType::kGauge && f.type != MetricType::kHistogram) return "unknown metric type";
  if (f.label_names.size() > kMaxLabels) return "too many labels for '" + f.name + "'";
  for (std::size_t i = 0; i < f.label_names.size(); ++i) {
    if (!is_valid_label_name(f.label_names[i])) return "invalid label name '" + f.label_names[i] + "' in '" + f.name + "'";
    for (std::size_t j = 0; j < i; ++j) {
      if (f.label_names[i] == f.label_names[j]) return "duplicate label name '" + f.label_names[i] + "' in '" + f.name + "'";
    }
  }
  if (f.type != MetricType::kHistogram && !f.buckets.empty()) return "buckets given for a metric that is not a histogram";
  if (f.type == MetricType::kHistogram) {
    if (f.buckets.size() > kMaxBuckets) return "too many buckets for '" + f.name + "'";
    for (std::size_t i = 0; i < f.buckets.size(); ++i) {
      if (!std::isfinite(f.buckets[i])) return "bucket bounds must be finite (+Inf is implied)";
      if (i > 0 && !(f.buckets[i] > f.buckets[i - 1])) return "bucket bounds must increase strictly";
    }
  }
  return {};
}

std::string check_series(const SeriesDecl& s, const FamilyDecl& f) {
  if (s.label_values.size() != f.label_names.size()) {
    return "series of '" + f.name + "' has " + std::to_string(s.label_values.size()) + " label values for " +
           std::to_string(f.label_names.size()) + " label names";
  }
  for (const auto& v : s.label_values) {
    if (v.size() > kMaxLabelValueBytes || !is_valid_utf8_text(v)) return "label value of '" + f.name + "' is not valid UTF-8 or too long";
  }
  return {};
}

std::vector<std::byte> encode_entry(const FamilyDecl& f) {
  auto w = start_entry(EntryKind::kFamily);
  w.put(f.family_id);
  w.put(static_cast<std::uint8_t>(f.type));
  w.put<std::uint8_t>(0);
  w.put(static_cast<std::uint16_t>(f.label_names.size()));
  w.put(static_cast<std::uint16_t>(f.buckets.size()));
  w.put(static_cast<std::uint16_t>(f.name.size()));
  w.put(static_cast<std::uint16_t>(f.help.size()));
  w.put<std::uint16_t>(0);
  w.put_string(f.name);
  w.put_string(f.help);
  for (const auto& l : f.label_names) w.put_short_string(l);
  w.pad_to_8();
  for (double b : f.buckets) w.put(b);
  return w.finish();
}

std::vector<std::byte> encode_entry(const SeriesDecl& s) {
  auto w = start_entry(EntryKind::kSeries);
  w.put(s.series_id);
  w.put(s.family_id);
  w.put(static_cast<std::uint16_t>(s.label_values.size()));
  for (const auto& v : s.label_values) w.put_short_string(v);
  return w.finish();
}

std::variant<DecodedEntry, DecodeError> decode_entry(std::span<const std::byte> bytes) {
  ByteReader header(bytes);
  auto size = header.get<std::uint32_t>();
  auto kind = header.get<std::uint16_t>();
  auto zero = header.get<std::uint16_t>();
  if (!zero) return DecodeError{"entry header truncated"};
  if (*size < 8 || *size % 8 != 0 || *size > kMaxEntryBytes) return DecodeError{"entry size " + std::to_string(*size) + " is invalid"};
  if (*size > bytes.size()) return DecodeError{"entry runs past the committed string table"};
  if (*zero != 0) return DecodeError{"entry header has non-zero reserved bytes"};
  ByteReader body(bytes.subspan(8, *size - 8));
  switch (static_cast<EntryKind>(*kind)) {
    case EntryKind::kFamily: return decode_family(body, *size);
    case EntryKind::kSeries: return decode_series(body, *size);
  }
  return DecodeError{"unknown entry kind " + std::to_string(*kind)};
}

}  // namespace agentmetrics::ipc
