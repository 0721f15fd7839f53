// Reads what a collector has committed to its event store, from the test's side.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace agentmetrics::testing {

struct StoredEvent {
  std::string kind;
  double time = 0;
  nlohmann::json fields;
};

// Every stored event, oldest first; empty while the store does not exist yet.
std::vector<StoredEvent> stored_events(const std::string& store_path);
// Polls until the store holds at least `count` events (or `timeout` passes); returns them.
std::vector<StoredEvent> wait_for_stored_events(const std::string& store_path, std::size_t count,
                                                std::chrono::seconds timeout = std::chrono::seconds(30));

}  // namespace agentmetrics::testing
