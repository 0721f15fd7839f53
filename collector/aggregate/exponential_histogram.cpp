#include "collector/aggregate/exponential_histogram.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <new>

namespace agentmetrics::collector {
namespace {

// bounds[s][j] = 2^(j/2^s) / 2: where a frexp fraction in [0.5, 1) changes bucket at schema s.
struct BoundTables {
  std::array<std::vector<double>, kMaxExponentialSchema + 1> bounds;
  BoundTables() {
    for (int s = 1; s <= kMaxExponentialSchema; ++s) {
      const int n = 1 << s;
      for (int j = 0; j < n; ++j) bounds[s].push_back(std::exp2(static_cast<double>(j) / n) / 2);
    }
  }
};
const BoundTables& tables() {
  static const BoundTables t;
  return t;
}

// The bucket at schema s - delta that holds bucket `index` of schema s.
std::int32_t coarser_index(std::int32_t index, int delta) { return delta <= 0 ? index : ((index - 1) >> delta) + 1; }

template <typename T>
void bump(std::atomic<T>& field, T delta) {
  field.store(field.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
}

std::uint64_t load(const std::uint64_t& v) { return v; }
std::uint64_t load(const std::atomic<std::uint64_t>& v) { return v.load(std::memory_order_relaxed); }

}  // namespace

std::int32_t exponential_bucket_index(double magnitude, int schema) {
  int exp = 0;
  const double frac = std::frexp(magnitude, &exp);
  if (schema > 0) {
    const auto& bounds = tables().bounds[static_cast<std::size_t>(schema)];
    const auto j = static_cast<std::int32_t>(std::lower_bound(bounds.begin(), bounds.end(), frac) - bounds.begin());
    return j + (exp - 1) * (1 << schema);
  }
  // A power of two is the upper bound of its bucket: buckets are upper-inclusive.
  const int key = frac == 0.5 ? exp - 1 : exp;
  const int offset = (1 << -schema) - 1;
  return (key + offset) >> -schema;
}

double exponential_bucket_upper_bound(std::int32_t index, int schema) {
  if (schema > 0) {
    const auto& bounds = tables().bounds[static_cast<std::size_t>(schema)];
    return std::ldexp(bounds[static_cast<std::size_t>(index & ((1 << schema) - 1))], (index >> schema) + 1);
  }
  return std::ldexp(1.0, index * (1 << -schema));
}

// ---- the snapshot a scrape merges into

void ExponentialBuckets::clear(int finest_schema, double threshold) {
  schema = finest_schema;
  zero_threshold = threshold;
  zero_count = 0;
  positive_first = negative_first = 0;
  positive.clear();
  negative.clear();
}

std::uint64_t& ExponentialBuckets::at(bool positive_side, std::int32_t index) {
  auto& counts = positive_side ? positive : negative;
  auto& first = positive_side ? positive_first : negative_first;
  if (counts.empty()) {
    first = index;
    counts.push_back(0);
  } else if (index < first) {
    counts.insert(counts.begin(), static_cast<std::size_t>(first - index), 0);
    first = index;
  } else if (index >= first + static_cast<std::int32_t>(counts.size())) {
    counts.resize(static_cast<std::size_t>(index - first) + 1, 0);
  }
  return counts[static_cast<std::size_t>(index - first)];
}

template <typename Count>
void ExponentialBuckets::add(int from_schema, bool positive_side, std::int32_t first, std::span<Count> counts) {
  if (from_schema < schema) lower_schema(from_schema);
  const int delta = from_schema - schema;
  for (std::size_t k = 0; k < counts.size(); ++k) {
    if (const std::uint64_t c = load(counts[k])) at(positive_side, coarser_index(first + static_cast<std::int32_t>(k), delta)) += c;
  }
}
template void ExponentialBuckets::add(int, bool, std::int32_t, std::span<const std::uint64_t>);
template void ExponentialBuckets::add(int, bool, std::int32_t, std::span<const std::atomic<std::uint64_t>>);

void ExponentialBuckets::lower_schema(int to_schema) {
  if (to_schema >= schema) return;
  const int delta = schema - to_schema;
  schema = to_schema;
  for (bool side : {true, false}) {
    auto& counts = side ? positive : negative;
    auto& first = side ? positive_first : negative_first;
    if (counts.empty()) continue;
    const std::int32_t new_first = coarser_index(first, delta);
    std::vector<std::uint64_t> merged(
        static_cast<std::size_t>(coarser_index(first + static_cast<std::int32_t>(counts.size()) - 1, delta) - new_first + 1));
    for (std::size_t k = 0; k < counts.size(); ++k) {
      merged[static_cast<std::size_t>(coarser_index(first + static_cast<std::int32_t>(k), delta) - new_first)] += counts[k];
    }
    counts = std::move(merged);
    first = new_first;
  }
}

std::uint64_t ExponentialBuckets::count() const {
  std::uint64_t n = zero_count;
  for (auto c : positive) n += c;
  for (auto c : negative) n += c;
  return n;
}

// ---- the writer's histogram

// The counts of both sides in one allocation: positive then negative. Built whole by the writer
// before it is published, never resized.
struct alignas(8) ExponentialHistogram::Layout {
  int schema;
  std::int32_t first[2];  // 0: positive, 1: negative
  std::uint32_t size[2];

