#include "collector/intake/sessions/session_watcher.h"

#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <filesystem>
#include <set>
#include <unordered_map>

#include "collector/common/log.h"
#include "collector/store/store_factory.h"
#include "collector/store/store_location.h"

namespace agentmetrics::intake {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr std::uint32_t kDirectoryEvents = IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_ONLYDIR;
// Below an agent's directory: project/session/subagents (Claude Code), YYYY/MM/DD (Codex).
constexpr int kDepth = 3;

prometheus::Counter& counter(prometheus::Registry& r, const std::string& name, const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(r).Add({});
}

// The agents' directories under inotify: one watch per directory, added as directories appear.
class DirectoryWatches {
 public:
  DirectoryWatches() : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    if (fd_ < 0)
      log(LogLevel::kWarn, "inotify is unavailable; sessions are imported by the periodic pass only", {{"error", std::strerror(errno)}});
  }
  ~DirectoryWatches() {
    if (fd_ >= 0) ::close(fd_);
  }
  DirectoryWatches(const DirectoryWatches&) = delete;
  DirectoryWatches& operator=(const DirectoryWatches&) = delete;

  int fd() const { return fd_; }

  // Watches `dir` and its directories down to `depth` below it (those watched already stay).
  void watch(const std::string& dir, int depth) {
    if (fd_ < 0 || watched_.count(dir)) return;
    const int wd = ::inotify_add_watch(fd_, dir.c_str(), kDirectoryEvents);
    if (wd < 0) {
      if (errno == ENOSPC && !warned_) {
        warned_ = true;
        log(LogLevel::kWarn, "out of inotify watches (fs.inotify.max_user_watches); the periodic pass imports the rest",
            {{"directory", dir}});
      }
      return;
    }
    dirs_[wd] = {dir, depth};
    watched_.insert(dir);
    if (depth <= 0) return;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_directory(ec)) watch(it->path().string(), depth - 1);
    }
  }

  // Reads what inotify has: the paths of files that changed (and of every file in a directory
  // that appeared). Sets `overflow` when the kernel dropped events.
  std::vector<std::string> read(bool& overflow) {
    std::vector<std::string> changed;
    alignas(inotify_event) std::array<char, 64 * 1024> buffer{};
    for (;;) {
      const ssize_t n = ::read(fd_, buffer.data(), buffer.size());
      if (n <= 0) break;
      for (ssize_t at = 0; at < n;) {
        const auto* e = reinterpret_cast<const inotify_event*>(buffer.data() + at);
        at += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
        if (e->mask & IN_Q_OVERFLOW) overflow = true;
        const auto dir = dirs_.find(e->wd);
        if (dir == dirs_.end()) continue;
        if (e->mask & (IN_IGNORED | IN_DELETE_SELF)) {
          watched_.erase(dir->second.first);
          dirs_.erase(dir);
          continue;
        }
        if (e->len == 0) continue;
        const std::string path = dir->second.first + "/" + e->name;
        if (e->mask & IN_ISDIR) {
          if (dir->second.second > 0) {
            watch(path, dir->second.second - 1);
            // Files written before the watch was in place.
            std::error_code ec;
            for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec))
              changed.push_back(it->path().string());
          }
          continue;
        }
        changed.push_back(path);
      }
    }
    return changed;
  }

 private:
  int fd_;
  bool warned_ = false;
  std::unordered_map<int, std::pair<std::string, int>> dirs_;  // watch -> (directory, depth left below it)
  std::set<std::string> watched_;
};

// Every model's tokens in these streams.
std::map<std::string, TokenCounts> tokens_by_model(const std::vector<SessionAccount>& streams) {
  std::map<std::string, TokenCounts> out;
  for (const auto& s : streams) {
    for (const auto& [model, t] : s.tokens) out[model] += t;
  }
  return out;
}

template <typename Pick>
std::map<std::string, double> sum_of(const std::vector<SessionAccount>& streams, Pick pick) {
  std::map<std::string, double> out;
  for (const auto& s : streams) {
    for (const auto& [k, v] : pick(s)) out[k] += v;
  }
  return out;
}

}  // namespace

