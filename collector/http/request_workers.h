// The threads that run the listener's handlers, so that its I/O threads only read and write:
// a handler that blocks (a scrape streaming to a slow reader, a query waiting for the store)
// holds a worker, never another client's connection, and never the probes, which are answered
// on the I/O threads.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace agentmetrics::collector {

class RequestWorkers {
 public:
  // `threads` handlers run at once; at most `max_waiting` more wait for one.
  RequestWorkers(int threads, std::size_t max_waiting);
  // Lets the running jobs finish; the waiting ones are dropped (their connections close).
  ~RequestWorkers();
  RequestWorkers(const RequestWorkers&) = delete;
  RequestWorkers& operator=(const RequestWorkers&) = delete;

  // False, and `job` not taken, when max_waiting jobs wait already.
  bool try_post(std::function<void()> job);

 private:
  void run();

  const std::size_t max_waiting_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> waiting_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace agentmetrics::collector
