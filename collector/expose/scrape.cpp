#include "collector/expose/scrape.h"

#include <optional>

#include "collector/aggregate/series_reader.h"
#include "collector/expose/openmetrics_text.h"
#include "collector/expose/prometheus_text.h"
#include "collector/expose/protobuf_exposition.h"

namespace agentmetrics::collector {

std::unique_ptr<FamilyWriter> make_family_writer(ScrapeFormat format) {
  switch (format) {
    case ScrapeFormat::kOpenMetrics: return std::make_unique<OpenMetricsWriter>();
    case ScrapeFormat::kProtobuf: return std::make_unique<ProtobufWriter>();
    case ScrapeFormat::kText: break;
  }
  return std::make_unique<TextWriter>();
}

const char* content_type(ScrapeFormat format) {
  switch (format) {
    case ScrapeFormat::kOpenMetrics: return kOpenMetricsContentType;
    case ScrapeFormat::kProtobuf: return kProtobufContentType;
    case ScrapeFormat::kText: break;
  }
  return kTextContentType;
}

void write_scrape(const FamilyRegistry& registry, const OwnFamilies& own, const ScrapeOptions& options, BufferPool& buffers,
                  const std::function<bool(std::string_view)>& write) {
  const auto writer = make_family_writer(options.format);
  SeriesReader reader(registry);
  std::string text = buffers.acquire();
  std::string zipped = options.gzip ? buffers.acquire() : std::string();
  std::optional<GzipStream> zip;
  if (options.gzip) zip.emplace();
  bool client_there = true;
  auto send = [&](bool last) {
    if (zip) {
      zip->write(text, last, zipped);
      client_there = client_there && (zipped.empty() || write(zipped));
      zipped.clear();
    } else {
      client_there = client_there && (text.empty() || write(text));
    }
    text.clear();
  };
  const std::function<void()> send_when_full = [&] {
    if (text.size() < options.chunk_bytes) return;
    if (client_there) {
      send(false);
    } else {
      text.clear();  // nobody to send it to: the rest of the family is written and dropped
    }
  };
  for (const RegisteredFamily* family : registry.families()) {
    if (!client_there) break;
    writer->write(*family, reader, text, send_when_full);
  }
  if (own && client_there) own([&](const prometheus::MetricFamily& family) { writer->write(family, text, send_when_full); });
  writer->finish(text);
  send(true);
  buffers.release(std::move(text));
  if (options.gzip) buffers.release(std::move(zipped));
}

std::string render_scrape(const FamilyRegistry& registry, ScrapeFormat format, const OwnFamilies& own) {
  BufferPool buffers;
  std::string body;
  write_scrape(registry, own, ScrapeOptions{.format = format, .gzip = false, .chunk_bytes = 256 * 1024}, buffers,
               [&](std::string_view chunk) {
                 body += chunk;
                 return true;
               });
  return body;
}

}  // namespace agentmetrics::collector
