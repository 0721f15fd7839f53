// The metric families the collector knows, whoever declared them: the catalogue at start and
// producers' declarations as segments arrive. A name has one shape (type, labels, buckets);
// a producer that declares it otherwise has that family rejected.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <variant>
#include <vector>

#include "ipc/string_table.h"

namespace agentmetrics::collector {

struct RegisteredFamily {
  ipc::FamilyDecl decl;  // family_id is meaningless here: ids are per segment
  // The series every declaration beyond the family's series limit is folded into: each label
  // value is kOverflowLabelValue.
  std::vector<std::string> overflow_label_values;

 private:
  friend class FamilyRegistry;
  mutable std::mutex series_mutex;
  // The admitted series, by series_hash(). A hash, not the labels, to keep 100k series small:
  // two series whose hashes collide count as one here, which can only let one series past
  // the limit.
  mutable std::unordered_set<std::uint64_t> series_hashes;
};

inline constexpr const char* kOverflowLabelValue = "__overflow__";

// A 64-bit hash of a series' identity: the family name and the label values.
std::uint64_t series_hash(const std::string& family, const std::vector<std::string>& label_values);

class FamilyRegistry {
 public:
  static constexpr std::size_t kDefaultSeriesLimit = 10000;
  static constexpr std::size_t kDefaultFamilyLimit = 10000;
  explicit FamilyRegistry(std::size_t series_limit_per_family = kDefaultSeriesLimit, std::size_t family_limit = kDefaultFamilyLimit)
      : series_limit_(series_limit_per_family), family_limit_(family_limit) {}

  // The registered family (existing or new), or why the declaration is refused. Names
  // starting with one of `reserved_prefixes` belong to the collector itself.
  std::variant<const RegisteredFamily*, std::string> register_family(const ipc::FamilyDecl& decl);
  void reserve_prefix(std::string prefix);
  // All families, sorted by name; the pointers stay valid for the registry's life.
  std::vector<const RegisteredFamily*> families() const;
  // Whether a series may have its own aggregate: it was admitted before, or the family holds
  // fewer than the limit. False means: fold it into the family's overflow series. Called once
  // per series a segment declares, never per record.
  bool admit_series(const RegisteredFamily& family, const std::vector<std::string>& label_values) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<RegisteredFamily>> by_name_;
  std::vector<std::string> reserved_prefixes_;
  std::size_t series_limit_;
  std::size_t family_limit_;  // families known at once; a new name beyond it is refused
};

}  // namespace agentmetrics::collector
