// Survives faults on memory a producer controls. A producer can truncate its segment file
// under the collector (SIGBUS on the next access) or otherwise break the mapping; as LTTng's
// consumer does, every access to a segment runs under this guard, and a fault abandons that
// segment instead of killing the collector.
#pragma once

#include <atomic>
#include <csetjmp>

namespace agentmetrics::collector {

namespace detail {
// The jump target of the calling thread while it is inside guarded(); null otherwise.
extern thread_local sigjmp_buf* t_fault_target;
}  // namespace detail

// Installs the SIGBUS/SIGSEGV handler once per process. A fault outside guarded() still
// crashes as it would without the handler.
void install_fault_handler();

// Runs fn() and returns true, or returns false if fn() faulted on memory. fn must not own
// resources that need unwinding (it is left by siglongjmp): copy bytes out, nothing more.
template <typename Fn>
bool guarded(Fn&& fn) {
  sigjmp_buf target;
  // The signal mask is not saved (two system calls per guarded access otherwise): the handler
  // runs with SA_NODEFER and an empty sa_mask, so leaving it by siglongjmp leaves the mask as
  // it was.
  if (sigsetjmp(target, 0) != 0) {
    detail::t_fault_target = nullptr;
    return false;
  }
  detail::t_fault_target = &target;
  // The handler runs on this thread: signal fences keep the compiler from moving the target's
  // store after fn()'s accesses, or its reset before them.
  std::atomic_signal_fence(std::memory_order_seq_cst);
  fn();
  std::atomic_signal_fence(std::memory_order_seq_cst);
  detail::t_fault_target = nullptr;
  return true;
}

}  // namespace agentmetrics::collector
