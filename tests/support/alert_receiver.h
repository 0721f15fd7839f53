// A real HTTP receiver of the collector's alert webhooks (tests/tools/webhook_receiver.py) in its
// own process: every POST body lands as one line of a file.
#pragma once

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/process.h"
#include "tests/support/test_paths.h"

namespace agentmetrics::testing {

class AlertReceiver {
 public:
  explicit AlertReceiver(const std::string& dir)
      : bodies_(dir + "/alerts.jsonl"), process_({"/usr/bin/python3", kWebhookReceiverScript, bodies_}) {
    const std::regex port("port=([0-9]+)");
    for (int i = 0; i < 200 && port_ == 0; ++i) {
      std::smatch m;
      const std::string out = process_.output();
      if (std::regex_search(out, m, port)) port_ = std::stoi(m[1]);
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/alerts"; }
  int port() const { return port_; }
  std::vector<nlohmann::json> bodies() const {
    std::vector<nlohmann::json> out;
    std::ifstream in(bodies_);
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }
  std::vector<nlohmann::json> wait_for(std::size_t n) const {
    auto got = bodies();
    for (int i = 0; i < 400 && got.size() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      got = bodies();
    }
    return got;
  }

 private:
  std::string bodies_;
  Process process_;
  int port_ = 0;
};

}  // namespace agentmetrics::testing
