// The import of the sessions the agents wrote on disk (docs/import.md), for `agentmetrics
// import` and the watcher in agentmetricsd alike. A pass finds each agent's files (and
// opencode's database), reads what changed since the marks in the store (store/import_marks.h),
// several files at once, turns each session that changed into its task (one event per session,
// session_task.h) and commits the events with the new marks, a few hundred files a transaction.
// A session that grew is stored again as its fuller account (EventStore::replace), never twice;
// on a team store the sidecars share the marks, so a session one of them stored is not read again.
// A file that cannot be read leaves its session as it was: no half sessions.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "collector/intake/model_prices.h"
#include "collector/intake/session_task.h"
#include "collector/intake/sessions/import_report.h"
#include "collector/intake/sessions/session_account.h"
#include "collector/intake/sessions/session_sources.h"
#include "collector/store/import_marks.h"

namespace agentmetrics::store {
class EventStore;
class ImportMarks;
}  // namespace agentmetrics::store

namespace agentmetrics::intake {

struct ImportOptions {
  std::vector<SessionAgent> agents{std::begin(kSessionAgents), std::end(kSessionAgents)};
  std::map<SessionAgent, std::string> paths;  // instead of the agents' default locations
  Environment env = process_environment();
  double since = 0;      // unix seconds: leave out what did not change since
  bool dry_run = false;  // read and report, store nothing
  SessionPrivacy privacy;
  PriceTable prices = PriceTable::shipped();
  std::size_t max_line_bytes = std::size_t{64} << 20;
  unsigned threads = 0;                           // readers at once; 0: one per core
  std::size_t batch = 256;                        // files (or opencode sessions) a transaction
  std::chrono::milliseconds database_wait{2000};  // for a locked opencode database
  const std::atomic<bool>* cancel = nullptr;      // set: the pass stops after its current batch
};

// A session a pass stored, with its streams before and after (the watcher counts the growth).
struct SessionUpdate {
  SessionAgent agent;
  std::string session_id;
  bool first_seen = false;                    // nothing of it was stored before
  std::vector<SessionAccount> before, after;  // the main stream first
  SessionTask task;
};

class SessionImporter {
 public:
  // `store`: the store to write; for a dry run it may be read-only, or null (nothing imported
  // before). Throws store::StoreError when the store cannot take the import's tables.
  SessionImporter(store::EventStore* store, ImportOptions options);
  ~SessionImporter();

  // A pass over every source of the options.
  ImportReport run();
  // A pass over `files` (those the watcher was told changed) and, when `opencode`, the
  // opencode sources.
  ImportReport run(std::vector<SessionFile> files, bool opencode);

  // Called after each commit for every session it stored.
  void on_update(std::function<void(const SessionUpdate&)> listener) { listener_ = std::move(listener); }

  const ImportOptions& options() const { return options_; }

 private:
  struct ParsedFile;
  struct Family;
  struct PendingSessions;
  void import_files(std::vector<SessionFile> files, ImportReport& report);
  void import_opencode(const SourceLocation& location, ImportReport& report);
  void commit_files(std::vector<ParsedFile>& parsed, ImportReport& report);
  void commit_families(std::vector<Family>& families, ImportReport& report);
  // Stores the sessions' events and, in the batch's write (begun by the caller), the marks;
  // counts them in `report` and tells the listener.
  void store_sessions(PendingSessions& pending, bool writing, std::span<const store::FileMark> files,
                      std::span<const store::SessionMark> sessions, ImportReport& report);
  ParsedFile parse_file(const SessionFile& file, const std::string& previous_state, std::uint64_t offset, std::uint64_t line) const;
  bool cancelled() const { return options_.cancel && options_.cancel->load(std::memory_order_relaxed); }
  ipc::OutcomeEvent event_of(SessionAgent agent, const std::string& session_id, const SessionTask& task) const;

  store::EventStore* store_;
  ImportOptions options_;
  std::unique_ptr<store::ImportMarks> state_;
  std::function<void(const SessionUpdate&)> listener_;
};

}  // namespace agentmetrics::intake
