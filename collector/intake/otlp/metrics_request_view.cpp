#include "collector/intake/otlp/metrics_request_view.h"

#include <google/protobuf/stubs/common.h>
#include <google/protobuf/wire_format_lite.h>

#include <bit>
#include <cstring>

namespace agentmetrics::intake {

namespace {

using google::protobuf::internal::WireFormatLite;
using WireType = WireFormatLite::WireType;

// proto3 `string` fields: the generated parser refuses a request whose text is not UTF-8.
// Most of the agents' text is ASCII: its high bits are gathered a word at a time (the last word
// overlapping the one before, a short text in two overlapping halves), and only a text with one
// set is checked byte by byte.
bool utf8(std::string_view text) {
  const char* p = text.data();
  const std::size_t n = text.size();
  const auto word = [p](std::size_t at) {
    std::uint64_t w = 0;
    std::memcpy(&w, p + at, 8);
    return w;
  };
  std::uint64_t high = 0;
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 <= n; i += 8) high |= word(i);
    high |= word(n - 8);
  } else if (n >= 4) {
    std::uint32_t first = 0, last = 0;
    std::memcpy(&first, p, 4);
    std::memcpy(&last, p + n - 4, 4);
    high = first | last;
  } else {
    for (std::size_t i = 0; i < n; ++i) high |= static_cast<unsigned char>(p[i]);
  }
  return (high & 0x8080808080808080ULL) == 0 || google::protobuf::internal::IsStructurallyValidUTF8(p, static_cast<int>(n));
}

}  // namespace

// The wire format, one message at a time, on raw pointers into the request: each read* reads
// one field's value whose tag was just read, false when the bytes do not read as the generated
// parser would take them. protobuf's CodedInputStream did the same at 1.6 times the cost (its
// position arithmetic on every varint, some 30 a point; docs/benchmarks.md).
// A read never goes past the current message's end: a field that would is refused on the spot,
// where the generated parser, which reads a message within its length, refuses the request too.
class MetricsRequestView::Reader {
 public:
  Reader(MetricsRequestView& view, std::string_view bytes)
      : view_(view), at_(reinterpret_cast<const std::uint8_t*>(bytes.data())), end_(at_ + bytes.size()) {}

  bool request() {
    return fields([&](std::uint32_t field, WireType type) {
      if (field == 1 && type == WireType::WIRETYPE_LENGTH_DELIMITED) {
        return nested([&] { return resource_metrics(); });
      }
      return skip(type);
    });
  }

 private:
  // Reads the fields up to the end of the current message, handing each tag's field number and
  // wire type to `field`.
  template <typename Field>
  bool fields(Field&& field) {
    while (at_ != end_) {
      // The generated parser refuses a tag past 5 bytes or 32 bits.
      std::uint64_t tag = 0;
      if (!varint(tag, 5) || tag > UINT32_MAX) return false;
      const auto type = WireFormatLite::GetTagWireType(static_cast<std::uint32_t>(tag));
      const int number = WireFormatLite::GetTagFieldNumber(static_cast<std::uint32_t>(tag));
      // Groups, and end-group tags out of place: the generated parser has its own rules for them.
      if (type == WireType::WIRETYPE_START_GROUP || type == WireType::WIRETYPE_END_GROUP || number == 0) return false;
      if (!field(static_cast<std::uint32_t>(number), type)) return false;
    }
    return true;
  }

  // A varint of at most `max_bytes` (10: any 64-bit value, the bits past 64 dropped, as
  // CodedInputStream::ReadVarint64 reads one). Most are a byte: the tags, the agents' lengths
  // below 128, the enums.
  bool varint(std::uint64_t& out, int max_bytes = 10) {
    if (at_ != end_ && *at_ < 0x80) {
      out = *at_++;
      return true;
    }
    std::uint64_t v = 0;
    for (int i = 0; i < max_bytes && at_ != end_; ++i) {
      const std::uint8_t b = *at_++;
      v |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
      if (b < 0x80) {
        out = v;
        return true;
      }
    }
    return false;
  }
  // A length as the generated parser reads one: at most 5 bytes, below 2 GiB, within the message.
  bool length(std::uint32_t& out) {
    std::uint64_t v = 0;
    if (!varint(v, 5) || v > INT32_MAX || v > static_cast<std::uint64_t>(end_ - at_)) return false;
    out = static_cast<std::uint32_t>(v);
    return true;
  }

  // A length-delimited message, read by `body` within its length.
  template <typename Body>
  bool nested(Body&& body) {
    std::uint32_t size = 0;
    if (!length(size)) return false;
    const std::uint8_t* enclosing_end = end_;
    end_ = at_ + size;
    if (!body()) return false;
    end_ = enclosing_end;
    return true;
  }

