// The peer of the memory benchmark (load_generator): prometheus-cpp holding the same histogram
// series as agentmetricsd does in the same run (families of 10000 series, 4 labels, 5 buckets,
// each observed once) and serving them with its own Exposer on loopback, on mimalloc as the
// daemon is. Prints "port=N" once it serves, then waits to be killed.
//
// Usage: prometheus_cpp_exporter --series N
#include <prometheus/exposer.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

int main(int argc, char** argv) {
  if (argc != 3 || std::string(argv[1]) != "--series") {
    std::fprintf(stderr, "usage: prometheus_cpp_exporter --series N\n");
    return 2;
  }
  const long series = std::atol(argv[2]);
  constexpr long kPerFamily = 10000;
  auto registry = std::make_shared<prometheus::Registry>();
  for (long f = 0; f * kPerFamily < series; ++f) {
    auto& family = prometheus::BuildHistogram()
                       .Name("am_load_task_" + std::to_string(f) + "_duration_seconds")
                       .Help("Series of the memory benchmark")
                       .Register(*registry);
    for (long i = 0; i < kPerFamily && f * kPerFamily + i < series; ++i) {
      family
          .Add({{"agent_type", "agent_" + std::to_string(i % 10)},
                {"task_type", "type_" + std::to_string(i / 10 % 100)},
                {"stage", "stage_" + std::to_string(i / 1000)},
                {"success", i % 2 ? "true" : "false"}},
               prometheus::Histogram::BucketBoundaries{60, 300, 900, 1800, 3600})
          .Observe(static_cast<double>(i % 4000));
    }
  }
  prometheus::Exposer exposer("127.0.0.1:0", 2);
  exposer.RegisterCollectable(registry);
  std::printf("port=%d\n", exposer.GetListeningPorts().at(0));
  std::fflush(stdout);
  for (;;) ::pause();
}
