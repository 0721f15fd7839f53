#include "collector/http/request_workers.h"

#include <pthread.h>

#include <algorithm>
#include <exception>

#include "collector/common/log.h"

namespace agentmetrics::collector {

RequestWorkers::RequestWorkers(int threads, std::size_t max_waiting) : max_waiting_(max_waiting) {
  for (int i = 0; i < std::max(1, threads); ++i) {
    threads_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "am-http-work");
      run();
    });
  }
}

RequestWorkers::~RequestWorkers() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    waiting_.clear();
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

bool RequestWorkers::try_post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || waiting_.size() >= max_waiting_) return false;
    waiting_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void RequestWorkers::run() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !waiting_.empty(); });
      if (stopping_) return;
      job = std::move(waiting_.front());
      waiting_.pop_front();
    }
    try {
      job();
    } catch (const std::exception& e) {
      log(LogLevel::kError, "HTTP handler failed", {{"error", e.what()}});
    }
  }
}

}  // namespace agentmetrics::collector
