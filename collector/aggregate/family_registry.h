// The metric families the collector knows, whoever declared them: the catalogue at start and
// producers' declarations as segments arrive. A name has one shape (type, labels, buckets);
// a producer that declares it otherwise has that family rejected.
//
// The registry also owns every series: its identity (family and label text, built once when the
// series is admitted), the shards' aggregates of it, and the bounds on how many there may be
// (per family, in all, in label bytes). A series is held by the producers that declared it; once
// none has held it for the staleness time it expires and its memory is freed, after no scrape
// can see it any more (EpochReclaimer).
//
// Memory ordering. A family's series form a list that scrapes walk without a lock: a series is
// built, then linked with a release store (of the previous series' `next_`, or of the family's
// head), which a reader's acquire load pairs with. Linking and unlinking happen under the
// family's mutex; an unlinked series keeps its `next_`, so a scrape standing on it walks on,
// and it is freed only through the reclaimer. A series' aggregates form a second list, pushed by
// the shards (compare-and-swap with release); an aggregate is never unlinked before its series.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "collector/aggregate/epoch_reclaimer.h"
#include "collector/aggregate/exponential_histogram.h"
#include "ipc/string_table.h"

namespace agentmetrics::collector {

class FamilyRegistry;
class SeriesEntry;
struct SeriesAggregate;

inline constexpr const char* kOverflowLabelValue = "__overflow__";

// What bounds the series the collector keeps (docs/metrics.md says why each default).
struct SeriesBounds {
  std::size_t series_per_family = 10000;  // beyond: folded into the family's overflow series
  std::size_t families = 10000;           // beyond: a new family name is refused
  std::size_t series = 100000;            // in all; beyond: folded into the family's overflow series
  std::size_t label_bytes = 16u << 20;    // of label text in all; likewise
  // How long a series stays after the last producer that declared it is gone.
  std::chrono::nanoseconds staleness = std::chrono::minutes(10);
};

// Why a series was folded into its family's overflow series.
enum class SeriesRefusal { kNone, kFamilyLimit, kSeriesLimit, kLabelBytesLimit };
std::string_view to_label(SeriesRefusal refusal);  // family_limit, series_limit, label_bytes_limit

struct RegisteredFamily {
  ipc::FamilyDecl decl;  // family_id is meaningless here: ids are per segment
  // The series every declaration beyond a bound is folded into: each label value is
  // kOverflowLabelValue.
  std::vector<std::string> overflow_label_values;
  // Set for histograms whose exponential buckets the collector keeps (configuration).
  std::optional<NativeHistogramSettings> native;
  bool classic_buckets() const { return !native || native->classic; }

  // The family's series in the order they were admitted: first_series(), then
  // SeriesEntry::next(). Any thread, under a ReadGuard of the registry's reclaimer.
  const SeriesEntry* first_series() const { return head_.load(std::memory_order_acquire); }

 private:
  friend class FamilyRegistry;
  friend class Shard;  // its aggregates' exponential buckets retire to the registry's reclaimer
  struct ByLabels {
    using is_transparent = void;
    std::size_t operator()(std::string_view labels) const { return std::hash<std::string_view>{}(labels); }
    std::size_t operator()(const SeriesEntry* s) const;
    bool operator()(std::string_view a, const SeriesEntry* b) const;
    bool operator()(const SeriesEntry* a, std::string_view b) const;
    bool operator()(const SeriesEntry* a, const SeriesEntry* b) const;
  };
  FamilyRegistry* registry_ = nullptr;
  mutable std::mutex series_mutex_;
  mutable std::atomic<SeriesEntry*> head_{nullptr};
  mutable SeriesEntry* tail_ = nullptr;
  mutable std::unordered_set<SeriesEntry*, ByLabels, ByLabels> index_;
  mutable std::size_t admitted_ = 0;  // its series but the overflow series and the one without labels
};

// One series: its family and label text, and the aggregates the shards keep of it.
class SeriesEntry {
 public:
  const RegisteredFamily& family() const { return *family_; }
  // `name="value",...` escaped for the exposition formats (label_text.h); empty without labels.
  std::string_view labels() const { return {reinterpret_cast<const char*>(this + 1), label_bytes_}; }
  // The next series of the family, for a scrape walking them.
  const SeriesEntry* next() const { return next_.load(std::memory_order_acquire); }
  // The shards' aggregates of this series, then SeriesAggregate::next.
  const SeriesAggregate* first_aggregate() const { return aggregates_.load(std::memory_order_acquire); }

 private:
  friend class FamilyRegistry;
  friend class Shard;
  SeriesEntry(const RegisteredFamily& family, std::size_t label_bytes, bool bounded);
  static SeriesEntry* make(const RegisteredFamily& family, std::string_view labels, bool bounded);
  static void destroy(void* entry);  // the entry and its aggregates

