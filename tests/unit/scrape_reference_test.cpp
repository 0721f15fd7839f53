// The scrape path written straight from the shards, against prometheus-cpp as the reference: the
// same random operations applied to the collector's shards and to a prometheus-cpp registry give
// the same text, line for line, from prometheus-cpp's own TextSerializer; and the same
// OpenMetrics as our OpenMetrics writer gives from prometheus-cpp's model. Only the order of a
// family's series may differ (prometheus-cpp keeps them in a hash map).
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "collector/expose/openmetrics_text.h"
#include "collector/expose/scrape.h"
#include "tests/support/aggregates.h"

using namespace agentmetrics;
using namespace agentmetrics::collector;

namespace {

// A body cut into families (from one # HELP or # TYPE group to the next), each family's header
// lines in order and its sample lines sorted.
std::vector<std::string> families_of(const std::string& body) {
  std::vector<std::string> families;
  std::vector<std::string> samples;
  std::string header;
  auto close = [&] {
    if (header.empty()) return;
    std::sort(samples.begin(), samples.end());
    std::string f = header;
    for (const auto& s : samples) f += s + "\n";
    families.push_back(f);
    header.clear();
    samples.clear();
  };
  std::istringstream in(body);
  bool in_header = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("#")) {
      if (!in_header) close();
      in_header = true;
      header += line + "\n";
    } else {
      in_header = false;
      samples.push_back(line);
    }
  }
  close();
  std::sort(families.begin(), families.end());
  return families;
}

const std::vector<std::string> kLabelValues = {"a", "b\"quoted\"", "back\\slash", "new\nline", "ünï", "", "x,y=z"};

class Operations {
 public:
  explicit Operations(unsigned seed) : rng_(seed) {}
  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
  // Whole numbers, so that sums do not depend on the order shards add them in.
  double amount() { return static_cast<double>(pick(1000)); }
  std::vector<std::string> labels(std::size_t n) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(kLabelValues[pick(kLabelValues.size())]);
    return out;
  }

 private:
  std::mt19937 rng_;
};

std::map<std::string, std::string> named(const std::vector<std::string>& names, const std::vector<std::string>& values) {
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < names.size(); ++i) out[names[i]] = values[i];
  return out;
}

}  // namespace

TEST(ScrapeReference, WritesWhatPrometheusCppWritesForTheSameOperations) {
  for (unsigned seed = 1; seed <= 40; ++seed) {
    FamilyRegistry registry;
    agentmetrics::testing::HeldSeries held(registry);
    Shard shards[3];
    auto theirs = std::make_shared<prometheus::Registry>();
    Operations ops(seed);

    const std::vector<std::string> two = {"agent_type", "stage"};
    const std::vector<double> bounds = {0.5, 10, 300};
    ipc::FamilyDecl counter{0, ipc::MetricType::kCounter, "ops_total", "Operations \\ done\nso far", two, {}};
    ipc::FamilyDecl gauge{0, ipc::MetricType::kGauge, "ops_level", "Level", {"stage"}, {}};
    ipc::FamilyDecl plain{0, ipc::MetricType::kGauge, "ops_plain", "", {}, {}};
    ipc::FamilyDecl histogram{0, ipc::MetricType::kHistogram, "ops_seconds", "Seconds", two, bounds};
    const auto* c = agentmetrics::testing::must_register(registry, counter);
    const auto* g = agentmetrics::testing::must_register(registry, gauge);
    const auto* p = agentmetrics::testing::must_register(registry, plain);
    const auto* h = agentmetrics::testing::must_register(registry, histogram);
    auto& their_c = prometheus::BuildCounter().Name(counter.name).Help(counter.help).Register(*theirs);
    auto& their_g = prometheus::BuildGauge().Name(gauge.name).Help(gauge.help).Register(*theirs);
    auto& their_p = prometheus::BuildGauge().Name(plain.name).Help(plain.help).Register(*theirs);
    auto& their_h = prometheus::BuildHistogram().Name(histogram.name).Help(histogram.help).Register(*theirs);

    for (int op = 0; op < 300; ++op) {
      Shard& shard = shards[ops.pick(3)];
      shard.begin_batch();
      const double v = ops.amount();
      switch (ops.pick(4)) {
        case 0: {
          const auto l = ops.labels(2);
          shard.apply(*held(shard, *c, l), agentmetrics::testing::record_of(ipc::Op::kCounterAdd, v));
          their_c.Add(named(two, l)).Increment(v);
          break;
        }
        case 1: {
          // Gauges from one shard: which of two shards wrote last is decided by a clock.
          const auto l = ops.labels(1);
          shards[0].begin_batch();
          shards[0].apply(*held(shards[0], *g, l), agentmetrics::testing::record_of(ipc::Op::kGaugeSet, v - 500));
          their_g.Add(named({"stage"}, l)).Set(v - 500);
          break;
        }
        case 2:
          shards[0].begin_batch();
          shards[0].apply(*held(shards[0], *p, {}), agentmetrics::testing::record_of(ipc::Op::kGaugeAdd, v));
          their_p.Add({}).Increment(v);
          break;
        default: {
          const auto l = ops.labels(2);
          const double seconds = v / 2;  // on the bounds at times: they are upper-inclusive
          shard.apply(*held(shard, *h, l), agentmetrics::testing::record_of(ipc::Op::kHistogramObserve, seconds));
          their_h.Add(named(two, l), bounds).Observe(seconds);
        }
      }
    }
    std::ostringstream reference;
    prometheus::TextSerializer().Serialize(reference, theirs->Collect());
    // prometheus-cpp writes HELP raw; the text format (and ours) escapes it.
    std::string expected = reference.str();
    const std::string raw_help = "# HELP ops_total Operations \\ done\nso far";
    ASSERT_NE(expected.find(raw_help), std::string::npos);
    expected.replace(expected.find(raw_help), raw_help.size(), "# HELP ops_total Operations \\\\ done\\nso far");
    EXPECT_EQ(families_of(render_scrape(registry, ScrapeFormat::kText)), families_of(expected)) << "seed " << seed;

    std::string openmetrics;
    render_openmetrics(theirs->Collect(), openmetrics);
    EXPECT_EQ(families_of(render_scrape(registry, ScrapeFormat::kOpenMetrics)), families_of(openmetrics)) << "seed " << seed;
  }
}
