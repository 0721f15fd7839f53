// The OTLP/gRPC receiver (OTLP specification, "OTLP/gRPC"): the metrics, logs and trace
// collector services on one gRPC server (Debian's gRPC), whose messages meet the same intake
// as OTLP/HTTP's. gRPC itself takes care of compression and of the message size limit
// (RESOURCE_EXHAUSTED past it). The same rights as the HTTP routes: a bearer token in the
// `authorization` metadata, or a loopback peer while loopbackWithoutToken holds
// (UNAUTHENTICATED otherwise); UNAVAILABLE, which exporters retry, while the store is too far
// behind. Its threads are bounded.
#pragma once

#include <memory>
#include <string>

#include "collector/http/access_policy.h"
#include "collector/intake/durable_intake.h"
#include "collector/intake/otlp/otlp_intake.h"

namespace agentmetrics::intake {

class OtlpGrpcServer {
 public:
  // `listen_address` as the collector's (HOST:PORT, [V6]:PORT, :PORT). Throws
  // std::runtime_error naming the address when it cannot listen there.
  OtlpGrpcServer(const std::string& listen_address, OtlpIntake& intake, const DurableIntake* backlog, const collector::AccessPolicy& access,
                 std::size_t max_message_bytes);
  ~OtlpGrpcServer();
  OtlpGrpcServer(const OtlpGrpcServer&) = delete;
  OtlpGrpcServer& operator=(const OtlpGrpcServer&) = delete;

  int port() const { return port_; }

 private:
  struct Services;
  std::unique_ptr<Services> services_;
  int port_ = 0;
};

}  // namespace agentmetrics::intake
