// Scrape cost: rendering 1k, 10k and 100k series (histograms, then counters) to the Prometheus
// text format. agentmetrics does what /metrics does (merge the shards into the exposition
// model, then write the text); its peer, in the same binary and run, is prometheus-cpp doing
// what its Exposer does for the same series (Registry::Collect, then TextSerializer). Two more
// rows split the cost: each writer alone on the same prebuilt families.
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <benchmark/benchmark.h>

#include <memory>
#include <sstream>

#include "ipc/catalogue.h"
#include "collector/expose/merge_shards.h"
#include "collector/expose/prometheus_text.h"

using namespace agentmetrics;
using namespace agentmetrics::collector;

namespace {

const std::vector<double> kBuckets = {60, 300, 900, 1800, 3600};

// The labels of series i: the catalogue's task labels, spread the way agents spread them.
std::vector<std::string> task_labels(std::size_t i) {
  return {"agent_" + std::to_string(i % 10), "type_" + std::to_string(i / 10 % 100), "stage_" + std::to_string(i / 1000),
          i % 2 ? "true" : "false"};
}

struct Ours {
  explicit Ours(std::size_t series, bool histograms) : registry(series) {
    ipc::FamilyDecl decl;
    decl.name = histograms ? "opencode_task_duration_seconds" : "opencode_task_events_total";
    decl.help = "Task completion duration in seconds";
    decl.type = histograms ? ipc::MetricType::kHistogram : ipc::MetricType::kCounter;
    decl.label_names = {"agent_type", "task_type", "stage", "success"};
    if (histograms) decl.buckets = kBuckets;
    const auto* family = std::get<const RegisteredFamily*>(registry.register_family(decl));
    shard.begin_batch();
    for (std::size_t i = 0; i < series; ++i) {
      SeriesAggregate* s = shard.series(*family, task_labels(i));
      const auto op = histograms ? ipc::Op::kHistogramObserve : ipc::Op::kCounterAdd;
      for (int k = 0; k < 3; ++k)
        shard.apply(*s, ipc::Record{0, static_cast<std::uint16_t>(op), 0, static_cast<double>((i + k * 700) % 4000)});
    }
  }
  FamilyRegistry registry;
  Shard shard;
  SelfMetrics self;
};

struct Theirs {
  explicit Theirs(std::size_t series, bool histograms) : registry(std::make_shared<prometheus::Registry>()) {
    if (histograms) {
      auto& family = prometheus::BuildHistogram()
                         .Name("opencode_task_duration_seconds")
                         .Help("Task completion duration in seconds")
                         .Register(*registry);
      for (std::size_t i = 0; i < series; ++i) {
        const auto l = task_labels(i);
        auto& h = family.Add({{"agent_type", l[0]}, {"task_type", l[1]}, {"stage", l[2]}, {"success", l[3]}}, kBuckets);
        for (int k = 0; k < 3; ++k) h.Observe(static_cast<double>((i + k * 700) % 4000));
      }
    } else {
      auto& family =
          prometheus::BuildCounter().Name("opencode_task_events_total").Help("Task completion duration in seconds").Register(*registry);
      for (std::size_t i = 0; i < series; ++i) {
        const auto l = task_labels(i);
        auto& c = family.Add({{"agent_type", l[0]}, {"task_type", l[1]}, {"stage", l[2]}, {"success", l[3]}});
        for (int k = 0; k < 3; ++k) c.Increment(static_cast<double>((i + k * 700) % 4000));
      }
    }
  }
  std::shared_ptr<prometheus::Registry> registry;
};

void report(benchmark::State& state, std::size_t bytes) {
  state.counters["series"] = static_cast<double>(state.range(0));
  state.counters["bytes"] = static_cast<double>(bytes);
}

template <bool kHistograms>
void BM_AgentmetricsScrape(benchmark::State& state) {
  Ours ours(static_cast<std::size_t>(state.range(0)), kHistograms);
  std::size_t bytes = 0;
  std::string text;  // reused from scrape to scrape, as agentmetricsd's /metrics does
  for (auto _ : state) {
    text.clear();
    render_text(collect_families(ours.registry, {&ours.shard}, ours.self), text);
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  report(state, bytes);
}

template <bool kHistograms>
void BM_PrometheusCppScrape(benchmark::State& state) {
  Theirs theirs(static_cast<std::size_t>(state.range(0)), kHistograms);
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, theirs.registry->Collect());
    bytes = out.str().size();
    benchmark::DoNotOptimize(bytes);
  }
  report(state, bytes);
}

template <bool kHistograms>
void BM_AgentmetricsWriterOnly(benchmark::State& state) {
  Ours ours(static_cast<std::size_t>(state.range(0)), kHistograms);
  const auto families = collect_families(ours.registry, {&ours.shard}, ours.self);
  std::size_t bytes = 0;
  std::string text;
  for (auto _ : state) {
    text.clear();
    render_text(families, text);
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  report(state, bytes);
}

template <bool kHistograms>
void BM_PrometheusCppSerializerOnly(benchmark::State& state) {
  Ours ours(static_cast<std::size_t>(state.range(0)), kHistograms);
  const auto families = collect_families(ours.registry, {&ours.shard}, ours.self);
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, families);
    bytes = out.str().size();
    benchmark::DoNotOptimize(bytes);
  }
  report(state, bytes);
}

#define SCRAPE_BENCH(fn)                                                                                                          \
  BENCHMARK_TEMPLATE(fn, true)->Name(#fn "/histograms")->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond); \
  BENCHMARK_TEMPLATE(fn, false)->Name(#fn "/counters")->RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond)

SCRAPE_BENCH(BM_AgentmetricsScrape);
SCRAPE_BENCH(BM_PrometheusCppScrape);
SCRAPE_BENCH(BM_AgentmetricsWriterOnly);
SCRAPE_BENCH(BM_PrometheusCppSerializerOnly);

}  // namespace

BENCHMARK_MAIN();
