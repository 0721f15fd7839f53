#include "ipc/doorbell.h"

#include <linux/futex.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

namespace agentmetrics::ipc {

void ring_doorbell(SegmentHeader& header) noexcept {
  // acq_rel exchange: exactly one producer sees 1 and pays for the wake.
  if (header.consumer_sleeping.exchange(0, std::memory_order_acq_rel) == 0) return;
  // Release: a collector that sees the new value (FUTEX_WAIT compares it) sees our push.
  header.doorbell.fetch_add(1, std::memory_order_release);
  // A shared futex (no FUTEX_PRIVATE_FLAG): the collector is another process.
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&header.doorbell), FUTEX_WAKE, INT_MAX, nullptr, nullptr, 0);
}

bool register_for_heavy_fence() noexcept { return ::syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0) == 0; }

bool heavy_fence_available() noexcept {
  const long commands = ::syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
  return commands > 0 && (commands & MEMBARRIER_CMD_GLOBAL_EXPEDITED) != 0;
}

bool heavy_fence() noexcept { return ::syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0) == 0; }

}  // namespace agentmetrics::ipc
