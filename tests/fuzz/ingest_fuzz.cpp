// Fuzzes one report parser (AM_INGEST_FORMAT: junit, lcov, cobertura or sarif) over a file
// holding the input, as `agentmetrics ingest FORMAT FILE` reads it.
// Oracles: no crash, hang or sanitizer report; a report is refused only with IngestError
// (docs/ingest.md: any other exception is a bug); every event returned passes check_event.
#include <string>

#include "tests/fuzz/fuzz_support.h"
#include "collector/ingest/ingest.h"
#include "collector/ingest/ingest_error.h"

#ifndef AM_INGEST_FORMAT
#error "define AM_INGEST_FORMAT"
#endif

using namespace agentmetrics;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = fuzz::input_file(data, size, "report." AM_INGEST_FORMAT);
  try {
    for (const auto& event : ingest::ingest(AM_INGEST_FORMAT, path)) {
      if (const std::string why = ipc::check_event(event); !why.empty()) fuzz::fail("the parser returned an invalid event", why);
    }
  } catch (const ingest::IngestError&) {
    // A refused report: what the parser is for.
  }
  return 0;
}
