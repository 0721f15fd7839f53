// The keys seen lately, to count a retried export once: an exporter that did not get its answer
// sends the same request again, with the same points and records. At least `capacity` of the
// latest keys are remembered; older ones are forgotten a generation at a time (and counted).
//
// Two open-addressing tables of 64-bit keys, the current generation and the one before, each at
// most half full: when the current table has taken a generation it becomes the previous one and
// the oldest generation goes. Ingest offers every point and record here, so this is on the OTLP
// path's every point. A table starts small and doubles as it fills (an insert allocates only
// then), so a receiver that sees a few streams holds a few kilobytes, not the 4 MiB two full
// tables of 100k keys take (which a daemon with no OTLP client used to hold from its start).
// Once a table has turned over, the two keep their size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <vector>

namespace agentmetrics::intake {

class RecentKeys {
 public:
  explicit RecentKeys(std::size_t capacity);

  // True the first time `key` is offered (while it is remembered). Any thread.
  bool first_time(std::uint64_t key);
  // The same for each of `keys` in their order, under one lock: `first[i]` for `keys[i]` (a key
  // given twice is new only the first time). `first` is as long as `keys`.
  void first_times(std::span<const std::uint64_t> keys, std::span<bool> first);
  std::size_t forgotten() const;

 private:
  struct Table {
    std::vector<std::uint64_t> slots;  // 0: empty; a power of two
    std::size_t used = 0;
    bool contains(std::uint64_t key) const;
    // Doubles the slots first when the table would be more than half full, up to `max_slots`.
    void insert(std::uint64_t key, std::size_t max_slots);
    void prefetch(std::uint64_t key) const;
  };
  // first_time of a key in its stored form, under mutex_.
  bool first_time_locked(std::uint64_t stored);
  static constexpr std::size_t kFirstSlots = 1024;

  const std::size_t generation_;  // keys a table takes before it turns over
  const std::size_t max_slots_;   // twice a generation: never more than half full
  mutable std::mutex mutex_;
  Table current_, previous_;
  std::size_t forgotten_ = 0;
};

}  // namespace agentmetrics::intake
