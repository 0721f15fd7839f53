// Small helpers for tests that build aggregates by hand: a record of one operation, and a
// family registered (or the test fails).
#pragma once

#include <gtest/gtest.h>

#include "collector/aggregate/family_registry.h"
#include "ipc/record.h"

namespace agentmetrics::testing {

inline ipc::Record record_of(ipc::Op op, double value) { return ipc::Record{0, static_cast<std::uint16_t>(op), 0, value}; }

inline const collector::RegisteredFamily* must_register(collector::FamilyRegistry& registry, const ipc::FamilyDecl& family) {
  auto result = registry.register_family(family);
  EXPECT_TRUE(std::holds_alternative<const collector::RegisteredFamily*>(result)) << family.name;
  return std::get<const collector::RegisteredFamily*>(result);
}

}  // namespace agentmetrics::testing
