// What one listener answered and what it turned away before a request was read, for the
// collector's self-metrics (agentmetrics_http_responses_total, _connections_refused_total): a
// refusal by the listener itself (a foreign Host, a missing credential, a body too large, no room)
// is visible to an operator, not only in the log.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace agentmetrics::collector {

struct HttpCounters {
  static constexpr int kFirstStatus = 100;
  static constexpr int kLastStatus = 599;

  // Relaxed: each count is read on its own and orders no other memory.
  void count_response(int status) {
    if (status < kFirstStatus || status > kLastStatus) return;
    responses[static_cast<std::size_t>(status - kFirstStatus)].fetch_add(1, std::memory_order_relaxed);
  }
  std::uint64_t responses_with(int status) const {
    if (status < kFirstStatus || status > kLastStatus) return 0;
    return responses[static_cast<std::size_t>(status - kFirstStatus)].load(std::memory_order_relaxed);
  }

  std::array<std::atomic<std::uint64_t>, kLastStatus - kFirstStatus + 1> responses{};
  std::atomic<std::uint64_t> connections_refused{0};  // over max_connections or the peer's share
};

}  // namespace agentmetrics::collector
