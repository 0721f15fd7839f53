#include "collector/ingest/git_history.h"

#include <charconv>
#include <filesystem>
#include <string_view>
#include <system_error>

#include <unistd.h>  // environ

#include "collector/common/child_process.h"
#include "collector/ingest/ingest_error.h"
#include "collector/ingest/report_values.h"

namespace agentmetrics::ingest {
namespace {

// Each commit starts with this line; --numstat lines start with a digit or '-', so they
// cannot be mistaken for it, and paths with newlines come quoted.
constexpr std::string_view kCommitMarker = "@";
constexpr const char* kLogFormat = "--format=tformat:@%H %ct";

std::vector<std::string> git_environment() {
  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const std::string_view entry(*e);
    // GIT_DIR, GIT_WORK_TREE and the like (a hook sets them) would point git at another
    // repository than the one asked for.
    if (entry.starts_with("GIT_") || entry.starts_with("LC_ALL=")) continue;
    env.emplace_back(entry);
  }
  env.emplace_back("LC_ALL=C");  // untranslated messages, as errors quote them
  return env;
}

// The first line of git's stderr, which holds its reason ("fatal: not a git repository...").
std::string first_line(std::string_view text) {
  constexpr std::size_t kMaxShown = 200;
  return quoted_excerpt(text.substr(0, text.find('\n')), kMaxShown);
}

bool is_hex_sha(std::string_view sha) {
  return (sha.size() == 40 || sha.size() == 64) && sha.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

// A --numstat count: digits, or "-" for a binary file, which has no lines.
std::optional<double> numstat_count(std::string_view text) {
  if (text == "-") return 0.0;
  const auto count = parse_count(text);
  return count ? std::optional<double>(static_cast<double>(*count)) : std::nullopt;
}

class GitLog {
 public:
  GitLog(const std::string& repo, const GitHistoryOptions& options) : repo_(repo), options_(options) {}

  std::vector<ipc::OutcomeEvent> read() {
    std::error_code ec;
    if (!std::filesystem::is_directory(repo_, ec)) fail("no such directory");
    if (const ProcessOutput where = git({"rev-parse", "--git-dir"}); where.exit_code != 0) {
      fail("not a git repository (git says " + first_line(where.err) + ")");
    }
    if (git({"rev-parse", "--verify", "--quiet", "HEAD^{commit}"}).exit_code != 0) return {};  // no commit yet

    std::vector<std::string> args = {"log", "--no-show-signature", "--no-textconv", "--find-renames", "--numstat", "--reverse", kLogFormat};
    if (!options_.since.empty()) args.push_back("--since=" + options_.since);
    if (!options_.until.empty()) args.push_back("--until=" + options_.until);
    if (options_.max_count) args.push_back("--max-count=" + std::to_string(*options_.max_count));
    args.insert(args.end(), {"HEAD", "--"});
    const ProcessOutput log = git(args);
    if (log.exit_code != 0) fail("git log failed (git says " + first_line(log.err) + ")");
    parse(log.out);
    require_valid_events(repo_, events_);
    return std::move(events_);
  }

 private:
  [[noreturn]] void fail(const std::string& message) const { throw IngestError(repo_, 0, message); }

  ProcessOutput git(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = {"git", "--no-pager", "-C", repo_};
    argv.insert(argv.end(), args.begin(), args.end());
    try {
      return run_process(argv, git_environment());
    } catch (const std::system_error& e) {
      fail("cannot run git: " + e.code().message());
    }
  }

  void parse(std::string_view out) {
    while (!out.empty()) {
      const std::size_t end = out.find('\n');
      const std::string_view line = out.substr(0, end);
      out.remove_prefix(end == std::string_view::npos ? out.size() : end + 1);
      if (line.empty()) continue;
      if (line.starts_with(kCommitMarker)) {
        begin_commit(line.substr(kCommitMarker.size()));
      } else {
        add_file(line);
      }
    }
  }

  // "<sha> <commit time>"
  void begin_commit(std::string_view header) {
    const std::size_t space = header.find(' ');
    const std::string_view sha = header.substr(0, space);
    const std::string_view time = space == std::string_view::npos ? std::string_view() : header.substr(space + 1);
    long long seconds = 0;
    const auto [end, ec] = std::from_chars(time.data(), time.data() + time.size(), seconds);
    if (!is_hex_sha(sha) || time.empty() || ec != std::errc() || end != time.data() + time.size()) {
      fail("unexpected commit line in git log's output: " + quoted_excerpt(header));
    }
    if (seconds <= 0) fail("commit " + std::string(sha) + " has a time before 1970");
    ipc::OutcomeEvent event;
    event.kind = ipc::OutcomeKind::kCommit;
    event.time = static_cast<double>(seconds);
    event.fields["sha"] = std::string(sha);
    event.fields["lines_added"] = 0.0;
    event.fields["lines_deleted"] = 0.0;
    events_.push_back(std::move(event));
  }

  // "<added>\t<deleted>\t<path>"
  void add_file(std::string_view line) {
    const std::size_t tab = line.find('\t');
    const std::size_t tab2 = tab == std::string_view::npos ? tab : line.find('\t', tab + 1);
    const auto added = tab2 == std::string_view::npos ? std::nullopt : numstat_count(line.substr(0, tab));
    const auto deleted = tab2 == std::string_view::npos ? std::nullopt : numstat_count(line.substr(tab + 1, tab2 - tab - 1));
    if (!added || !deleted || events_.empty()) fail("unexpected line in git log's output: " + quoted_excerpt(line));
    std::get<double>(events_.back().fields["lines_added"]) += *added;
    std::get<double>(events_.back().fields["lines_deleted"]) += *deleted;
  }

  std::string repo_;
  GitHistoryOptions options_;
  std::vector<ipc::OutcomeEvent> events_;
};

}  // namespace

std::vector<ipc::OutcomeEvent> ingest_git_history(const std::string& repo, const GitHistoryOptions& options) {
  return GitLog(repo, options).read();
}

}  // namespace agentmetrics::ingest
