// The metric families the collector knows, whoever declared them: the catalogue at start and
// producers' declarations as segments arrive. A name has one shape (type, labels, buckets);
// a producer that declares it otherwise has that family rejected.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <variant>
#include <vector>

#include "string_table.h"

namespace agentmetrics::collector {

struct RegisteredFamily {
  ipc::FamilyDecl decl;  // family_id is meaningless here: ids are per segment
};

class FamilyRegistry {
 public:
  // The registered family (existing or new), or why the declaration is refused. Names
  // starting with one of `reserved_prefixes` belong to the collector itself.
  std::variant<const RegisteredFamily*, std::string> register_family(const ipc::FamilyDecl& decl);
  void reserve_prefix(std::string prefix);
  // All families, sorted by name; the pointers stay valid for the registry's life.
  std::vector<const RegisteredFamily*> families() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<RegisteredFamily>> by_name_;
  std::vector<std::string> reserved_prefixes_;
};

}  // namespace agentmetrics::collector
