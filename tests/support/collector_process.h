// A real agentmetricsd for integration tests: its own namespace, an ephemeral port on
// loopback, stopped with SIGTERM.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/metrics_text.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace agentmetrics::testing {

// A namespace no other test or run uses.
std::string unique_namespace(const std::string& tag);

class CollectorProcess {
 public:
  // env: added to the test's environment for the daemon. Without --store in extra_args or
  // AGENTMETRICS_STORE in env, the daemon gets a private store, removed with this object.
  explicit CollectorProcess(const std::string& ns, std::vector<std::string> extra_args = {}, std::map<std::string, std::string> env = {});
  ~CollectorProcess();

  int port() const { return port_; }
  std::string url(const std::string& path) const;
  std::string scrape() const;  // GET /metrics; throws on a non-200 answer
  Samples samples() const { return parse_samples(scrape()); }
  Process& process() { return *process_; }
  // The port of the OTLP receiver of `protocol` ("http" or "grpc"); 0 when it does not listen.
  int otlp_port(const std::string& protocol) const;
  // The store this daemon writes ("" when the test named its own).
  const std::string& store_path() const { return owned_store_; }
  // SIGTERM, then the exit status.
  int stop();

 private:
  std::unique_ptr<Process> process_;
  int port_ = 0;
  std::unique_ptr<TempDir> store_dir_;  // the private store's directory, when the test named none
  std::string owned_store_;
};

}  // namespace agentmetrics::testing