  bool bytes(std::string_view& out) {
    std::uint32_t size = 0;
    if (!length(size)) return false;
    out = std::string_view(reinterpret_cast<const char*>(at_), size);
    at_ += size;
    return true;
  }
  bool text(WireType type, std::string_view& out) {
    return type == WireType::WIRETYPE_LENGTH_DELIMITED ? bytes(out) && utf8(out) : skip(type);
  }
  bool little_endian(std::uint64_t& out, std::size_t size) {
    if (static_cast<std::size_t>(end_ - at_) < size) return false;
    static_assert(std::endian::native == std::endian::little, "the wire's fixed-width values are copied as they are");
    out = 0;
    std::memcpy(&out, at_, size);
    at_ += size;
    return true;
  }
  // A field this does not read: skipped as the generated parser skips an unknown field, or one
  // whose wire type is not its declared one.
  bool skip(WireType type) {
    switch (type) {
      case WireType::WIRETYPE_VARINT: {
        std::uint64_t v = 0;
        return varint(v);
      }
      case WireType::WIRETYPE_FIXED64: {
        std::uint64_t v = 0;
        return little_endian(v, 8);
      }
      case WireType::WIRETYPE_FIXED32: {
        std::uint64_t v = 0;
        return little_endian(v, 4);
      }
      case WireType::WIRETYPE_LENGTH_DELIMITED: {
        std::string_view ignored;
        return bytes(ignored);
      }
      default: return false;
    }
  }
  // A known string field the mapping does not read: its text must still be UTF-8.
  bool unread_text(WireType type) {
    std::string_view ignored;
    return text(type, ignored);
  }
  template <typename T>
  bool fixed64(WireType type, T& out) {
    if (type != WireType::WIRETYPE_FIXED64) return skip(type);
    std::uint64_t v = 0;
    if (!little_endian(v, 8)) return false;
    out = std::bit_cast<T>(v);
    return true;
  }
  bool varint(WireType type, std::uint64_t& out, bool& seen) {
    if (type != WireType::WIRETYPE_VARINT) return skip(type);
    seen = true;
    return varint(out);
  }
  // A repeated fixed64 or double the mapping does not read (a histogram's buckets and bounds):
  // packed, its length a whole number of values, or one value.
  bool unread_repeated_fixed64(WireType type) {
    if (type != WireType::WIRETYPE_LENGTH_DELIMITED) return skip(type);
    std::string_view packed;
    return bytes(packed) && packed.size() % 8 == 0;
  }
  // A message field given a second time would be merged into the first: left to the generated classes.
  static bool once(bool& seen) {
    if (seen) return false;
    seen = true;
    return true;
  }

  bool resource_metrics() {
    ResourceMetricsView rm;
    rm.scopes_.first_ = view_.scopes_.size();
    bool resource_seen = false;
    const bool ok = fields([&](std::uint32_t field, WireType type) {
      if (field == 1 && type == WireType::WIRETYPE_LENGTH_DELIMITED)
        return once(resource_seen) && nested([&] { return resource(rm.resource_); });
      if (field == 2 && type == WireType::WIRETYPE_LENGTH_DELIMITED) return nested([&] { return scope_metrics(); });
      if (field == 3) return unread_text(type);  // schema_url
      return skip(type);
    });
    rm.scopes_.count_ = view_.scopes_.size() - rm.scopes_.first_;
    view_.resource_pool_.push_back(rm);
    return ok;
  }

  bool resource(ResourceView& r) {
    r.attributes_.first_ = view_.attributes_.size();
    const bool ok = fields([&](std::uint32_t field, WireType type) {
      if (field == 1 && type == WireType::WIRETYPE_LENGTH_DELIMITED) return nested([&] { return key_value(); });
      if (field == 3 && type == WireType::WIRETYPE_LENGTH_DELIMITED) return false;  // entity_refs
      return skip(type);                                                            // dropped_attributes_count
    });
    r.attributes_.count_ = view_.attributes_.size() - r.attributes_.first_;
    return ok;
  }

  bool scope_metrics() {
    ScopeMetricsView sm;
    sm.metrics_.first_ = view_.metrics_.size();
    bool scope_seen = false;
    const bool ok = fields([&](std::uint32_t field, WireType type) {
      if (field == 1 && type == WireType::WIRETYPE_LENGTH_DELIMITED) return once(scope_seen) && nested([&] { return scope(sm.scope_); });
      if (field == 2 && type == WireType::WIRETYPE_LENGTH_DELIMITED) return nested([&] { return metric(); });
      if (field == 3) return unread_text(type);  // schema_url
      return skip(type);
    });
    sm.metrics_.count_ = view_.metrics_.size() - sm.metrics_.first_;
    view_.scopes_.push_back(sm);
    return ok;
  }

