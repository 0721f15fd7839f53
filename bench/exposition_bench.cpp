// Scrape cost: rendering 1k, 10k and 100k series (histograms, then counters). agentmetrics does
// what /metrics does (its families written straight from the shards, one series at a time, in
// 256 KiB chunks handed to the HTTP layer, here to a sink that counts them), in each format it
// serves: the text format, OpenMetrics, the text format gzipped, and the protobuf format, with
// native histograms too. Its peer, in the same binary and run, is prometheus-cpp doing what its
// Exposer does for the same series (Registry::Collect, then TextSerializer; then, for the gzip
// rows, zlib as its handler.cc calls it). Then the two compressors alone on the same text: ISA-L's
// igzip as /metrics runs it, zlib as prometheus-cpp does. Both sides run on mimalloc, as
// agentmetricsd does.
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <benchmark/benchmark.h>
#include <zlib.h>

#include <memory>
#include <sstream>
#include <stdexcept>

#include "collector/aggregate/shard.h"
#include "collector/expose/http_encoding.h"
#include "collector/expose/scrape.h"

using namespace agentmetrics;
using namespace agentmetrics::collector;

namespace {

const std::vector<double> kBuckets = {60, 300, 900, 1800, 3600};
constexpr const char* kHistogramName = "opencode_task_duration_seconds";
constexpr const char* kCounterName = "opencode_task_events_total";

// The labels of series i: the catalogue's task labels, spread the way agents spread them.
std::vector<std::string> task_labels(std::size_t i) {
  return {"agent_" + std::to_string(i % 10), "type_" + std::to_string(i / 10 % 100), "stage_" + std::to_string(i / 1000),
          i % 2 ? "true" : "false"};
}

// The observations of series i.
double observation(std::size_t i, int k) { return static_cast<double>((i + static_cast<std::size_t>(k) * 700) % 4000); }

std::map<std::string, NativeHistogramSettings> native_histograms(bool native) {
  if (!native) return {};
  return {{kHistogramName, NativeHistogramSettings{}}};
}

struct Ours {
  Ours(std::size_t series, bool histograms, bool native = false)
      : registry(SeriesBounds{.series_per_family = series, .series = series}, native_histograms(native)) {
    ipc::FamilyDecl decl;
    decl.name = histograms ? kHistogramName : kCounterName;
    decl.help = "Task completion duration in seconds";
    decl.type = histograms ? ipc::MetricType::kHistogram : ipc::MetricType::kCounter;
    decl.label_names = {"agent_type", "task_type", "stage", "success"};
    if (histograms) decl.buckets = kBuckets;
    const auto* family = std::get<const RegisteredFamily*>(registry.register_family(decl));
    shard.begin_batch();
    for (std::size_t i = 0; i < series; ++i) {
      Admission admission = registry.acquire_series(*family, task_labels(i));
      SeriesAggregate* s = shard.aggregate(*admission.series);
      held.push_back(std::move(admission.series));
      const auto op = histograms ? ipc::Op::kHistogramObserve : ipc::Op::kCounterAdd;
      for (int k = 0; k < 3; ++k) shard.apply(*s, ipc::Record{0, static_cast<std::uint16_t>(op), 0, observation(i, k)});
    }
  }
  FamilyRegistry registry;
  Shard shard;
  std::vector<SeriesHold> held;
};

struct Theirs {
  explicit Theirs(std::size_t series, bool histograms) : registry(std::make_shared<prometheus::Registry>()) {
    if (histograms) {
      auto& family = prometheus::BuildHistogram().Name(kHistogramName).Help("Task completion duration in seconds").Register(*registry);
      for (std::size_t i = 0; i < series; ++i) {
        const auto l = task_labels(i);
        auto& h = family.Add({{"agent_type", l[0]}, {"task_type", l[1]}, {"stage", l[2]}, {"success", l[3]}}, kBuckets);
        for (int k = 0; k < 3; ++k) h.Observe(observation(i, k));
      }
    } else {
      auto& family = prometheus::BuildCounter().Name(kCounterName).Help("Task completion duration in seconds").Register(*registry);
      for (std::size_t i = 0; i < series; ++i) {
        const auto l = task_labels(i);
        auto& c = family.Add({{"agent_type", l[0]}, {"task_type", l[1]}, {"stage", l[2]}, {"success", l[3]}});
        for (int k = 0; k < 3; ++k) c.Increment(observation(i, k));
      }
    }
  }
  std::shared_ptr<prometheus::Registry> registry;
};

// What prometheus-cpp's Exposer does to a body when the scraper accepts gzip (GZipCompress in
// its pull/src/handler.cc): zlib at its default level, window 15 with a gzip wrapper, memory
// level 9, the output grown 32 KiB at a time.
void prometheus_cpp_gzip(const std::string& input, std::string& output) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2 failed");
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  output.clear();
  output.reserve(input.size() / 2);
  int rc = Z_OK;
  do {
    zs.avail_out = 32768;
    output.resize(zs.total_out + zs.avail_out);
    zs.next_out = reinterpret_cast<Bytef*>(output.data() + zs.total_out);
    rc = deflate(&zs, Z_FINISH);
    output.resize(zs.total_out);
  } while (rc == Z_OK);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) throw std::runtime_error("deflate failed");
}

constexpr auto kText = ScrapeFormat::kText;
constexpr auto kOpenMetrics = ScrapeFormat::kOpenMetrics;
constexpr auto kProtobuf = ScrapeFormat::kProtobuf;