  std::atomic<std::uint64_t>* counts(int side) {
    return reinterpret_cast<std::atomic<std::uint64_t>*>(this + 1) + (side == 0 ? 0 : size[0]);
  }
  const std::atomic<std::uint64_t>* counts(int side) const { return const_cast<Layout*>(this)->counts(side); }
  bool holds(int side, std::int32_t index) const {
    return size[side] > 0 && index >= first[side] && index < first[side] + static_cast<std::int32_t>(size[side]);
  }
  static Layout* make(int schema, const std::int32_t (&first)[2], const std::uint32_t (&size)[2]) {
    const std::size_t n = std::size_t{size[0]} + size[1];
    void* memory = ::operator new(sizeof(Layout) + n * sizeof(std::atomic<std::uint64_t>));
    auto* l = new (memory) Layout{schema, {first[0], first[1]}, {size[0], size[1]}};
    auto* c = reinterpret_cast<std::atomic<std::uint64_t>*>(l + 1);
    for (std::size_t i = 0; i < n; ++i) new (c + i) std::atomic<std::uint64_t>(0);
    return l;
  }
  static void destroy(void* memory) { ::operator delete(memory); }
};

ExponentialHistogram::ExponentialHistogram(const NativeHistogramSettings& settings, EpochReclaimer& reclaimer)
    : settings_(settings),
      reclaimer_(reclaimer),
      layout_(Layout::make(std::clamp(settings.schema, kMinExponentialSchema, kMaxExponentialSchema), {0, 0}, {0, 0})) {}

ExponentialHistogram::~ExponentialHistogram() { Layout::destroy(layout_.load(std::memory_order_relaxed)); }

ExponentialHistogram::Layout* ExponentialHistogram::replace(Layout* old, int schema, const std::int32_t (&first)[2],
                                                            const std::uint32_t (&size)[2]) {
  Layout* fresh = Layout::make(schema, first, size);
  const int delta = old->schema - schema;
  for (int side = 0; side < 2; ++side) {
    const auto* from = old->counts(side);
    auto* to = fresh->counts(side);
    for (std::uint32_t k = 0; k < old->size[side]; ++k) {
      if (const std::uint64_t c = from[k].load(std::memory_order_relaxed)) {
        bump(to[coarser_index(old->first[side] + static_cast<std::int32_t>(k), delta) - first[side]], c);
      }
    }
  }
  // Release: a reader that loads the new layout sees its counts.
  layout_.store(fresh, std::memory_order_release);
  reclaimer_.retire(old, &Layout::destroy);
  return fresh;
}

ExponentialHistogram::Layout* ExponentialHistogram::grow(int side, std::int32_t lo, std::int32_t hi) {
  Layout* old = layout_.load(std::memory_order_relaxed);
  std::int32_t first[2] = {old->first[0], old->first[1]};
  std::int32_t last[2] = {old->first[0] + static_cast<std::int32_t>(old->size[0]) - 1,
                          old->first[1] + static_cast<std::int32_t>(old->size[1]) - 1};
  const bool had[2] = {old->size[0] > 0, old->size[1] > 0};
  const bool downward = had[side] && lo < first[side];
  first[side] = had[side] ? std::min(first[side], lo) : lo;
  last[side] = had[side] ? std::max(last[side], hi) : hi;
  const auto limit = static_cast<std::int32_t>(std::max<std::size_t>(settings_.max_buckets, 1));
  int schema = old->schema;
  auto used = [&](int s) { return had[s] || s == side; };
  auto span = [&](int s) { return used(s) ? last[s] - first[s] + 1 : 0; };
  while (schema > kMinExponentialSchema && std::max(span(0), span(1)) > limit) {
    --schema;
    for (int s = 0; s < 2; ++s) {
      first[s] = coarser_index(first[s], 1);
      last[s] = coarser_index(last[s], 1);
    }
  }
  // Room to grow in the direction it grew, so that a distribution that widens slowly does not
  // rebuild the layout at every new bucket.
  const std::int32_t headroom = std::clamp(span(side) / 4, 0, std::max(0, limit - span(side)));
  if (downward) {
    first[side] -= headroom;
  } else {
    last[side] += headroom;
  }
  std::uint32_t size[2];
  for (int s = 0; s < 2; ++s) size[s] = static_cast<std::uint32_t>(span(s));
  if (!used(1 - side)) first[1 - side] = 0;
  return replace(old, schema, first, size);
}

ExponentialHistogram::Layout* ExponentialHistogram::coarsen(int schema) {
  Layout* old = layout_.load(std::memory_order_relaxed);
  const int delta = old->schema - schema;
  std::int32_t first[2];
  std::uint32_t size[2];
  for (int s = 0; s < 2; ++s) {
    first[s] = coarser_index(old->first[s], delta);
    const std::int32_t last = coarser_index(old->first[s] + static_cast<std::int32_t>(old->size[s]) - 1, delta);
    size[s] = old->size[s] == 0 ? 0 : static_cast<std::uint32_t>(last - first[s] + 1);
  }
  return replace(old, schema, first, size);
}

void ExponentialHistogram::observe(double value) {
  const double magnitude = std::fabs(value);
  if (magnitude <= settings_.zero_threshold) {
    bump(zero_count_, std::uint64_t{1});
    return;
  }
  const int side = value > 0 ? 0 : 1;
  Layout* l = layout_.load(std::memory_order_relaxed);
  std::int32_t index = exponential_bucket_index(magnitude, l->schema);
  if (!l->holds(side, index)) {
    l = grow(side, index, index);
    index = exponential_bucket_index(magnitude, l->schema);
  }
  bump(l->counts(side)[index - l->first[side]], std::uint64_t{1});
}

void ExponentialHistogram::add(const ExponentialPoint& point) {
  Layout* l = layout_.load(std::memory_order_relaxed);
  const int incoming = std::clamp(point.schema, kMinExponentialSchema, kMaxExponentialSchema);
  if (incoming < l->schema) l = coarsen(incoming);
  bump(zero_count_, point.zero_count);
  const std::pair<std::int32_t, std::span<const std::uint64_t>> sides[2] = {{point.positive_offset, point.positive_counts},
                                                                            {point.negative_offset, point.negative_counts}};
  for (int side = 0; side < 2; ++side) {
    const auto& [offset, counts] = sides[side];
    // Buckets that lie inside our zero bucket go to it; the rest make room once, then add.
    std::int32_t lo = 0, hi = 0;
    bool any = false;
    for (std::size_t k = 0; k < counts.size(); ++k) {
      const std::int32_t index = offset + static_cast<std::int32_t>(k);
      if (counts[k] == 0) continue;
      if (exponential_bucket_upper_bound(index, incoming) <= settings_.zero_threshold) {
        bump(zero_count_, counts[k]);
        continue;
      }
      const std::int32_t ours = coarser_index(index, incoming - l->schema);
      lo = any ? std::min(lo, ours) : ours;
      hi = any ? std::max(hi, ours) : ours;
      any = true;
    }
    if (!any) continue;
    if (!l->holds(side, lo) || !l->holds(side, hi)) l = grow(side, lo, hi);
    for (std::size_t k = 0; k < counts.size(); ++k) {
      const std::int32_t index = offset + static_cast<std::int32_t>(k);
      if (counts[k] == 0 || exponential_bucket_upper_bound(index, incoming) <= settings_.zero_threshold) continue;
      bump(l->counts(side)[coarser_index(index, incoming - l->schema) - l->first[side]], counts[k]);
    }
  }
}

void ExponentialHistogram::read_into(ExponentialBuckets& out) const {
  const Layout* l = layout_.load(std::memory_order_acquire);
  out.zero_count += zero_count_.load(std::memory_order_relaxed);
  for (int side = 0; side < 2; ++side) {
    out.add(l->schema, side == 0, l->first[side], std::span<const std::atomic<std::uint64_t>>(l->counts(side), l->size[side]));
  }
}

}  // namespace agentmetrics::collector
