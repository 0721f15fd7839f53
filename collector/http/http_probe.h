// Asks a collector's listener one GET and reads the status: how `cm doctor` learns whether
// agentmetricsd answers on the address the configuration gives it. Beast, like the listener.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "collector/http/listen_address.h"

namespace agentmetrics::collector {

struct ProbeResult {
  std::optional<int> status;  // the HTTP status, when there was an answer
  std::string error;          // why there was none
};

// GET `target` from `address` within `timeout` (resolving, connecting, writing and reading
// together). An address of every interface (empty, 0.0.0.0, ::) is reached on the loopback.
ProbeResult probe_http(const ListenAddress& address, const std::string& target, std::chrono::milliseconds timeout);

}  // namespace agentmetrics::collector
