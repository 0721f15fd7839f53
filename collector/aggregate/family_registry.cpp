#include "collector/aggregate/family_registry.h"

#include <new>

#include "collector/aggregate/label_text.h"
#include "collector/aggregate/shard.h"

namespace agentmetrics::collector {
namespace {

std::int64_t steady_ns(std::chrono::steady_clock::time_point t) { return t.time_since_epoch().count(); }

}  // namespace

std::string_view to_label(SeriesRefusal refusal) {
  switch (refusal) {
    case SeriesRefusal::kNone: return "none";
    case SeriesRefusal::kFamilyLimit: return "family_limit";
    case SeriesRefusal::kSeriesLimit: return "series_limit";
    case SeriesRefusal::kLabelBytesLimit: return "label_bytes_limit";
  }
  return "none";
}

// ---- the series

std::size_t RegisteredFamily::ByLabels::operator()(const SeriesEntry* s) const { return (*this)(s->labels()); }
bool RegisteredFamily::ByLabels::operator()(std::string_view a, const SeriesEntry* b) const { return a == b->labels(); }
bool RegisteredFamily::ByLabels::operator()(const SeriesEntry* a, std::string_view b) const { return a->labels() == b; }
bool RegisteredFamily::ByLabels::operator()(const SeriesEntry* a, const SeriesEntry* b) const { return a->labels() == b->labels(); }

SeriesEntry::SeriesEntry(const RegisteredFamily& family, std::size_t label_bytes, bool bounded)
    : family_(&family), bounded_(bounded), label_bytes_(static_cast<std::uint32_t>(label_bytes)) {}

SeriesEntry* SeriesEntry::make(const RegisteredFamily& family, std::string_view labels, bool bounded) {
  // One allocation: the entry, then its label text.
  void* memory = ::operator new(sizeof(SeriesEntry) + labels.size());
  auto* entry = new (memory) SeriesEntry(family, labels.size(), bounded);
  std::copy(labels.begin(), labels.end(), reinterpret_cast<char*>(entry + 1));
  return entry;
}

void SeriesEntry::destroy(void* memory) {
  auto* entry = static_cast<SeriesEntry*>(memory);
  for (const SeriesAggregate* a = entry->aggregates_.load(std::memory_order_acquire); a;) {
    const SeriesAggregate* next = a->next;
    delete a;
    a = next;
  }
  entry->~SeriesEntry();
  ::operator delete(memory);
}

SeriesHold& SeriesHold::operator=(SeriesHold&& other) noexcept {
  if (this != &other) {
    SeriesHold gone(std::move(*this));
    entry_ = std::exchange(other.entry_, nullptr);
  }
  return *this;
}

SeriesHold::~SeriesHold() {
  if (entry_) FamilyRegistry::release_held(*entry_);
}

// ---- the registry

FamilyRegistry::FamilyRegistry(SeriesBounds bounds, std::map<std::string, NativeHistogramSettings> native)
    : bounds_(bounds), native_(std::move(native)) {}

FamilyRegistry::~FamilyRegistry() {
  for (auto& [name, family] : by_name_) {
    for (SeriesEntry* s = family->head_.load(std::memory_order_relaxed); s;) {
      SeriesEntry* next = s->next_.load(std::memory_order_relaxed);
      SeriesEntry::destroy(s);
      s = next;
    }
  }
}

void FamilyRegistry::reserve_prefix(std::string prefix) {
  std::lock_guard lock(mutex_);
  reserved_prefixes_.push_back(std::move(prefix));
}

std::variant<const RegisteredFamily*, std::string> FamilyRegistry::register_family(const ipc::FamilyDecl& decl) {
  std::lock_guard lock(mutex_);
  for (const auto& prefix : reserved_prefixes_) {
    if (decl.name.starts_with(prefix)) return "metric name '" + decl.name + "' is reserved for the collector (" + prefix + "*)";
  }
  auto it = by_name_.find(decl.name);
  if (it == by_name_.end()) {
    if (by_name_.size() >= bounds_.families) {
      return "metric '" + decl.name + "' is refused: the collector knows " + std::to_string(bounds_.families) +
             " families already (collector.familyLimit)";
    }
    auto family = std::make_unique<RegisteredFamily>();
    family->decl = decl;
    family->decl.family_id = 0;
    family->overflow_label_values.assign(decl.label_names.size(), kOverflowLabelValue);
    family->registry_ = this;
    if (auto native = native_.find(decl.name); native != native_.end() && decl.type == ipc::MetricType::kHistogram) {
      family->native = native->second;
    }
    it = by_name_.emplace(decl.name, std::move(family)).first;
    return it->second.get();
  }
  const ipc::FamilyDecl& known = it->second->decl;
  if (known.type != decl.type) return "metric '" + decl.name + "' is already known with another type";
  if (known.label_names != decl.label_names) return "metric '" + decl.name + "' is already known with other label names";
  if (known.buckets != decl.buckets) return "metric '" + decl.name + "' is already known with other buckets";
  return it->second.get();  // a different help text is not worth refusing data: the first one stays
}

std::vector<const RegisteredFamily*> FamilyRegistry::families() const {
  std::lock_guard lock(mutex_);
  std::vector<const RegisteredFamily*> out;
  out.reserve(by_name_.size());
  for (const auto& [name, family] : by_name_) out.push_back(family.get());
  return out;
}

bool FamilyRegistry::reserve(std::size_t label_bytes, SeriesRefusal& refused) {
  std::size_t n = series_.load(std::memory_order_relaxed);
  do {
    if (n >= bounds_.series) {
      refused = SeriesRefusal::kSeriesLimit;
      return false;
    }
  } while (!series_.compare_exchange_weak(n, n + 1, std::memory_order_relaxed));
  std::size_t bytes = label_bytes_.load(std::memory_order_relaxed);
  do {
    if (bytes + label_bytes > bounds_.label_bytes) {
      series_.fetch_sub(1, std::memory_order_relaxed);
      refused = SeriesRefusal::kLabelBytesLimit;
      return false;
    }
  } while (!label_bytes_.compare_exchange_weak(bytes, bytes + label_bytes, std::memory_order_relaxed));
  return true;
}

// Under the family's mutex.
SeriesEntry* FamilyRegistry::find_or_add(const RegisteredFamily& family, std::string_view labels, bool bounded, SeriesRefusal& refused) {
  if (auto it = family.index_.find(labels); it != family.index_.end()) return *it;
  if (bounded) {
    if (family.admitted_ >= bounds_.series_per_family) {
      refused = SeriesRefusal::kFamilyLimit;
      return nullptr;
    }
    if (!reserve(labels.size(), refused)) return nullptr;
    ++family.admitted_;
  }
  SeriesEntry* entry = SeriesEntry::make(family, labels, bounded);
  family.index_.insert(entry);
  entry->prev_ = family.tail_;
  // Release: a scrape that reaches the entry sees it built.
  if (family.tail_) {
    family.tail_->next_.store(entry, std::memory_order_release);
  } else {
    family.head_.store(entry, std::memory_order_release);
  }
  family.tail_ = entry;
  return entry;
}

Admission FamilyRegistry::acquire_series(const RegisteredFamily& family, const std::vector<std::string>& label_values) {
  Admission admission;
  const bool bounded = !label_values.empty() && label_values != family.overflow_label_values;
  const std::string labels = label_text(family.decl.label_names, label_values);
  std::lock_guard lock(family.series_mutex_);
  SeriesEntry* entry = find_or_add(family, labels, bounded, admission.refused);
  if (!entry) entry = find_or_add(family, label_text(family.decl.label_names, family.overflow_label_values), false, admission.refused);
  // Under the family's mutex, which expire() takes before it looks: a series being acquired
  // is never expired.
  entry->holders_.fetch_add(1, std::memory_order_relaxed);
  admission.series = SeriesHold(entry);
  return admission;
}

void FamilyRegistry::release(SeriesEntry& entry) {
  // Under the orphans' mutex, which expire() holds while it decides: once the count is 0 the
  // entry may be freed, so nothing here may touch it after expire() could have seen that.
  std::lock_guard lock(orphans_mutex_);
  entry.released_at_.store(steady_ns(std::chrono::steady_clock::now()), std::memory_order_relaxed);
  if (entry.holders_.fetch_sub(1, std::memory_order_relaxed) == 1 && !entry.queued_) {
    entry.queued_ = true;
    orphans_.push_back(&entry);
  }
}

// Under the family's mutex.
void FamilyRegistry::unlink(const RegisteredFamily& family, SeriesEntry& entry) {
  SeriesEntry* next = entry.next_.load(std::memory_order_relaxed);
  // The entry keeps its own `next_`: a scrape standing on it walks on to the rest.
  if (entry.prev_) {
    entry.prev_->next_.store(next, std::memory_order_release);
  } else {
    family.head_.store(next, std::memory_order_release);
  }
  if (next) {
    next->prev_ = entry.prev_;
  } else {
    family.tail_ = entry.prev_;
  }
  family.index_.erase(&entry);
  if (entry.bounded_) {
    --family.admitted_;
    series_.fetch_sub(1, std::memory_order_relaxed);
    label_bytes_.fetch_sub(entry.label_bytes_, std::memory_order_relaxed);
  }
}

std::size_t FamilyRegistry::expire(std::chrono::steady_clock::time_point now) {
  std::vector<SeriesEntry*> orphans;
  {
    std::lock_guard lock(orphans_mutex_);
    orphans.swap(orphans_);
  }
  std::size_t expired = 0;
  std::vector<SeriesEntry*> waiting;
  const std::int64_t due_before = steady_ns(now) - bounds_.staleness.count();
  for (SeriesEntry* entry : orphans) {
    const RegisteredFamily& family = *entry->family_;
    // The family's mutex keeps acquire_series() from taking the entry again, the orphans' mutex
    // keeps release() from being half done with it.
    std::unique_lock family_lock(family.series_mutex_);
    std::unique_lock orphans_lock(orphans_mutex_);
    const std::uint32_t holders = entry->holders_.load(std::memory_order_relaxed);
    if (holders == 0 && entry->released_at_.load(std::memory_order_relaxed) <= due_before) {
      unlink(family, *entry);
      orphans_lock.unlock();
      family_lock.unlock();
      reclaimer_.retire(entry, &SeriesEntry::destroy);
      ++expired;
    } else if (holders == 0) {
      waiting.push_back(entry);  // still queued: not due yet
    } else {
      entry->queued_ = false;  // held again: its next release queues it anew
    }
  }
  if (!waiting.empty()) {
    std::lock_guard lock(orphans_mutex_);
    orphans_.insert(orphans_.end(), waiting.begin(), waiting.end());
  }
  reclaimer_.reclaim();
  return expired;
}

}  // namespace agentmetrics::collector
