// The session import inside agentmetricsd (configuration import.sources, docs/import.md): a
// thread of its own that imports everything once at start, then watches the agents'
// directories with inotify and reads a file again once its writer pauses (a session still
// being written is read up to its last complete line, and read on when it grows), with a full
// pass every so often for what inotify could not say (a queue overflow, a directory it could
// not watch). Its marks are in the store, so after a restart, or a SIGKILL, it goes on where
// it stopped.
//
// What the agents spent while the daemon watched goes into the agent families (tokens, cost,
// tool calls, API requests, sessions) as it grows, unless the OTLP receiver counts that
// session (session_count_ledger.h). The history found at start is stored, not counted: a
// counter that jumped by months of spend at start would read as that spend now.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include "collector/intake/otlp/agent_families.h"
#include "collector/intake/session_count_ledger.h"
#include "collector/intake/sessions/session_import.h"

namespace agentmetrics::intake {

struct WatcherOptions {
  ImportOptions import;
  std::string store_path;
  std::string store_url{};                    // a team store (PostgreSQL): the marks and tasks go there, not to store_path
  std::chrono::milliseconds settle{1000};     // quiet after a change before the file is read
  std::chrono::milliseconds max_delay{5000};  // a file written without a pause is read this often
  std::chrono::seconds rescan{300};           // a full pass
  std::chrono::seconds retry{10};             // after the store could not be opened
  std::function<void()> on_stored;            // after a pass that stored sessions (the KPIs refresh)
};

class SessionWatcher {
 public:
  // `families` and `ledger` may be null (nothing counted; every session counted).
  SessionWatcher(WatcherOptions options, AgentFamilies* families, SessionCountLedger* ledger, prometheus::Registry& registry);
  ~SessionWatcher();
  SessionWatcher(const SessionWatcher&) = delete;
  SessionWatcher& operator=(const SessionWatcher&) = delete;

  void start();
  void stop();
  // Passes finished so far (the first is the import at start), for tests and /health.
  std::uint64_t passes() const { return passes_.load(std::memory_order_acquire); }

 private:
  void run();
  void count(const SessionUpdate& update);
  void record(const ImportReport& report);

  WatcherOptions options_;
  AgentFamilies* families_;
  SessionCountLedger* ledger_;
  std::thread thread_;
  int stop_fd_ = -1;
  std::atomic<std::uint64_t> passes_{0};  // release by the thread, acquire by readers
  bool counting_ = false;                 // the watcher thread's own: false during the first pass

  prometheus::Counter& sessions_;
  prometheus::Counter& problems_;
  prometheus::Counter& passes_total_;
  prometheus::Gauge& last_pass_seconds_;
};

}  // namespace agentmetrics::intake
