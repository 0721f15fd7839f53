#include "collector/intake/otlp/otlp_http_routes.h"

#include <google/protobuf/util/json_util.h>
#include <google/rpc/status.pb.h>

#include <type_traits>

#include "collector/common/header_text.h"
#include "collector/intake/otlp/otlp_body.h"

namespace agentmetrics::intake {
namespace {

namespace collector_v1 = opentelemetry::proto::collector;

bool json_body(const collector::HttpRequest& request) {
  const std::string type = request.header("content-type");
  return ascii_lower(trim_blanks(std::string_view(type).substr(0, type.find(';')))) == "application/json";
}

// `message` in the request's encoding.
collector::HttpResponse answer(int status, const collector::HttpRequest& request, const google::protobuf::Message& message) {
  collector::HttpResponse response;
  response.status = status;
  if (json_body(request)) {
    response.content_type = "application/json";
    google::protobuf::util::MessageToJsonString(message, &response.body);
  } else {
    response.content_type = "application/x-protobuf";
    message.SerializeToString(&response.body);
  }
  return response;
}

collector::HttpResponse refusal(int status, const collector::HttpRequest& request, const std::string& message) {
  google::rpc::Status s;
  s.set_code(status == 429 ? 8 /* RESOURCE_EXHAUSTED */ : 3 /* INVALID_ARGUMENT */);
  s.set_message(message);
  collector::HttpResponse response = answer(status, request, s);
  if (status == 429) response.headers.emplace_back("Retry-After", "2");
  return response;
}

template <typename Response>
void set_partial_success(Response& response, const IntakeTally& tally);

template <>
void set_partial_success(collector_v1::metrics::v1::ExportMetricsServiceResponse& r, const IntakeTally& t) {
  r.mutable_partial_success()->set_rejected_data_points(t.rejected);
  r.mutable_partial_success()->set_error_message(t.rejection);
}
template <>
void set_partial_success(collector_v1::logs::v1::ExportLogsServiceResponse& r, const IntakeTally& t) {
  r.mutable_partial_success()->set_rejected_log_records(t.rejected);
  r.mutable_partial_success()->set_error_message(t.rejection);
}
template <>
void set_partial_success(collector_v1::trace::v1::ExportTraceServiceResponse& r, const IntakeTally& t) {
  r.mutable_partial_success()->set_rejected_spans(t.rejected);
  r.mutable_partial_success()->set_error_message(t.rejection);
}

}  // namespace

OtlpHttpRoutes::OtlpHttpRoutes(OtlpIntake& intake, const DurableIntake* backlog, std::size_t max_body_bytes)
    // Two blocks of up to 4 MiB: the requests parsed at once on a busy receiver, an export of a
    // few thousand points each; more, or larger, take memory of their own for the time they run.
    : intake_(intake), backlog_(backlog), max_body_bytes_(max_body_bytes), arenas_(2, 4 * 1024 * 1024) {}

bool OtlpHttpRoutes::take_in_place(std::string_view bytes, IntakeTally& tally) {
  // One view an I/O thread, its pools kept for the next request unless a large one grew them.
  thread_local MetricsRequestView view;
  if (!view.decode(bytes)) return false;
  tally = intake_.take(view);
  if (bytes.size() > kKeptViewBytes) view = MetricsRequestView();
  return true;
}

template <typename Request, typename Response>
collector::HttpResponse OtlpHttpRoutes::serve(const collector::HttpRequest& request) {
  if (backlog_ && backlog_->backlogged()) return refusal(429, request, "the store is behind; retry");
  UnpackedBody body;
  if (const auto refused =
          unpack_otlp_body(request.body, request.header("content-type"), request.header("content-encoding"), max_body_bytes_, body)) {
    return refusal(refused->status, request, refused->message);
  }
  IntakeTally tally;
  bool taken = false;
  if constexpr (std::is_same_v<Request, collector_v1::metrics::v1::ExportMetricsServiceRequest>) {
    // Metrics in protobuf, the receiver's bulk, are read in place; what that declines (another
    // shape, or bytes the generated classes refuse) is parsed below.
    if (!body.json) {
      taken = take_in_place(body.bytes, tally);
      (taken ? read_in_place_ : parsed_).fetch_add(1, std::memory_order_relaxed);
    }
  }
  if (!taken) {
    ParseArenas::Lease lease = arenas_.lease();
    Request& message = *google::protobuf::Arena::CreateMessage<Request>(&lease.arena());
    if (const auto refused = parse_otlp_body(body, message)) return refusal(refused->status, request, refused->message);
    tally = intake_.take(message);
  }
  Response response;
  if (tally.rejected > 0) set_partial_success(response, tally);
  return answer(200, request, response);
}

std::map<std::string, collector::HttpRoute> OtlpHttpRoutes::routes() {
  const auto route = [&](collector::HttpHandler handler) {
    collector::HttpRoute r;
    r.handler = std::move(handler);
    r.methods = {"POST"};
    r.access = collector::RouteAccess::kPrivate;
    // Answered on the I/O thread that read it: an export never waits (the store is handed its
    // events without a wait, a full store queue is a 429), and the hand-off to a worker and back
    // was a quarter of the receiver's CPU (docs/benchmarks.md). This listener serves only OTLP,
    // so an export being mapped delays only other exports.
    r.inline_handler = true;
    r.max_body_bytes = max_body_bytes_;
    r.post_media_types = {"application/x-protobuf", "application/json"};
    return r;
  };
  return {
      {"/v1/metrics", route([this](const collector::HttpRequest& r) {
         return serve<collector_v1::metrics::v1::ExportMetricsServiceRequest, collector_v1::metrics::v1::ExportMetricsServiceResponse>(r);
       })},
      {"/v1/logs", route([this](const collector::HttpRequest& r) {
         return serve<collector_v1::logs::v1::ExportLogsServiceRequest, collector_v1::logs::v1::ExportLogsServiceResponse>(r);
       })},
      {"/v1/traces", route([this](const collector::HttpRequest& r) {
         return serve<collector_v1::trace::v1::ExportTraceServiceRequest, collector_v1::trace::v1::ExportTraceServiceResponse>(r);
       })},
  };
}

}  // namespace agentmetrics::intake
