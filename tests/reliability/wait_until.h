// Polling helpers for the reliability tests.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

#include "tests/support/collector_process.h"

namespace agentmetrics::testing {

// Polls `done` every 50 ms until it holds or `timeout` passes; returns its last answer.
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// Scrapes until `done` holds for the samples (or `timeout` passes); returns the last scrape.
inline Samples scrape_until(CollectorProcess& collector, const std::function<bool(const Samples&)>& done,
                            std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  Samples s;
  wait_until(
      [&] {
        s = collector.samples();
        return done(s);
      },
      timeout);
  return s;
}

}  // namespace agentmetrics::testing