  bool scope(ScopeView& s) {
    return fields([&](std::uint32_t field, WireType type) {
      if (field == 1) return text(type, s.name_);
      if (field == 2) return unread_text(type);                                     // version
      if (field == 3 && type == WireType::WIRETYPE_LENGTH_DELIMITED) return false;  // attributes
      return skip(type);                                                            // dropped_attributes_count
    });
  }

  bool metric() {
    MetricView m;
    bool data_seen = false;
    const bool ok = fields([&](std::uint32_t field, WireType type) {
      const bool message = type == WireType::WIRETYPE_LENGTH_DELIMITED;
      if (field == 1) return text(type, m.name_);
      if (field == 2 || field == 3) return unread_text(type);  // description, unit
      if (field == 7 && message) {
        m.data_ = MetricView::Data::kSum;
        return once(data_seen) && nested([&] { return points(m.sum_, view_.numbers_, [&] { return number_point(); }); });
      }
      if (field == 9 && message) {
        m.data_ = MetricView::Data::kHistogram;
        return once(data_seen) && nested([&] { return points(m.histogram_, view_.histograms_, [&] { return histogram_point(); }); });
      }
      // Gauges, exponential histograms, summaries, metadata.
      if ((field == 5 || field == 10 || field == 11 || field == 12) && message) return false;
      return skip(type);
    });
    view_.metrics_.push_back(m);
    return ok;
  }

  // A Sum or a Histogram: its points, temporality and (a sum's) monotonicity.
  template <typename Point, typename ReadPoint>
  bool points(PointsView<Point>& p, const std::vector<Point>& pool, ReadPoint&& read_point) {
    p.points_.first_ = pool.size();
    const bool ok = fields([&](std::uint32_t field, WireType type) {
      if (field == 1 && type == WireType::WIRETYPE_LENGTH_DELIMITED) return nested(read_point);
      std::uint64_t v = 0;
      bool seen = false;
      if (field == 2) {
        if (!varint(type, v, seen)) return false;
        // The generated parser keeps an enum's value as the int32 it was sent as.
        if (seen) p.temporality_ = static_cast<opentelemetry::proto::metrics::v1::AggregationTemporality>(static_cast<std::int32_t>(v));
        return true;
      }
      if (field == 3 && std::is_same_v<Point, NumberPointView>) {
        if (!varint(type, v, seen)) return false;
        if (seen) p.monotonic_ = v != 0;
        return true;
      }
      return skip(type);
    });
    p.points_.count_ = pool.size() - p.points_.first_;
    return ok;
  }

  bool number_point() {
    NumberPointView p;
    p.attributes_.first_ = view_.attributes_.size();
    const bool ok = fields([&](std::uint32_t field, WireType type) {
      switch (field) {
        case 7: return type == WireType::WIRETYPE_LENGTH_DELIMITED ? nested([&] { return key_value(); }) : skip(type);
        case 2: return fixed64(type, p.start_ns_);
        case 3: return fixed64(type, p.time_ns_);
        case 4:
          if (type == WireType::WIRETYPE_FIXED64) p.case_ = NumberPointView::ValueCase::kAsDouble;
          return fixed64(type, p.double_);
        case 6:
          if (type == WireType::WIRETYPE_FIXED64) p.case_ = NumberPointView::ValueCase::kAsInt;
          return fixed64(type, p.int_);
        case 5: return type == WireType::WIRETYPE_LENGTH_DELIMITED ? false : skip(type);  // exemplars
        default: return skip(type);                                                       // flags
      }
    });
    p.attributes_.count_ = view_.attributes_.size() - p.attributes_.first_;
    view_.numbers_.push_back(p);
    return ok;
  }

  bool histogram_point() {
    HistogramPointView p;
    p.attributes_.first_ = view_.attributes_.size();
    const bool ok = fields([&](std::uint32_t field, WireType type) {
      switch (field) {
        case 9: return type == WireType::WIRETYPE_LENGTH_DELIMITED ? nested([&] { return key_value(); }) : skip(type);
        case 2: return fixed64(type, p.start_ns_);
        case 3: return fixed64(type, p.time_ns_);
        case 5:
          if (type == WireType::WIRETYPE_FIXED64) p.has_sum_ = true;
          return fixed64(type, p.sum_);
        case 6:
        case 7: return unread_repeated_fixed64(type);                                     // bucket_counts, explicit_bounds
        case 8: return type == WireType::WIRETYPE_LENGTH_DELIMITED ? false : skip(type);  // exemplars
        default: return skip(type);                                                       // count, flags, min, max
      }
    });
    p.attributes_.count_ = view_.attributes_.size() - p.attributes_.first_;
    view_.histograms_.push_back(p);
    return ok;
  }

