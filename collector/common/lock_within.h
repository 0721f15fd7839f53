// Waiting a bounded time for a mutex. std::timed_mutex::try_lock_for would do, but libstdc++
// builds it on pthread_mutex_clocklock, which GCC 12's ThreadSanitizer does not intercept: it
// then takes every unlock for the unlock of a mutex nobody locked. Trying every millisecond
// costs nothing here (an API request waiting for the one store connection).
#pragma once

#include <chrono>
#include <mutex>
#include <thread>

namespace agentmetrics {

// A lock of `mutex`, owning it unless `limit` passed first.
inline std::unique_lock<std::mutex> lock_within(std::mutex& mutex, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  std::unique_lock lock(mutex, std::try_to_lock);
  while (!lock.owns_lock() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    lock.try_lock();
  }
  return lock;
}

}  // namespace agentmetrics
