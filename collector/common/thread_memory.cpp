#include "collector/common/thread_memory.h"

#include <atomic>

namespace agentmetrics {
namespace {

// Set once by main() before any thread starts; relaxed is enough for a function pointer read
// by threads started after it.
std::atomic<void (*)()> g_release{nullptr};

}  // namespace

void set_thread_memory_release(void (*release)()) { g_release.store(release, std::memory_order_relaxed); }

void release_thread_memory() {
  if (auto* release = g_release.load(std::memory_order_relaxed)) release();
}

}  // namespace agentmetrics
