#include "tests/deploy/deploy_support.h"

#include <signal.h>

namespace agentmetrics::deploytest {

std::set<std::string> traced_collector_syscalls(std::string* diagnostics) {
  using agentmetrics::testing::kAgentmetricsCliBinary;
  using agentmetrics::testing::kCollectorBinary;
  using agentmetrics::testing::kDemoBinary;
  TempDir dir;
  const std::string trace = dir.path() + "/trace";
  const std::string ns = "deploy-trace-" + std::to_string(::getpid());
  // Nothing listens there: the KPI alert's POST is refused and retried, so libcurl's calls
  // are traced as well.
  const std::string webhook = "http://127.0.0.1:" + std::to_string(free_port()) + "/";
  const std::string config = dir.path() + "/agentmetrics.yml";
  write_file(config, "log:\n  level: debug\n");
  Process traced({kStrace, "-f", "-qq", "-o", trace, kCollectorBinary, "--config=" + config, "--web.listen-address=127.0.0.1:0",
                  "--namespace=" + ns, "--store=" + dir.path() + "/events.db"},
                 {{"ALERT_WEBHOOK_URL", webhook}});
  const std::regex started("collector started.*port=([0-9]+)");
  int port = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline && port == 0) {
    std::smatch m;
    const std::string out = traced.output();
    if (std::regex_search(out, m, started)) port = std::stoi(m[1]);
    if (traced.wait(std::chrono::milliseconds(0))) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (port == 0) throw std::runtime_error("agentmetricsd under strace did not start:\n" + traced.output());
  // The traced process is strace; the collector is the process its trace starts with.
  const std::regex first_line("^([0-9]+) ");
  std::smatch m;
  const std::string head = read_file(trace).substr(0, 200);
  if (!std::regex_search(head, m, first_line)) throw std::runtime_error("no pid in the trace: " + head);
  const pid_t collector = static_cast<pid_t>(std::stol(m[1]));

  const std::map<std::string, std::string> env{{"AGENTMETRICS_NAMESPACE", ns}};
  const std::string cli = kAgentmetricsCliBinary;
  std::string log;
  for (const auto& argv : std::vector<std::vector<std::string>>{
           {cli, "record", "task", "--agent_type", "build", "--task_type", "bugfix", "--success", "true", "--duration_seconds", "600"},
           {cli, "record", "coverage", "--percent", "50"},  // below the threshold: a KPI alert
           {cli, "exec", "--stage", "test", "--", "/bin/true"},
           {kDemoBinary, "0.5"}}) {
    auto r = run(argv, env);
    log += argv[0] + ": " + std::to_string(r.code) + " " + r.output + "\n";
  }
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  http_get(base + "/metrics", {{"Accept-Encoding", "gzip"}});
  http_get(base + "/metrics", {{"Accept", "application/openmetrics-text; version=1.0.0"}});
  for (const char* path : {"/health", "/readiness", "/version", "/"}) http_get(base + path);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // KPI refresh, the alert and a retry
  ::kill(collector, SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::kill(collector, SIGTERM);
  auto status = traced.wait(std::chrono::seconds(30));
  if (!status) throw std::runtime_error("agentmetricsd under strace did not stop:\n" + traced.output());
  if (diagnostics) *diagnostics = log + traced.output();

  std::set<std::string> calls;
  std::istringstream lines(read_file(trace));
  const std::regex call("^[0-9]+ +([a-z_][a-z0-9_]*)\\(");
  for (std::string line; std::getline(lines, line);) {
    std::smatch c;
    if (std::regex_search(line, c, call)) calls.insert(c[1]);
  }
  if (calls.size() < 20) throw std::runtime_error("the trace is too short:\n" + read_file(trace));
  return calls;
}

}  // namespace agentmetrics::deploytest
