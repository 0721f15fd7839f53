// One /metrics answer: every producers' family straight from the shards, then the collector's
// own families, in the negotiated format, sent in chunks as it is written (gzip as one member
// across them). Nothing holds more than one family's worth of a scrape: no model of the series,
// no whole body.
#pragma once

#include <prometheus/metric_family.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "collector/aggregate/family_registry.h"
#include "collector/expose/buffer_pool.h"
#include "collector/expose/family_writer.h"
#include "collector/expose/http_encoding.h"

namespace agentmetrics::collector {

// The writer and the Content-Type of a format.
std::unique_ptr<FamilyWriter> make_family_writer(ScrapeFormat format);
const char* content_type(ScrapeFormat format);

// The collector's own families (self metrics, KPI gauges, process metrics), handed to `sink`
// one at a time.
using FamilySink = std::function<void(const prometheus::MetricFamily&)>;
using OwnFamilies = std::function<void(const FamilySink& sink)>;

struct ScrapeOptions {
  ScrapeFormat format = ScrapeFormat::kText;
  bool gzip = false;
  std::size_t chunk_bytes = 256 * 1024;  // about this much is handed to `write` at a time
};

// Writes a whole body to `write` in chunks, with buffers from `buffers` (kept from one scrape
// to the next). Stops writing once `write` returns false (the client is gone).
void write_scrape(const FamilyRegistry& registry, const OwnFamilies& own, const ScrapeOptions& options, BufferPool& buffers,
                  const std::function<bool(std::string_view)>& write);
// The whole body as one string, for tests and benchmarks.
std::string render_scrape(const FamilyRegistry& registry, ScrapeFormat format, const OwnFamilies& own = nullptr);

}  // namespace agentmetrics::collector
