#include "collector/intake/otlp/otlp_grpc_server.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/resource_quota.h>
#include <opentelemetry/proto/collector/logs/v1/logs_service.grpc.pb.h>
#include <opentelemetry/proto/collector/metrics/v1/metrics_service.grpc.pb.h>
#include <opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h>

#include <chrono>
#include <stdexcept>

#include "collector/common/log.h"
#include "collector/http/listen_address.h"

namespace agentmetrics::intake {
namespace {

namespace v1 = opentelemetry::proto::collector;

// gRPC's peer text ("ipv4:127.0.0.1:41234", "ipv6:[::1]:41234", "ipv6:[::ffff:127.0.0.1]:1") on
// the loopback network.
bool loopback_peer(const std::string& peer) {
  return peer.rfind("ipv4:127.", 0) == 0 || peer.rfind("ipv6:[::1]:", 0) == 0 || peer.rfind("ipv6:[::ffff:127.", 0) == 0 ||
         peer.rfind("unix:", 0) == 0;
}

std::string grpc_address(const std::string& listen_address) {
  const collector::ListenAddress address = collector::parse_listen_address(listen_address);
  if (address.host.empty()) return "[::]:" + std::to_string(address.port);
  const bool v6 = address.host.find(':') != std::string::npos;
  return (v6 ? "[" + address.host + "]" : address.host) + ":" + std::to_string(address.port);
}

}  // namespace

// The three services and the server that holds them.
struct OtlpGrpcServer::Services {
  Services(OtlpIntake& into, const DurableIntake* store_backlog, const collector::AccessPolicy& rights)
      : intake(into), backlog(store_backlog), access(rights), metrics(*this), logs(*this), trace(*this) {}

  // What every Export does: the rights, the store's backlog, then the intake.
  template <typename Request, typename Response, typename SetPartial>
  grpc::Status take(grpc::ServerContext* context, const Request& request, Response* response, SetPartial set_partial) {
    std::string authorization;
    const auto& metadata = context->client_metadata();
    if (const auto it = metadata.find("authorization"); it != metadata.end()) authorization.assign(it->second.data(), it->second.size());
    const std::string peer = context->peer();
    const collector::AccessDecision decision =
        collector::check_private_access(access, {"GRPC", authorization, "", "", "", loopback_peer(peer)});
    if (decision.status != 0) {
      log(LogLevel::kWarn, "OTLP/gRPC request refused", {{"peer", peer}, {"reason", decision.reason}});
      return {grpc::StatusCode::UNAUTHENTICATED, decision.reason};
    }
    if (backlog && backlog->backlogged()) return {grpc::StatusCode::UNAVAILABLE, "the store is behind; retry"};
    const IntakeTally tally = intake.take(request);
    if (tally.rejected > 0) set_partial(*response, tally);
    return grpc::Status::OK;
  }

  struct Metrics final : v1::metrics::v1::MetricsService::Service {
    explicit Metrics(Services& s) : services(s) {}
    grpc::Status Export(grpc::ServerContext* c, const v1::metrics::v1::ExportMetricsServiceRequest* request,
                        v1::metrics::v1::ExportMetricsServiceResponse* response) override {
      return services.take(c, *request, response, [](auto& r, const IntakeTally& t) {
        r.mutable_partial_success()->set_rejected_data_points(t.rejected);
        r.mutable_partial_success()->set_error_message(t.rejection);
      });
    }
    Services& services;
  };
  struct Logs final : v1::logs::v1::LogsService::Service {
    explicit Logs(Services& s) : services(s) {}
    grpc::Status Export(grpc::ServerContext* c, const v1::logs::v1::ExportLogsServiceRequest* request,
                        v1::logs::v1::ExportLogsServiceResponse* response) override {
      return services.take(c, *request, response, [](auto& r, const IntakeTally& t) {
        r.mutable_partial_success()->set_rejected_log_records(t.rejected);
        r.mutable_partial_success()->set_error_message(t.rejection);
      });
    }
    Services& services;
  };
  struct Trace final : v1::trace::v1::TraceService::Service {
    explicit Trace(Services& s) : services(s) {}
    grpc::Status Export(grpc::ServerContext* c, const v1::trace::v1::ExportTraceServiceRequest* request,
                        v1::trace::v1::ExportTraceServiceResponse* response) override {
      return services.take(c, *request, response, [](auto& r, const IntakeTally& t) {
        r.mutable_partial_success()->set_rejected_spans(t.rejected);
        r.mutable_partial_success()->set_error_message(t.rejection);
      });
    }
    Services& services;
  };

  OtlpIntake& intake;
  const DurableIntake* backlog;
  const collector::AccessPolicy access;
  Metrics metrics;
  Logs logs;
  Trace trace;
  std::unique_ptr<grpc::Server> server;
};

OtlpGrpcServer::OtlpGrpcServer(const std::string& listen_address, OtlpIntake& intake, const DurableIntake* backlog,
                               const collector::AccessPolicy& access, std::size_t max_message_bytes)
    : services_(std::make_unique<Services>(intake, backlog, access)) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort(grpc_address(listen_address), grpc::InsecureServerCredentials(), &port_);
  // Not SO_REUSEPORT, gRPC's default: a second collector on the same port would otherwise share
  // it, and the kernel would split the exports between the two.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(static_cast<int>(std::min<std::size_t>(max_message_bytes, INT32_MAX)));
  // A few threads are enough for exporters that send every few seconds; the quota keeps a
  // flood of calls from making more.
  grpc::ResourceQuota quota("otlp");
  quota.SetMaxThreads(8);
  builder.SetResourceQuota(quota);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::NUM_CQS, 1);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 2);
  builder.RegisterService(&services_->metrics);
  builder.RegisterService(&services_->logs);
  builder.RegisterService(&services_->trace);
  services_->server = builder.BuildAndStart();
  if (!services_->server || port_ == 0) throw std::runtime_error("cannot listen for OTLP/gRPC on " + listen_address);
}

OtlpGrpcServer::~OtlpGrpcServer() {
  // Calls in flight get a moment to finish; then they are cancelled.
  services_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  services_->server->Wait();
}

}  // namespace agentmetrics::intake
