#include "collector/intake/sessions/session_import.h"

#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <system_error>
#include <thread>

#include "collector/common/unix_time.h"
#include "collector/intake/durable_intake.h"
#include "collector/intake/sessions/claude_transcript.h"
#include "collector/intake/sessions/codex_rollout.h"
#include "collector/intake/sessions/json_fields.h"
#include "collector/intake/sessions/jsonl_file.h"
#include "collector/intake/sessions/opencode_database.h"
#include "collector/intake/sessions/opencode_storage.h"
#include "collector/store/event_store.h"

namespace agentmetrics::intake {

using store::FileMark;
using store::SessionMark;

namespace {

// A batch's write into the store, from before it reads the marks it builds on; abandoned when
// it ends uncommitted (an exception).
class WriteGuard {
 public:
  explicit WriteGuard(store::ImportMarks* marks) : marks_(marks) {
    if (marks_) marks_->begin();
  }
  ~WriteGuard() {
    if (marks_) marks_->abandon();
  }
  WriteGuard(const WriteGuard&) = delete;
  WriteGuard& operator=(const WriteGuard&) = delete;

 private:
  store::ImportMarks* marks_;
};

// Record types the agents are known to write and the import does not need. Any other type
// that it does not read is counted as unknown (a newer agent, or not an agent's file).
bool known_claude_type(std::string_view t) {
  static constexpr std::string_view kKnown[] = {
      "attachment", "api-request", "api-request-shape", "api-request-blob",      "queue-operation", "last-prompt", "atis-latch",
      "tools-used", "mode",        "summary",           "file-history-snapshot", "custom-title",    "agent-name",  "tag",
      "progress",   "pr-link",     "permission-mode"};
  return std::find(std::begin(kKnown), std::end(kKnown), t) != std::end(kKnown);
}

bool known_codex_type(std::string_view t) { return t == "world_state" || t == "token_usage_record" || t == "compacted"; }

std::uint64_t file_key(const std::string& path) { return intake_producer_id("import/file", path); }
std::uint64_t source_key(const std::string& path) { return intake_producer_id("import/opencode", path); }

unsigned thread_count(unsigned wanted) { return wanted ? wanted : std::max(1u, std::thread::hardware_concurrency()); }

// Runs body(i, worker) for i in [0, n) on up to `threads` threads; worker is the thread's
// number, below `threads`.
template <typename Body>
void parallel_for(std::size_t n, unsigned threads, const Body& body) {
  std::atomic<std::size_t> next{0};
  const auto work = [&](unsigned worker) {
    for (std::size_t i = next++; i < n; i = next++) body(i, worker);
  };
  std::vector<std::thread> helpers;
  for (unsigned t = 1; t < std::min<std::size_t>(threads, n); ++t) helpers.emplace_back(work, t);
  work(0);
  for (auto& h : helpers) h.join();
}

bool same_file(const FileMark& m, const FileInfo& info) {
  return m.device == info.device && m.inode == info.inode && m.size == info.size && m.mtime_ns == info.mtime_ns;
}

// Whether a session's task says anything: a file with nothing but start-up records is none.
bool worth_storing(const SessionTask& t) {
  return (t.started > 0 || t.ended > 0) && (t.prompts > 0 || t.tokens.total() > 0 || t.tool_calls > 0 || t.api_errors > 0);
}

SessionAccount account_from(const std::string& state, std::size_t text_limit) {
  SessionAccount a;
  if (!state.empty()) {
    try {
      a = SessionAccount::from_state(nlohmann::json::parse(state));
    } catch (const nlohmann::json::exception&) {
      a = SessionAccount{};  // a state this build cannot read: the stream counts as empty
    }
  }
  a.text_limit = text_limit;
  return a;
}

}  // namespace

struct SessionImporter::ParsedFile {
  SessionFile file;
  std::string session_id;
  SessionAccount account;
  FileMark mark;
  bool failed = false;
  ImportReport report;  // this file's problems and counts
};

struct SessionImporter::PendingSessions {
  std::vector<ipc::OutcomeEvent> events;
  std::vector<SessionUpdate> updates;           // one per event
  std::vector<std::set<std::string>> unpriced;  // one per event

