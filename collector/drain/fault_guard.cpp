#include "collector/drain/fault_guard.h"

#include <signal.h>

#include <mutex>

namespace agentmetrics::collector {
namespace detail {
thread_local sigjmp_buf* t_fault_target = nullptr;
}  // namespace detail

namespace {

void on_fault(int signo, siginfo_t*, void*) {
  if (sigjmp_buf* target = detail::t_fault_target) siglongjmp(*target, 1);
  // Not ours: restore the default action; returning re-executes the access, which now
  // terminates the process with the usual core dump.
  signal(signo, SIG_DFL);
}

}  // namespace

void install_fault_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = on_fault;
    // SA_NODEFER and no sa_mask: the guard's siglongjmp does not restore the mask (fault_guard.h).
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, nullptr);
    sigaction(SIGSEGV, &sa, nullptr);
  });
}

}  // namespace agentmetrics::collector
