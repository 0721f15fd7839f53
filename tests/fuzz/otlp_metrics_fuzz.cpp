// Fuzzes the OTLP metrics request read in place (collector/intake/otlp/metrics_request_view.h)
// against the generated classes, over the input as an ExportMetricsServiceRequest's bytes.
// Oracles: no crash, hang or sanitizer report; whatever the in-place reader accepts, the
// generated classes accept too (so no body the receiver used to refuse is taken), and both map
// it to the same families, counts and sessions, taken in twice (a retried export).
#include <google/protobuf/stubs/logging.h>

#include <cstdint>
#include <string_view>

#include "tests/fuzz/fuzz_support.h"
#include "tests/support/otlp_in_place_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Every string that is not UTF-8 is logged by the generated classes: the log is not fuzzed.
  static const bool quiet = [] {
    google::protobuf::SetLogHandler(nullptr);
    return true;
  }();
  (void)quiet;
  const auto check = agentmetrics::testing::check_in_place(std::string_view(reinterpret_cast<const char*>(data), size), /*times=*/2);
  if (check.read_in_place && !check.generated_parsed) agentmetrics::fuzz::fail("read in place, refused by the generated classes");
  if (check.in_place != check.generated) {
    agentmetrics::fuzz::fail("mapped otherwise than by the generated classes", check.generated + "\n---\n" + check.in_place);
  }
  return 0;
}