void report(benchmark::State& state, std::size_t bytes) {
  state.counters["series"] = static_cast<double>(state.range(0));
  state.counters["bytes"] = static_cast<double>(bytes);
}

template <bool kHistograms, ScrapeFormat kFormat, bool kGzip = false, bool kNative = false>
void BM_Agentmetrics(benchmark::State& state) {
  Ours ours(static_cast<std::size_t>(state.range(0)), kHistograms, kNative);
  BufferPool buffers;  // kept from scrape to scrape, as agentmetricsd keeps its own
  const ScrapeOptions options{.format = kFormat, .gzip = kGzip, .chunk_bytes = 256 * 1024};
  std::size_t bytes = 0;
  const std::function<bool(std::string_view)> sink = [&](std::string_view chunk) {
    bytes += chunk.size();
    benchmark::DoNotOptimize(chunk.data());
    return true;
  };
  for (auto _ : state) {
    bytes = 0;
    write_scrape(ours.registry, nullptr, options, buffers, sink);
  }
  report(state, bytes);
}

// Compression alone, of the same text (ours; prometheus-cpp's has its series in another order,
// so its gzip row's body is not the same size): igzip as /metrics runs it, 256 KiB at a time,
// beside zlib as prometheus-cpp's Exposer runs it.
template <bool kHistograms, bool kIgzip>
void BM_Compress(benchmark::State& state) {
  const std::string text = render_scrape(Ours(static_cast<std::size_t>(state.range(0)), kHistograms).registry, kText);
  constexpr std::size_t kChunk = 256 * 1024;
  std::string zipped;
  for (auto _ : state) {
    zipped.clear();
    if (kIgzip) {
      GzipStream stream;
      for (std::size_t at = 0; at < text.size(); at += kChunk) stream.write(std::string_view(text).substr(at, kChunk), false, zipped);
      stream.write("", true, zipped);
    } else {
      prometheus_cpp_gzip(text, zipped);
    }
    benchmark::DoNotOptimize(zipped.data());
  }
  report(state, zipped.size());
  state.counters["text_bytes"] = static_cast<double>(text.size());
}

template <bool kHistograms, bool kGzip = false>
void BM_PrometheusCpp(benchmark::State& state) {
  Theirs theirs(static_cast<std::size_t>(state.range(0)), kHistograms);
  std::size_t bytes = 0;
  std::string zipped;
  for (auto _ : state) {
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, theirs.registry->Collect());
    if (kGzip) {
      prometheus_cpp_gzip(out.str(), zipped);
      bytes = zipped.size();
    } else {
      bytes = out.str().size();
    }
    benchmark::DoNotOptimize(bytes);
  }
  report(state, bytes);
}

#define SIZES RangeMultiplier(10)->Range(1000, 100000)->Unit(benchmark::kMillisecond)
// Side by side, each size: text, then gzip, each beside prometheus-cpp; the two compressors alone
// on the same text; then ours alone in the other formats (prometheus-cpp 1.0 writes neither
// OpenMetrics nor protobuf).
BENCHMARK_TEMPLATE(BM_Agentmetrics, true, kText)->Name("agentmetrics/text/histograms")->SIZES;
BENCHMARK_TEMPLATE(BM_PrometheusCpp, true)->Name("prometheus-cpp/text/histograms")->SIZES;
BENCHMARK_TEMPLATE(BM_Agentmetrics, false, kText)->Name("agentmetrics/text/counters")->SIZES;
BENCHMARK_TEMPLATE(BM_PrometheusCpp, false)->Name("prometheus-cpp/text/counters")->SIZES;
BENCHMARK_TEMPLATE(BM_Agentmetrics, true, kText, true)->Name("agentmetrics/text+gzip/histograms")->SIZES;
BENCHMARK_TEMPLATE(BM_PrometheusCpp, true, true)->Name("prometheus-cpp/text+gzip/histograms")->SIZES;
BENCHMARK_TEMPLATE(BM_Agentmetrics, false, kText, true)->Name("agentmetrics/text+gzip/counters")->SIZES;
BENCHMARK_TEMPLATE(BM_PrometheusCpp, false, true)->Name("prometheus-cpp/text+gzip/counters")->SIZES;
BENCHMARK_TEMPLATE(BM_Compress, true, true)->Name("gzip-alone/igzip-1/histograms")->SIZES;
BENCHMARK_TEMPLATE(BM_Compress, true, false)->Name("gzip-alone/zlib-default/histograms")->SIZES;
BENCHMARK_TEMPLATE(BM_Compress, false, true)->Name("gzip-alone/igzip-1/counters")->SIZES;
BENCHMARK_TEMPLATE(BM_Compress, false, false)->Name("gzip-alone/zlib-default/counters")->SIZES;
BENCHMARK_TEMPLATE(BM_Agentmetrics, true, kOpenMetrics)->Name("agentmetrics/openmetrics/histograms")->SIZES;
BENCHMARK_TEMPLATE(BM_Agentmetrics, false, kOpenMetrics)->Name("agentmetrics/openmetrics/counters")->SIZES;
BENCHMARK_TEMPLATE(BM_Agentmetrics, true, kProtobuf)->Name("agentmetrics/protobuf/histograms")->SIZES;
BENCHMARK_TEMPLATE(BM_Agentmetrics, false, kProtobuf)->Name("agentmetrics/protobuf/counters")->SIZES;
BENCHMARK_TEMPLATE(BM_Agentmetrics, true, kProtobuf, false, true)->Name("agentmetrics/protobuf/native+classic histograms")->SIZES;

}  // namespace

BENCHMARK_MAIN();
