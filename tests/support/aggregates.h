// Small helpers for tests that build aggregates by hand: a record of one operation, a family
// registered (or the test fails), series made and held for the test's life, and the merged
// value of a series as a scrape reads it.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "collector/aggregate/family_registry.h"
#include "collector/aggregate/label_text.h"
#include "collector/aggregate/series_reader.h"
#include "collector/aggregate/shard.h"
#include "ipc/catalogue.h"
#include "ipc/record.h"

namespace agentmetrics::testing {

inline ipc::Record record_of(ipc::Op op, double value) { return ipc::Record{0, static_cast<std::uint16_t>(op), 0, value}; }

inline const collector::RegisteredFamily* must_register(collector::FamilyRegistry& registry, const ipc::FamilyDecl& family) {
  auto result = registry.register_family(family);
  EXPECT_TRUE(std::holds_alternative<const collector::RegisteredFamily*>(result)) << family.name;
  return std::get<const collector::RegisteredFamily*>(result);
}

// Series a test writes by hand, as a producer's segment would hold them. Declare it after the
// registry: the holds go first.
class HeldSeries {
 public:
  explicit HeldSeries(collector::FamilyRegistry& registry) : registry_(registry) {}
  // The shard's aggregate of the series (or of the family's overflow series, when refused).
  collector::SeriesAggregate* operator()(collector::Shard& shard, const collector::RegisteredFamily& family,
                                         const std::vector<std::string>& labels) {
    collector::Admission admission = registry_.acquire_series(family, labels);
    refused = admission.refused;
    collector::SeriesAggregate* aggregate = shard.aggregate(*admission.series);
    holds_.push_back(std::move(admission.series));
    return aggregate;
  }
  void release_all() { holds_.clear(); }
  collector::SeriesRefusal refused = collector::SeriesRefusal::kNone;  // of the last series asked for

 private:
  collector::FamilyRegistry& registry_;
  std::vector<collector::SeriesHold> holds_;
};

// `n` series of the catalogue's pipeline-duration histogram (stages stage_0, stage_1, ...), the
// i-th observing value(i) once: a family of many series for tests of large scrapes.
inline void observe_stages(collector::FamilyRegistry& registry, HeldSeries& held, collector::Shard& shard, int n,
                           const std::function<double(int)>& value) {
  const auto decls = ipc::catalogue_families("opencode");
  const auto* pipeline = must_register(registry, decls[static_cast<std::size_t>(ipc::CatalogueFamily::kPipelineDuration)]);
  shard.begin_batch();
  for (int i = 0; i < n; ++i) {
    collector::SeriesAggregate* s = held(shard, *pipeline, {"stage_" + std::to_string(i), i % 2 ? "true" : "false"});
    shard.apply(*s, record_of(ipc::Op::kHistogramObserve, value(i)));
  }
}

// Calls visit(const MergedSeries&) for the series of family `name` with these label values;
// returns whether there was one.
inline bool visit_series(const collector::FamilyRegistry& registry, const std::string& name, const std::vector<std::string>& labels,
                         const std::function<void(const collector::MergedSeries&)>& visit) {
  collector::SeriesReader reader(registry);
  bool found = false;
  for (const auto* family : registry.families()) {
    if (family->decl.name != name) continue;
    const std::string text = collector::label_text(family->decl.label_names, labels);
    reader.for_each(*family, [&](const collector::MergedSeries& s) {
      if (s.labels != text) return;
      found = true;
      visit(s);
    });
  }
  return found;
}

// A series' merged value (a histogram's count), or -1 when there is no such series.
inline double series_value(const collector::FamilyRegistry& registry, const std::string& name,
                           const std::vector<std::string>& labels = {}) {
  double v = -1;
  visit_series(registry, name, labels,
               [&](const collector::MergedSeries& s) { v = s.buckets.empty() ? s.value : static_cast<double>(s.count); });
  return v;
}

// Series of every family, in all.
inline std::size_t series_in(const collector::FamilyRegistry& registry) {
  std::size_t n = 0;
  collector::SeriesReader reader(registry);
  for (const auto* family : registry.families()) reader.for_each(*family, [&](const collector::MergedSeries&) { ++n; });
  return n;
}

}  // namespace agentmetrics::testing