  const RegisteredFamily* family_;
  std::atomic<SeriesAggregate*> aggregates_{nullptr};
  std::atomic<SeriesEntry*> next_{nullptr};
  SeriesEntry* prev_ = nullptr;  // under the family's mutex
  // Producers (segments) holding it; once 0, it expires staleness after released_at_.
  std::atomic<std::uint32_t> holders_{0};
  std::atomic<std::int64_t> released_at_{0};  // steady-clock ns
  bool queued_ = false;                       // among the registry's orphans (under its mutex)
  const bool bounded_;                        // counted against the bounds (not overflow, not label-free)
  const std::uint32_t label_bytes_;
};

// Keeps a series from expiring while it lives. Move-only.
class SeriesHold {
 public:
  SeriesHold() = default;
  explicit SeriesHold(SeriesEntry* entry) : entry_(entry) {}
  SeriesHold(SeriesHold&& other) noexcept : entry_(std::exchange(other.entry_, nullptr)) {}
  SeriesHold& operator=(SeriesHold&& other) noexcept;
  SeriesHold(const SeriesHold&) = delete;
  SeriesHold& operator=(const SeriesHold&) = delete;
  ~SeriesHold();
  SeriesEntry* get() const { return entry_; }
  SeriesEntry& operator*() const { return *entry_; }
  SeriesEntry* operator->() const { return entry_; }

 private:
  SeriesEntry* entry_ = nullptr;
};

struct Admission {
  SeriesHold series;  // the series itself, or its family's overflow series when refused
  SeriesRefusal refused = SeriesRefusal::kNone;
};

class FamilyRegistry {
 public:
  static constexpr std::size_t kDefaultSeriesLimit = SeriesBounds{}.series_per_family;
  static constexpr std::size_t kDefaultFamilyLimit = SeriesBounds{}.families;
  // `native`: the histogram families, by name, whose exponential buckets are kept.
  explicit FamilyRegistry(SeriesBounds bounds = {}, std::map<std::string, NativeHistogramSettings> native = {});
  explicit FamilyRegistry(std::size_t series_limit_per_family, std::size_t family_limit = kDefaultFamilyLimit)
      : FamilyRegistry(SeriesBounds{.series_per_family = series_limit_per_family, .families = family_limit}) {}
  ~FamilyRegistry();
  FamilyRegistry(const FamilyRegistry&) = delete;
  FamilyRegistry& operator=(const FamilyRegistry&) = delete;

  // The registered family (existing or new), or why the declaration is refused. Names
  // starting with one of `reserved_prefixes` belong to the collector itself.
  std::variant<const RegisteredFamily*, std::string> register_family(const ipc::FamilyDecl& decl);
  void reserve_prefix(std::string prefix);
  // All families, sorted by name; the pointers stay valid for the registry's life.
  std::vector<const RegisteredFamily*> families() const;

  // The series with these label values, held until the hold goes: the one admitted before, a
  // new one if every bound allows it, else the family's overflow series (and which bound
  // refused it). Called once per series a producer declares, never per record.
  Admission acquire_series(const RegisteredFamily& family, const std::vector<std::string>& label_values);
  // Unlinks the series no one has held for the staleness time and frees what no scrape can see
  // any more. Housekeeping calls it about once a second; returns how many series expired.
  std::size_t expire(std::chrono::steady_clock::time_point now);

  // Scrapes read the series under a guard of this reclaimer; writers retire memory to it.
  EpochReclaimer& reclaimer() const { return reclaimer_; }
  const SeriesBounds& bounds() const { return bounds_; }
  std::size_t series_count() const { return series_.load(std::memory_order_relaxed); }
  std::size_t label_bytes() const { return label_bytes_.load(std::memory_order_relaxed); }

 private:
  friend class SeriesHold;
  static void release_held(SeriesEntry& entry) { entry.family_->registry_->release(entry); }
  void release(SeriesEntry& entry);
  SeriesEntry* find_or_add(const RegisteredFamily& family, std::string_view labels, bool bounded, SeriesRefusal& refused);
  bool reserve(std::size_t label_bytes, SeriesRefusal& refused);
  void unlink(const RegisteredFamily& family, SeriesEntry& entry);

  mutable EpochReclaimer reclaimer_;  // declared first: freed last
  const SeriesBounds bounds_;
  const std::map<std::string, NativeHistogramSettings> native_;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<RegisteredFamily>> by_name_;
  std::vector<std::string> reserved_prefixes_;
  std::atomic<std::size_t> series_{0};       // bounded series in all
  std::atomic<std::size_t> label_bytes_{0};  // their label text
  // Series whose last holder went; expire() looks at them. The mutex also covers a release
  // from its decrement to its last touch of the entry, and expire()'s decision to free one.
  std::mutex orphans_mutex_;
  std::vector<SeriesEntry*> orphans_;
};

}  // namespace agentmetrics::collector
