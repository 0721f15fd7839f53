// One shard of the aggregates: the series fed by the segments of one drain thread. Only that
// thread writes it, with no lock and no atomic read-modify-write; a scrape reads it at any
// moment from another thread without stopping the drain.
//
// Memory ordering. Every field a scrape reads is a std::atomic written by the one drain
// thread with relaxed load + relaxed store (a plain move on x86: no lock prefix, no fence).
// A reader loads each field relaxed: it sees a value the writer stored (atomics do not tear),
// and successive loads of one field never go back (coherence), so a counter never decreases
// between scrapes. A histogram's _count is the sum of its buckets as read, so it equals its
// +Inf bucket by construction; its _sum may lead or lag the buckets by the records of one
// batch. New series are published by a release store of `published_` after the series is
// built; a reader's acquire load of it makes the series' immutable parts visible.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "collector/aggregate/family_registry.h"
#include "ipc/record.h"

namespace agentmetrics::collector {

struct SeriesAggregate {
  const RegisteredFamily* family = nullptr;               // immutable once published
  std::vector<std::string> label_values;                  // immutable once published
  std::atomic<double> value{0};                           // counter total or gauge value
  std::atomic<std::uint64_t> updated_at{0};               // gauges: steady-clock ns of the batch of the last write
  std::atomic<double> sum{0};                             // histograms
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets;  // histograms: per-bucket counts, +Inf last
  std::size_t bucket_count = 0;
};

// What a reader sees of one series at one moment.
struct SeriesView {
  const RegisteredFamily* family;
  const std::vector<std::string>& label_values;
  double value;
  std::uint64_t updated_at;
  double sum;
  std::uint64_t count;                     // sum of `buckets`
  std::span<const std::uint64_t> buckets;  // per-bucket, not cumulative; valid during the visit
};

enum class ApplyResult { kApplied, kWrongOp, kBadValue };

class Shard {
 public:
  Shard();
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // The aggregate for a series, created and published on first use; null when the shard holds
  // kMaxSeries already. Drain thread only.
  SeriesAggregate* series(const RegisteredFamily& family, const std::vector<std::string>& label_values);

  // Stamps the time of the records that follow, which decides which shard's value of a gauge
  // is the latest when a scrape merges them. Drain thread only.
  void begin_batch();
  // Applies one record. Drain thread only.
  ApplyResult apply(SeriesAggregate& series, const ipc::Record& record);

  // Calls visit(const SeriesView&) for every published series. Any thread, any time.
  template <typename Visit>
  void for_each(Visit&& visit) const {
    const std::size_t n = published_.load(std::memory_order_acquire);
    std::vector<std::uint64_t> buckets;
    for (std::size_t i = 0; i < n; ++i) {
      const SeriesAggregate& s = at(i);
      buckets.resize(s.bucket_count);
      std::uint64_t count = 0;
      for (std::size_t b = 0; b < s.bucket_count; ++b) count += buckets[b] = s.buckets[b].load(std::memory_order_relaxed);
      visit(SeriesView{s.family, s.label_values, s.value.load(std::memory_order_relaxed), s.updated_at.load(std::memory_order_relaxed),
                       s.sum.load(std::memory_order_relaxed), count, std::span<const std::uint64_t>(buckets)});
    }
  }

  std::size_t size() const { return published_.load(std::memory_order_acquire); }
  static constexpr std::size_t kChunkSeries = 1024;
  static constexpr std::size_t kMaxChunks = 4096;
  static constexpr std::size_t kMaxSeries = kChunkSeries * kMaxChunks;

 private:
  const SeriesAggregate& at(std::size_t i) const { return chunks_[i / kChunkSeries][i % kChunkSeries]; }

  // Series live in fixed chunks that never move, so a reader can walk them while the writer
  // appends. A chunk pointer is written before the release store of `published_` that first
  // covers it, and never changed after.
  std::array<std::unique_ptr<SeriesAggregate[]>, kMaxChunks> chunks_;
  std::atomic<std::size_t> published_{0};
  // By series_hash(); a collision is told apart by comparing family and labels. Drain thread only.
  std::unordered_multimap<std::uint64_t, SeriesAggregate*> index_;
  std::uint64_t batch_time_ = 0;
};

}  // namespace agentmetrics::collector