  bool key_value() {
    KeyValueView kv;
    if (short_string_key_value(kv)) {
      view_.attributes_.push_back(kv);
      return true;
    }
    bool value_seen = false;
    const bool ok = fields([&](std::uint32_t field, WireType type) {
      if (field == 1) return text(type, kv.key_);
      if (field == 2 && type == WireType::WIRETYPE_LENGTH_DELIMITED)
        return once(value_seen) && nested([&] { return any_value(kv.value_); });
      return skip(type);
    });
    view_.attributes_.push_back(kv);
    return ok;
  }

  // Nearly every attribute an agent sends is a key and a string value, each shorter than 128
  // bytes, and nothing else: on the wire 0x0A, the key's length and bytes, 0x12, the value's
  // length, 0x0A, the string's length and bytes, ending at the message's end. That shape is read
  // here in one step; any other (or text that is not UTF-8) is left to the field-by-field reading,
  // which takes the same bytes the same way (the otlp_metrics fuzz target compares the two
  // readers with the generated parser).
  bool short_string_key_value(KeyValueView& kv) {
    const std::uint8_t* p = at_;
    const auto size = static_cast<std::size_t>(end_ - p);
    if (size < 6 || p[0] != 0x0A || p[1] >= 0x80 || size < 6u + p[1]) return false;
    const std::size_t key_size = p[1];
    const std::uint8_t* value = p + 2 + key_size;
    if (value[0] != 0x12 || value[1] >= 0x80 || value[2] != 0x0A || value[3] >= 0x80) return false;
    const std::size_t text_size = value[3];
    if (value[1] != text_size + 2 || size != 6 + key_size + text_size) return false;
    const std::string_view key(reinterpret_cast<const char*>(p + 2), key_size);
    const std::string_view text(reinterpret_cast<const char*>(value + 4), text_size);
    if (!utf8(key) || !utf8(text)) return false;
    kv.key_ = key;
    kv.value_.case_ = AnyValueView::ValueCase::kStringValue;
    kv.value_.text_ = text;
    at_ = end_;
    return true;
  }

  bool any_value(AnyValueView& v) {
    using Case = AnyValueView::ValueCase;
    bool seen = false;  // two values of the oneof: left to the generated classes
    return fields([&](std::uint32_t field, WireType type) {
      std::uint64_t n = 0;
      bool read = false;
      switch (field) {
        case 1:
          if (type == WireType::WIRETYPE_LENGTH_DELIMITED && !once(seen)) return false;
          if (type == WireType::WIRETYPE_LENGTH_DELIMITED) v.case_ = Case::kStringValue;
          return text(type, v.text_);
        case 2:
          if (!varint(type, n, read)) return false;
          if (read && !once(seen)) return false;
          if (read) v.case_ = Case::kBoolValue, v.bool_ = n != 0;
          return true;
        case 3:
          if (!varint(type, n, read)) return false;
          if (read && !once(seen)) return false;
          if (read) v.case_ = Case::kIntValue, v.int_ = static_cast<std::int64_t>(n);
          return true;
        case 4:
          if (type == WireType::WIRETYPE_FIXED64 && !once(seen)) return false;
          if (type == WireType::WIRETYPE_FIXED64) v.case_ = Case::kDoubleValue;
          return fixed64(type, v.double_);
        case 5:
        case 6: return type == WireType::WIRETYPE_LENGTH_DELIMITED ? false : skip(type);  // arrays, key-value lists
        case 7:
          if (type != WireType::WIRETYPE_LENGTH_DELIMITED) return skip(type);
          if (!once(seen)) return false;
          v.case_ = Case::kBytesValue;
          return bytes(v.text_);
        default: return skip(type);
      }
    });
  }

  MetricsRequestView& view_;
  const std::uint8_t* at_;   // the next byte to read
  const std::uint8_t* end_;  // of the current message
};

bool MetricsRequestView::decode(std::string_view bytes) {
  attributes_.clear();
  numbers_.clear();
  histograms_.clear();
  metrics_.clear();
  scopes_.clear();
  resource_pool_.clear();
  resources_ = {};
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX)) return false;
  if (!Reader(*this, bytes).request()) return false;
  resources_.count_ = resource_pool_.size();
  link();
  return true;
}

void MetricsRequestView::link() {
  const auto set = [](auto& children, const auto& pool) { children.span_ = {pool.data() + children.first_, children.count_}; };
  for (auto& p : numbers_) set(p.attributes_, attributes_);
  for (auto& p : histograms_) set(p.attributes_, attributes_);
  for (auto& m : metrics_) {
    set(m.sum_.points_, numbers_);
    set(m.histogram_.points_, histograms_);
  }
  for (auto& s : scopes_) set(s.metrics_, metrics_);
  for (auto& r : resource_pool_) {
    set(r.resource_.attributes_, attributes_);
    set(r.scopes_, scopes_);
  }
  set(resources_, resource_pool_);
}

}  // namespace agentmetrics::intake
