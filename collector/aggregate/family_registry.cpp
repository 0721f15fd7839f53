#include "collector/aggregate/family_registry.h"

namespace agentmetrics::collector {

std::uint64_t series_hash(const std::string& family, const std::vector<std::string>& values) {
  // Length-prefixed, so that no label value can make two series one key.
  std::string key = family;
  for (const auto& v : values) {
    key += '\x1f';
    key += std::to_string(v.size());
    key += ':';
    key += v;
  }
  return std::hash<std::string>{}(key);
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
    if (by_name_.size() >= family_limit_) {
      return "metric '" + decl.name + "' is refused: the collector knows " + std::to_string(family_limit_) +
             " families already (collector.familyLimit)";
    }
    auto family = std::make_unique<RegisteredFamily>();
    family->decl = decl;
    family->decl.family_id = 0;
    family->overflow_label_values.assign(decl.label_names.size(), kOverflowLabelValue);
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

bool FamilyRegistry::admit_series(const RegisteredFamily& family, const std::vector<std::string>& label_values) const {
  if (label_values.empty() || label_values == family.overflow_label_values) return true;
  const std::uint64_t hash = series_hash(family.decl.name, label_values);
  std::lock_guard lock(family.series_mutex);
  if (family.series_hashes.count(hash)) return true;
  if (family.series_hashes.size() >= series_limit_) return false;
  family.series_hashes.insert(hash);
  return true;
}

}  // namespace agentmetrics::collector
