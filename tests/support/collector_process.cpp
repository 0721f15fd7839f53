#include "tests/support/collector_process.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <regex>
#include <stdexcept>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/test_paths.h"

namespace agentmetrics::testing {

std::string unique_namespace(const std::string& tag) {
  static std::atomic<int> counter{0};
  return "t-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
}

CollectorProcess::CollectorProcess(const std::string& ns, std::vector<std::string> extra_args, std::map<std::string, std::string> env) {
  // The OTLP receivers on ports of their own, so that tests running at once never share one.
  std::vector<std::string> argv = {kCollectorBinary,
                                   "--web.listen-address=127.0.0.1:0",
                                   "--otlp.http.listen-address=127.0.0.1:0",
                                   "--otlp.grpc.listen-address=127.0.0.1:0",
                                   "--namespace=" + ns,
                                   "--log.level=debug"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  // Unless the test names a store (or gives the collector a HOME of its own, and so the store
  // there), the collector gets a private one, removed with it: never the user's own. Nor does
  // it read the user's configuration file unless the test says which one.
  const auto has_arg = [&](const char* prefix) {
    return std::any_of(extra_args.begin(), extra_args.end(), [&](const std::string& a) { return a.starts_with(prefix); });
  };
  const bool store_named = env.contains("AGENTMETRICS_STORE") || env.contains("HOME") || has_arg("--store");
  if (!has_arg("--config") && !env.contains("AGENTMETRICS_CONFIG") && !env.contains("HOME")) {
    env["AGENTMETRICS_CONFIG"] = "";
    env["XDG_CONFIG_HOME"] = "/nonexistent/agentmetrics-test";
  }
  if (!store_named) {
    // In a directory of its own: the collector refuses a store in one others may write, like /tmp.
    store_dir_ = std::make_unique<TempDir>();
    owned_store_ = store_dir_->path() + "/events.db";
    argv.push_back("--store=" + owned_store_);
  }
  process_ = std::make_unique<Process>(argv, std::move(env));
  // The text log says port=N, the JSON log "port":N.
  const std::regex started("collector started.*\"?port\"?[=:]([0-9]+)");
  // Generous: a sanitizer build on a loaded machine takes seconds to start gRPC and the store.
  constexpr auto kStartLimit = std::chrono::seconds(30);
  const auto deadline = std::chrono::steady_clock::now() + kStartLimit;
  while (std::chrono::steady_clock::now() < deadline) {
    std::smatch m;
    const std::string out = process_->output();
    if (std::regex_search(out, m, started)) {
      port_ = std::stoi(m[1]);
      return;
    }
    if (process_->wait(std::chrono::milliseconds(0))) throw std::runtime_error("agentmetricsd exited at start:\n" + process_->output());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("agentmetricsd did not start within " + std::to_string(kStartLimit.count()) + " s:\n" + process_->output());
}

int CollectorProcess::otlp_port(const std::string& protocol) const {
  const std::regex started("OTLP receivers started.*" + protocol + "_port\"?[=:]([0-9]+)");
  std::smatch m;
  const std::string out = process_->output();
  return std::regex_search(out, m, started) ? std::stoi(m[1]) : 0;
}

CollectorProcess::~CollectorProcess() {
  if (process_) stop();
}

std::string CollectorProcess::url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

std::string CollectorProcess::scrape() const {
  auto r = http_get(url("/metrics"));
  if (r.status != 200) throw std::runtime_error("scrape failed: status " + std::to_string(r.status) + " " + r.error);
  return r.body;
}

int CollectorProcess::stop() {
  process_->signal(SIGTERM);
  auto status = process_->wait(std::chrono::seconds(20));
  if (!status) {
    process_->signal(SIGKILL);
    status = process_->wait(std::chrono::seconds(5));
    return -1;
  }
  return exit_code(*status);
}

}  // namespace agentmetrics::testing
