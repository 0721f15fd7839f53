#include "collector/intake/otlp/recent_keys.h"

#include <algorithm>
#include <bit>

namespace agentmetrics::intake {
namespace {

// Keys are digests already; this spreads them over the slots and keeps 0 for "empty".
std::uint64_t stored_form(std::uint64_t key) {
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdULL;
  key ^= key >> 33;
  return key == 0 ? 1 : key;
}

}  // namespace

RecentKeys::RecentKeys(std::size_t capacity)
    : generation_(capacity < 16 ? 16 : capacity), max_slots_(std::bit_ceil(generation_ * 2)) {  // at most half full: a probe ends soon
  current_.slots.assign(std::min(kFirstSlots, max_slots_), 0);
  previous_.slots.assign(std::min(kFirstSlots, max_slots_), 0);
}

bool RecentKeys::Table::contains(std::uint64_t key) const {
  const std::size_t mask = slots.size() - 1;
  for (std::size_t i = key & mask;; i = (i + 1) & mask) {
    if (slots[i] == key) return true;
    if (slots[i] == 0) return false;
  }
}

void RecentKeys::Table::insert(std::uint64_t key, std::size_t max_slots) {
  if (2 * (used + 1) > slots.size() && slots.size() < max_slots) {
    std::vector<std::uint64_t> old(slots.size() * 2, 0);
    old.swap(slots);
    used = 0;
    for (const std::uint64_t k : old) {
      if (k != 0) insert(k, max_slots);
    }
  }
  const std::size_t mask = slots.size() - 1;
  std::size_t i = key & mask;
  while (slots[i] != 0) i = (i + 1) & mask;
  slots[i] = key;
  ++used;
}

void RecentKeys::Table::prefetch(std::uint64_t key) const { __builtin_prefetch(&slots[key & (slots.size() - 1)]); }

bool RecentKeys::first_time(std::uint64_t key) {
  const std::uint64_t k = stored_form(key);
  std::lock_guard lock(mutex_);
  return first_time_locked(k);
}

void RecentKeys::first_times(std::span<const std::uint64_t> keys, std::span<bool> first) {
  // Keys this far ahead have their slots fetched while one is looked up: the tables' misses
  // overlap instead of coming one after the other (a hint only; a table that grows meanwhile
  // is looked up all the same).
  constexpr std::size_t kAhead = 8;
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (i + kAhead < keys.size()) {
      const std::uint64_t ahead = stored_form(keys[i + kAhead]);
      current_.prefetch(ahead);
      previous_.prefetch(ahead);
    }
    first[i] = first_time_locked(stored_form(keys[i]));
  }
}

bool RecentKeys::first_time_locked(std::uint64_t k) {
  if (current_.contains(k) || previous_.contains(k)) return false;
  if (current_.used >= generation_) {
    // The oldest generation's table becomes the current one, cleared: its memory, as large as
    // a generation needs, is kept. A new small table doubling up to that size again zeroed and
    // faulted in fresh pages at every turnover (about a tenth of the receiver's CPU at a million
    // new points a second, docs/benchmarks.md).
    forgotten_ += previous_.used;
    std::swap(previous_, current_);
    std::fill(current_.slots.begin(), current_.slots.end(), 0);
    current_.used = 0;
  }
  current_.insert(k, max_slots_);
  return true;
}

std::size_t RecentKeys::forgotten() const {
  std::lock_guard lock(mutex_);
  return forgotten_;
}

}  // namespace agentmetrics::intake
