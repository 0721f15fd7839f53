// The OTLP/HTTP receiver (OTLP specification, "OTLP/HTTP"): POST /v1/metrics, /v1/logs and
// /v1/traces, each in application/x-protobuf or application/json, gzip or not. It answers 200
// with the signal's Export*ServiceResponse (a partial success naming what was rejected), 400 for
// a body that cannot be read, 413 past the size limit, 415 for another media type or encoding,
// and 429 with Retry-After while the store is too far behind to take more; refusals carry a
// google.rpc.Status in the request's encoding. The routes are private (access_policy.h): a
// bearer token, or a loopback client while loopbackWithoutToken holds.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "collector/http/http_server.h"
#include "collector/intake/durable_intake.h"
#include "collector/intake/otlp/otlp_intake.h"
#include "collector/intake/otlp/parse_arenas.h"

namespace agentmetrics::intake {

class OtlpHttpRoutes {
 public:
  // `backlog` may be null (no store); `max_body_bytes` bounds a body before and after gzip.
  OtlpHttpRoutes(OtlpIntake& intake, const DurableIntake* backlog, std::size_t max_body_bytes);
  std::map<std::string, collector::HttpRoute> routes();
  // Protobuf metrics requests read in place, and parsed by the generated classes instead (another
  // shape, or bytes they refuse).
  std::uint64_t metrics_read_in_place() const { return read_in_place_.load(std::memory_order_relaxed); }
  std::uint64_t metrics_parsed() const { return parsed_.load(std::memory_order_relaxed); }

 private:
  template <typename Request, typename Response>
  collector::HttpResponse serve(const collector::HttpRequest& request);
  // A metrics request read in place (metrics_request_view.h) and taken in; false when the
  // generated classes are to read it.
  bool take_in_place(std::string_view bytes, IntakeTally& tally);

  // A thread's request views are kept for the next request after a body up to this size.
  static constexpr std::size_t kKeptViewBytes = 1 << 20;

  OtlpIntake& intake_;
  const DurableIntake* backlog_;
  const std::size_t max_body_bytes_;
  ParseArenas arenas_;
  std::atomic<std::uint64_t> read_in_place_{0}, parsed_{0};  // relaxed: counts
};

}  // namespace agentmetrics::intake