SessionWatcher::SessionWatcher(WatcherOptions options, AgentFamilies* families, SessionCountLedger* ledger, prometheus::Registry& registry)
    : options_(std::move(options)),
      families_(families),
      ledger_(ledger),
      sessions_(counter(registry, "agentmetrics_session_import_sessions_total", "Agent sessions the watcher stored or updated from disk")),
      problems_(counter(registry, "agentmetrics_session_import_problems_total",
                        "Lines and files of the agents' sessions the watcher could not use (docs/import.md)")),
      passes_total_(counter(registry, "agentmetrics_session_import_passes_total", "Import passes of the session watcher")),
      last_pass_seconds_(prometheus::BuildGauge()
                             .Name("agentmetrics_session_import_last_pass_seconds")
                             .Help("How long the watcher's last import pass took")
                             .Register(registry)
                             .Add({})) {
  stop_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

SessionWatcher::~SessionWatcher() {
  stop();
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void SessionWatcher::start() {
  thread_ = std::thread([this] {
    try {
      run();
    } catch (const std::exception& e) {
      log(LogLevel::kError, "session watcher stopped", {{"error", e.what()}});
    }
  });
  pthread_setname_np(thread_.native_handle(), "am-import");
}

void SessionWatcher::stop() {
  if (!thread_.joinable()) return;
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(stop_fd_, &one, sizeof one);
  thread_.join();
}

void SessionWatcher::record(const ImportReport& report) {
  double stored = 0;
  for (const auto& [agent, a] : report.agents()) stored += static_cast<double>(a.sessions_new + a.sessions_updated);
  sessions_.Increment(stored);
  if (stored > 0 && options_.on_stored) options_.on_stored();
  problems_.Increment(static_cast<double>(report.problem_total()));
  passes_total_.Increment();
  last_pass_seconds_.Set(report.seconds);
  if (report.problem_total() > 0) {
    const ImportProblem& first = report.problems().front();
    log(LogLevel::kWarn, "some session files could not be used",
        {{"problems", report.problem_total()}, {"first", first.file + ":" + std::to_string(first.line) + " " + first.kind}});
  }
  passes_.fetch_add(1, std::memory_order_release);
}

void SessionWatcher::count(const SessionUpdate& u) {
  if (!counting_ || !families_) return;
  const std::string agent(agent_type(u.agent));
  if (ledger_ && !ledger_->claim(agent, u.session_id, SessionCountLedger::Counter::kImport)) return;
  const std::vector<std::string> extra(families_->extra_labels().size());
  const auto labels = [&](std::vector<std::string> own) {
    own.insert(own.begin(), agent);
    own.insert(own.end(), extra.begin(), extra.end());
    return own;
  };
  if (u.first_seen) families_->add(AgentFamily::kSessions, labels({}), 1);
  const auto before = tokens_by_model(u.before);
  for (const auto& [model, now] : tokens_by_model(u.after)) {
    const auto it = before.find(model);
    const TokenCounts was = it == before.end() ? TokenCounts{} : it->second;
    const std::pair<const char*, double> types[] = {{"input", now.input - was.input},
                                                    {"output", now.output - was.output},
                                                    {"cache_read", now.cache_read - was.cache_read},
                                                    {"cache_creation", now.cache_creation - was.cache_creation}};
    for (const auto& [type, delta] : types) {
      if (delta > 0) families_->add(AgentFamily::kTokens, labels({model, type}), delta);
    }
  }
  std::vector<const SessionAccount*> old_streams;
  for (const auto& s : u.before) old_streams.push_back(&s);
  const double cost_before = u.before.empty() ? 0 : session_task_of(old_streams, options_.import.prices).cost_usd.value_or(0);
  if (const double delta = u.task.cost_usd.value_or(0) - cost_before; delta > 0 && !u.task.model.empty())
    families_->add(AgentFamily::kCost, labels({u.task.model}), delta);
  const auto calls = [](const SessionAccount& s) { return s.tools; };
  const auto failures = [](const SessionAccount& s) { return s.tool_failures; };
  const auto calls_before = sum_of(u.before, calls), failures_before = sum_of(u.before, failures);
  const auto failures_after = sum_of(u.after, failures);
  for (const auto& [tool, n] : sum_of(u.after, calls)) {
    const double failed = failures_after.count(tool) ? failures_after.at(tool) : 0;
    const double failed_before = failures_before.count(tool) ? failures_before.at(tool) : 0;
    const double ok = (n - failed) - ((calls_before.count(tool) ? calls_before.at(tool) : 0) - failed_before);
    if (ok > 0) families_->add(AgentFamily::kToolCalls, labels({tool, "true"}), ok);
    if (failed > failed_before) families_->add(AgentFamily::kToolCalls, labels({tool, "false"}), failed - failed_before);
  }
  const auto responses = [](const SessionAccount& s) { return s.responses; };
  const auto responses_before = sum_of(u.before, responses);
  for (const auto& [model, n] : sum_of(u.after, responses)) {
    const double delta = n - (responses_before.count(model) ? responses_before.at(model) : 0);
    if (delta > 0) families_->add(AgentFamily::kApiRequests, labels({model, "200"}), delta);
  }
  const auto errors = [](const SessionAccount& s) { return s.api_errors; };
  const auto errors_before = sum_of(u.before, errors);
  for (const auto& [status, n] : sum_of(u.after, errors)) {
    const double delta = n - (errors_before.count(status) ? errors_before.at(status) : 0);
    if (delta > 0) families_->add(AgentFamily::kApiRequests, labels({u.task.model, status}), delta);
  }
}

void SessionWatcher::run() {
  // A long first import yields the processor to the drain and the scrapes (nice 10, this
  // thread only); its transactions are short, so the store thread is never kept waiting long.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 10);
  std::atomic<bool> cancel{false};
  options_.import.cancel = &cancel;
  std::unique_ptr<store::EventStore> store;
  std::unique_ptr<SessionImporter> importer;
  const store::StoreAddress address{options_.store_url, options_.store_path};
  while (!importer) {
    try {
      if (address.url.empty()) store::ensure_store_directory(options_.store_path);
      store = store::open_event_store(address, store::StoreAccess::kReadWrite);
      importer = std::make_unique<SessionImporter>(store.get(), options_.import);
    } catch (const std::exception& e) {
      log(LogLevel::kError, "the session watcher cannot open the store; trying again",
          {{"store", store::store_name(address)}, {"error", e.what()}});
      pollfd p{stop_fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(options_.retry).count())) > 0) return;
    }
  }
  importer->on_update([this](const SessionUpdate& u) { count(u); });

  std::vector<SourceLocation> locations;
  for (const SessionAgent agent : options_.import.agents) {
    const auto path = options_.import.paths.find(agent);
    locations.push_back(locate_sessions(agent, path == options_.import.paths.end() ? "" : path->second, options_.import.env));
  }
  DirectoryWatches watches;
  const auto watch_all = [&] {
    for (const auto& where : locations) {
      for (const auto& dir : where.directories) watches.watch(dir, kDepth);
      if (!where.database.empty()) watches.watch(fs::path(where.database).parent_path().string(), 0);
    }
  };
  watch_all();  // before the first pass: what is written meanwhile is seen
  const auto full_pass = [&] {
    try {
      record(importer->run());
    } catch (const std::exception& e) {
      log(LogLevel::kError, "session import pass failed; it is tried again", {{"error", e.what()}});
    }
  };
  full_pass();
  counting_ = true;
  log(LogLevel::kInfo, "session watcher started", {{"store", store::store_name(address)}, {"passes", passes()}});

  // opencode's database and its write-ahead log (not its -shm, which readers write too).
  std::set<std::string> databases;
  for (const auto& where : locations) {
    if (where.database.empty()) continue;
    const std::string name = fs::path(where.database).filename().string();
    databases.insert(name);
    databases.insert(name + "-wal");
  }
  std::set<std::string> pending;
  bool opencode_pending = false;
  Clock::time_point first_change{}, last_change{};
  auto next_rescan = Clock::now() + options_.rescan;
  for (;;) {
    const auto now = Clock::now();
    auto wake = next_rescan;
    if (!pending.empty() || opencode_pending) wake = std::min({wake, last_change + options_.settle, first_change + options_.max_delay});
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count();
    pollfd fds[2] = {{stop_fd_, POLLIN, 0}, {watches.fd(), POLLIN, 0}};
    const int ready = ::poll(fds, watches.fd() >= 0 ? 2 : 1, static_cast<int>(std::clamp<std::int64_t>(wait, 0, 60000)));
    if (ready > 0 && (fds[0].revents & POLLIN)) {
      cancel.store(true);
      return;
    }
    if (ready > 0 && (fds[1].revents & POLLIN)) {
      bool overflow = false;
      for (auto& path : watches.read(overflow)) {
        const bool idle = pending.empty() && !opencode_pending;
        if (databases.count(fs::path(path).filename().string())) {
          opencode_pending = true;
        } else if (path.size() > 6 && path.compare(path.size() - 6, 6, ".jsonl") == 0) {
          pending.insert(std::move(path));
        } else {
          continue;
        }
        if (idle) first_change = Clock::now();
        last_change = Clock::now();
      }
      if (overflow) next_rescan = Clock::now();
    }
    const auto after = Clock::now();
    if ((!pending.empty() || opencode_pending) && (after >= last_change + options_.settle || after >= first_change + options_.max_delay)) {
      std::vector<SessionFile> files;
      for (const auto& path : pending) {
        for (const auto& where : locations) {
          if (auto f = session_file_at(where, path)) {
            files.push_back(std::move(*f));
            break;
          }
        }
      }
      const bool opencode = opencode_pending;
      pending.clear();
      opencode_pending = false;
      try {
        record(importer->run(std::move(files), opencode));
      } catch (const std::exception& e) {
        log(LogLevel::kError, "session import pass failed; it is tried again", {{"error", e.what()}});
      }
    }
    if (Clock::now() >= next_rescan) {
      watch_all();  // directories that did not exist before (an agent installed since)
      full_pass();
      next_rescan = Clock::now() + options_.rescan;
    }
  }
}

}  // namespace agentmetrics::intake