  // Queues a session's event, or reports it as invalid (read from `path`) and queues nothing.
  void add(ipc::OutcomeEvent event, SessionUpdate update, std::set<std::string> models, const std::string& path, ImportReport& report) {
    if (const std::string why = ipc::check_event(event); !why.empty()) {
      report.problem({path, 0, "invalid_session", why});
      return;
    }
    events.push_back(std::move(event));
    updates.push_back(std::move(update));
    unpriced.push_back(std::move(models));
  }
};

struct SessionImporter::Family {
  SessionAgent agent = SessionAgent::kOpencode;
  std::uint64_t source = 0;
  std::string source_path;
  OpencodeFamily family;
  std::vector<SessionAccount> accounts;  // the root first
  bool failed = false;
  ImportReport report;
};

SessionImporter::SessionImporter(store::EventStore* store, ImportOptions options) : store_(store), options_(std::move(options)) {
  if (store_) state_ = store_->import_marks(!options_.dry_run);
}

SessionImporter::~SessionImporter() = default;

ImportReport SessionImporter::run() {
  const auto start = std::chrono::steady_clock::now();
  ImportReport report;
  report.dry_run = options_.dry_run;
  for (const SessionAgent agent : options_.agents) {
    const auto path = options_.paths.find(agent);
    const SourceLocation location = locate_sessions(agent, path == options_.paths.end() ? "" : path->second, options_.env);
    if (agent == SessionAgent::kOpencode) {
      import_opencode(location, report);
      continue;
    }
    std::size_t unreadable = 0;
    // Where it looked: the directories that are there, or the first when none is.
    bool found = false;
    for (const auto& dir : location.directories) {
      struct stat st {};
      if (::stat(dir.c_str(), &st) != 0) continue;
      report.source(std::string(agent_type(agent)), dir, true);
      found = true;
    }
    if (!found && !location.directories.empty()) report.source(std::string(agent_type(agent)), location.directories.front(), false);
    std::vector<SessionFile> files = find_session_files(location, unreadable);
    if (unreadable) report.problem({location.directories.front(), 0, "unreadable_directory", std::to_string(unreadable) + " directories"});
    import_files(std::move(files), report);
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

ImportReport SessionImporter::run(std::vector<SessionFile> files, bool opencode) {
  const auto start = std::chrono::steady_clock::now();
  ImportReport report;
  report.dry_run = options_.dry_run;
  import_files(std::move(files), report);
  if (opencode) {
    const auto path = options_.paths.find(SessionAgent::kOpencode);
    import_opencode(locate_sessions(SessionAgent::kOpencode, path == options_.paths.end() ? "" : path->second, options_.env), report);
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

ipc::OutcomeEvent SessionImporter::event_of(SessionAgent agent, const std::string& session_id, const SessionTask& task) const {
  SessionTask t = task;
  t.agent = std::string(agent_type(agent));
  t.session_id = session_id;
  t.origin = "import";
  return to_outcome_event(t, options_.privacy);
}

SessionImporter::ParsedFile SessionImporter::parse_file(const SessionFile& file, const std::string& previous_state, std::uint64_t offset,
                                                        std::uint64_t line) const {
  ParsedFile r;
  r.file = file;
  r.session_id = file.session;
  r.account = account_from(previous_state, options_.privacy.max_text_bytes);
  const bool claude = file.agent == SessionAgent::kClaudeCode;
  std::string stream = file.stream;
  AgentImport& totals = r.report.agent(std::string(agent_type(file.agent)));
  const auto problem = [&](std::uint64_t at, const char* kind, std::string detail) {
    r.report.problem({file.path, at, kind, std::move(detail)});
  };

  // What a record says of the file's session (Claude Code's agent files beside the sessions
  // name it inside; a Codex rollout's session_meta names its thread and a subagent's parent).
  const auto identify = [&](const nlohmann::json& record) {
    if (claude) {
      if (r.session_id.empty()) r.session_id = text_of(record, "sessionId");
      return;
    }
    if (const std::string session = codex_session_of(record); !session.empty()) {
      r.session_id = session;
      const nlohmann::json* payload = member(record, "payload");
      stream = payload && text_of(*payload, "id") != session ? text_of(*payload, "id") : "main";
    }
  };

  const auto process = [&](const std::string& text, std::uint64_t at) {
    const auto type = top_level_string(text, "type");
    if (type) {
      const bool needed = claude ? claude_record_needed(*type, text) : codex_record_needed(*type);
      if (!needed) {
        if (!(claude ? known_claude_type(*type) : known_codex_type(*type))) problem(at, "unknown_record", std::string(type->substr(0, 64)));
        return;
      }
    }
    nlohmann::json record;
    switch (parse_line(text, record)) {
      case LineProblem::kInvalidJson: problem(at, "invalid_json", ""); return;
      case LineProblem::kNotAnObject: problem(at, "not_an_object", ""); return;
      case LineProblem::kRepairedUtf8: problem(at, "invalid_utf8", "replaced by U+FFFD"); break;
      case LineProblem::kNone: break;
    }
    if (!type) {
      const std::string t = text_of(record, "type");
      const bool needed = claude ? claude_record_needed(t, text) : codex_record_needed(t);
      if (!needed) {
        if (!(claude ? known_claude_type(t) : known_codex_type(t))) problem(at, "unknown_record", t.substr(0, 64));
        return;
      }
    }
    identify(record);
    if (claude) {
      read_claude_record(record, r.account, stream == "main");
    } else {
      read_codex_record(record, r.account);
    }
  };

  try {
    // Read on from the mark; a session named only inside the file (Claude Code's agent files
    // beside the sessions, any Codex thread: a subagent's names its parent) needs its first record.
    if (offset > 0 && (r.session_id.empty() || !claude)) {
      JsonlFile first(file.path, 0, 0, options_.max_line_bytes);
      std::string text;
      nlohmann::json record;
      if (first.next(text) == JsonlFile::Read::kLine && parse_line(text, record) != LineProblem::kInvalidJson) identify(record);
    }
    JsonlFile in(file.path, offset, line, options_.max_line_bytes);
    std::string text;
    for (;;) {
      const JsonlFile::Read read = in.next(text);
      if (read == JsonlFile::Read::kTooLong) {
        problem(in.line(), "line_too_long", "longer than " + std::to_string(options_.max_line_bytes) + " bytes");
        continue;
      }
      if (read == JsonlFile::Read::kEnd) {
        // A last line without its newline counts once it is a whole record: the writer may
        // never add the newline. Otherwise it is still being written; the next pass reads it.
        nlohmann::json whole;
        if (!in.tail().empty() && parse_line(in.tail(), whole) == LineProblem::kNone) {
          text = in.tail();
          in.accept_tail();
          ++totals.lines;
          totals.bytes += text.size();
          process(text, in.line());
        }
        break;
      }
      ++totals.lines;
      totals.bytes += text.size() + 1;
      process(text, in.line());
    }
    ++totals.files_read;
    r.mark.offset = in.offset();
    r.mark.line = in.line();
  } catch (const std::system_error& e) {
    r.failed = true;
    problem(0, "unreadable", e.what());
  }
  if (r.session_id.empty() && !claude) r.session_id = file.session;  // a rollout without its session_meta: its name says
  r.account.stream = stream.empty() ? "main" : stream;
  r.account.cost_in_parent = claude && r.account.stream != "main";
  r.mark.file = file_key(file.path);
  r.mark.agent = std::string(agent_type(file.agent));
  r.mark.device = file.info.device;
  r.mark.inode = file.info.inode;
  r.mark.size = file.info.size;
  r.mark.mtime_ns = file.info.mtime_ns;
  r.mark.stream = r.account.stream;
  return r;
}

void SessionImporter::import_files(std::vector<SessionFile> files, ImportReport& report) {
  // Every mark at once for a full pass; one by one for the few files the watcher names.
  constexpr std::size_t kFew = 64;
  std::unordered_map<std::uint64_t, FileMark> marks;
  if (state_ && files.size() > kFew) {
    marks = state_->file_marks();
  } else if (state_) {
    for (const auto& f : files) {
      if (auto m = state_->file_mark(file_key(f.path))) marks.emplace(m->file, std::move(*m));
    }
  }
  struct Job {
    SessionFile file;
    bool resume = false;
  };
  std::vector<Job> jobs;
  for (auto& f : files) {
    AgentImport& totals = report.agent(std::string(agent_type(f.agent)));
    if (options_.since > 0 && static_cast<double>(f.info.mtime_ns) / 1e9 < options_.since) continue;
    const auto m = marks.find(file_key(f.path));
    if (m != marks.end() && same_file(m->second, f.info)) {
      ++totals.files_unchanged;
      continue;
    }
    // The same file, grown: read on from the mark. Replaced or cut shorter: from its start.
    const bool resume =
        m != marks.end() && m->second.device == f.info.device && m->second.inode == f.info.inode && f.info.size >= m->second.offset;
    jobs.push_back({std::move(f), resume});
  }
  for (std::size_t begin = 0; begin < jobs.size(); begin += options_.batch) {
    if (cancelled()) return;
    const std::size_t end = std::min(jobs.size(), begin + options_.batch);
    std::vector<std::optional<FileMark>> previous(end - begin);
    for (std::size_t i = begin; i < end; ++i) {
      if (jobs[i].resume) previous[i - begin] = state_->file_mark(file_key(jobs[i].file.path));
    }
    std::vector<ParsedFile> parsed(end - begin);
    parallel_for(end - begin, thread_count(options_.threads), [&](std::size_t i, unsigned) {
      const auto& p = previous[i];
      parsed[i] = parse_file(jobs[begin + i].file, p ? p->state : "", p ? p->offset : 0, p ? p->line : 0);
    });
    commit_files(parsed, report);
  }
}

void SessionImporter::commit_files(std::vector<ParsedFile>& parsed, ImportReport& report) {
  // The files of each session in this batch (a session's files are found next to each other).
  std::vector<std::vector<ParsedFile*>> groups;
  std::map<std::pair<SessionAgent, std::string>, std::size_t> group_of;
  for (auto& p : parsed) {
    report.merge(p.report);
    if (p.session_id.empty()) {
      if (!p.failed) report.problem({p.file.path, 0, "no_session", "no record names the session"});
      continue;
    }
    const auto key = std::make_pair(p.file.agent, p.session_id);
    const auto [it, added] = group_of.emplace(key, groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(&p);
  }
  PendingSessions pending;
  std::vector<FileMark> marks;
  // Begun before the stored marks are read: another import at the same time (the watcher and
  // the command, another sidecar of a team) waits, and each builds on what the other committed.
  const bool writing = !options_.dry_run && store_;
  const WriteGuard write(writing ? state_.get() : nullptr);
  for (const auto& group : groups) {
    // A file that could not be read keeps its whole session as it was.
    if (std::any_of(group.begin(), group.end(), [](const ParsedFile* p) { return p->failed; })) continue;
    const SessionAgent agent = group.front()->file.agent;
    const std::string& session_id = group.front()->session_id;
    const std::uint64_t session = session_producer_id(std::string(agent_type(agent)), session_id);
    SessionUpdate u{agent, session_id, true, {}, {}, {}};
    std::vector<std::pair<std::uint64_t, SessionAccount>> streams;  // (file, account), stored first
    for (const FileMark& m : state_ ? state_->session_files(session) : std::vector<FileMark>{}) {
      SessionAccount a = account_from(m.state, options_.privacy.max_text_bytes);
      a.stream = m.stream;
      a.cost_in_parent = agent == SessionAgent::kClaudeCode && m.stream != "main";
      u.before.push_back(a);
      streams.emplace_back(m.file, std::move(a));
      u.first_seen = false;
    }
    for (ParsedFile* p : group) {
      p->mark.session = session;
      p->mark.state = p->account.to_state().dump();
      marks.push_back(p->mark);
      const auto it = std::find_if(streams.begin(), streams.end(), [&](const auto& s) { return s.first == p->mark.file; });
      if (it != streams.end()) {
        it->second = p->account;
      } else {
        streams.emplace_back(p->mark.file, p->account);
      }
    }
    std::stable_partition(streams.begin(), streams.end(), [](const auto& s) { return s.second.stream == "main"; });
    std::vector<const SessionAccount*> accounts;
    for (const auto& [file, a] : streams) {
      u.after.push_back(a);
      accounts.push_back(&a);
    }
    std::set<std::string> models;
    u.task = session_task_of(accounts, options_.prices, &models);
    if (!worth_storing(u.task)) continue;
    ipc::OutcomeEvent event = event_of(agent, session_id, u.task);  // before u is moved
    pending.add(std::move(event), std::move(u), std::move(models), group.front()->file.path, report);
  }
  store_sessions(pending, writing, marks, {}, report);
}

void SessionImporter::import_opencode(const SourceLocation& location, ImportReport& report) {
  const std::string agent(agent_type(SessionAgent::kOpencode));
  AgentImport& totals = report.agent(agent);
  struct Source {
    std::string path;
    bool database;
  };
  std::vector<Source> sources;
  if (!location.database.empty()) {
    const bool exists = file_info(location.database).has_value();
    report.source(agent, location.database, exists);
    if (exists) sources.push_back({location.database, true});
  }
  for (const auto& dir : location.directories) {
    struct stat st {};
    const bool exists = ::stat((dir + "/session").c_str(), &st) == 0;
    if (exists) sources.push_back({dir, false});
  }
  for (const Source& source : sources) {
    const std::uint64_t key = source_key(source.path);
    std::vector<OpencodeFamily> families;
    std::unique_ptr<OpencodeStorage> storage;
    try {
      if (source.database) {
        families = OpencodeDatabase(source.path, options_.database_wait).families();
      } else {
        storage = std::make_unique<OpencodeStorage>(source.path);
        families = storage->families();
        if (storage->unreadable_files())
          report.problem({source.path, 0, "unreadable", std::to_string(storage->unreadable_files()) + " session files"});
      }
    } catch (const OpencodeDatabaseError& e) {
      report.problem({source.path, 0, e.retry() ? "locked" : "unreadable_database", e.what()});
      continue;
    }
    const auto versions = state_ ? state_->session_versions(key) : std::unordered_map<std::uint64_t, std::int64_t>{};
    std::vector<OpencodeFamily> changed;
    for (auto& f : families) {
      if (options_.since > 0 && static_cast<double>(f.version) / 1000 < options_.since) continue;
      const auto v = versions.find(session_producer_id(agent, f.root));
      if (v != versions.end() && v->second >= f.version) {
        ++totals.files_unchanged;
        continue;
      }
      changed.push_back(std::move(f));
    }
    for (std::size_t begin = 0; begin < changed.size(); begin += options_.batch) {
      if (cancelled()) return;
      const std::size_t end = std::min(changed.size(), begin + options_.batch);
      std::vector<Family> read(end - begin);
      const unsigned threads = thread_count(options_.threads);
      // Each reader its own connection: a SQLite connection is one thread's at a time.
      std::vector<std::unique_ptr<OpencodeDatabase>> connections(threads);
      parallel_for(end - begin, threads, [&](std::size_t i, unsigned worker) {
        Family& f = read[i];
        f.source = key;
        f.source_path = source.path;
        f.family = changed[begin + i];
        try {
          if (source.database && !connections[worker]) {
            connections[worker] = std::make_unique<OpencodeDatabase>(source.path, options_.database_wait);
          }
          for (const auto& id : f.family.members) {
            const OpencodeSessionRecord record = source.database ? connections[worker]->session(id) : storage->session(id);
            f.accounts.push_back(opencode_account(record, id == f.family.root, options_.privacy.max_text_bytes));
            f.report.agent(agent).files_read += 1;
            f.report.agent(agent).lines += record.messages.size();
          }
        } catch (const OpencodeDatabaseError& e) {
          f.failed = true;
          f.report.problem({source.path, 0, e.retry() ? "locked" : "unreadable_database", e.what()});
        }
      });
      commit_families(read, report);
    }
  }
}

void SessionImporter::commit_families(std::vector<Family>& families, ImportReport& report) {
  const std::string agent(agent_type(SessionAgent::kOpencode));
  PendingSessions pending;
  std::vector<SessionMark> marks;
  const bool writing = !options_.dry_run && store_;
  const WriteGuard write(writing ? state_.get() : nullptr);
  for (auto& f : families) {
    report.merge(f.report);
    if (f.failed || f.accounts.empty()) continue;
    const std::uint64_t session = session_producer_id(agent, f.family.root);
    SessionUpdate u{SessionAgent::kOpencode, f.family.root, true, {}, {}, {}};
    if (const auto stored = state_ ? state_->session_mark(f.source, session) : std::nullopt) {
      u.first_seen = false;
      const nlohmann::json states = nlohmann::json::parse(stored->state, nullptr, false);
      if (states.is_array()) {
        for (const auto& s : states) u.before.push_back(account_from(s.dump(), options_.privacy.max_text_bytes));
      }
    }
    nlohmann::json states = nlohmann::json::array();
    std::vector<const SessionAccount*> accounts;
    for (const auto& a : f.accounts) {
      states.push_back(a.to_state());
      accounts.push_back(&a);
    }
    marks.push_back({f.source, session, f.family.version, states.dump()});
    std::set<std::string> models;
    u.task = session_task_of(accounts, options_.prices, &models);
    u.after = f.accounts;
    if (!worth_storing(u.task)) continue;
    ipc::OutcomeEvent event = event_of(SessionAgent::kOpencode, f.family.root, u.task);  // before u is moved
    pending.add(std::move(event), std::move(u), std::move(models), f.source_path, report);
  }
  store_sessions(pending, writing, {}, marks, report);
}

void SessionImporter::store_sessions(PendingSessions& pending, bool writing, std::span<const store::FileMark> files,
                                     std::span<const store::SessionMark> sessions, ImportReport& report) {
  std::vector<store::EventStore::Replaced> outcomes;
  if (writing) {
    // The sessions' events and the marks of what was read for them: one transaction.
    // The files are the fuller account: a task the OTLP receiver stored for the session yields.
    state_->commit(pending.events, unix_now(), &outcomes, "otlp", files, sessions);
  }
  for (std::size_t i = 0; i < pending.updates.size(); ++i) {
    const SessionUpdate& u = pending.updates[i];
    AgentImport& totals = report.agent(std::string(agent_type(u.agent)));
    using R = store::EventStore::Replaced;
    const R outcome = i < outcomes.size() ? outcomes[i] : (u.first_seen ? R::kStored : R::kReplaced);
    if (outcome == R::kKept) {
      ++totals.sessions_unchanged;
      continue;
    }
    ++(outcome == R::kStored ? totals.sessions_new : totals.sessions_updated);
    totals.tokens += u.task.tokens;
    totals.cost_usd += u.task.cost_usd.value_or(0);
    totals.unpriced_models.insert(pending.unpriced[i].begin(), pending.unpriced[i].end());
  }
  if (listener_ && writing) {
    for (const auto& u : pending.updates) listener_(u);
  }
}

}  // namespace agentmetrics::intake
