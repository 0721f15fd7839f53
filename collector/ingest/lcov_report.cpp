#include "collector/ingest/lcov_report.h"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include "collector/common/unix_time.h"
#include "collector/ingest/ingest_error.h"
#include "collector/ingest/report_file.h"
#include "collector/ingest/report_values.h"

namespace agentmetrics::ingest {
namespace {

// Records lcov 1.x and 2.x write that say nothing about line coverage: only their key is checked.
constexpr std::array<std::string_view, 11> kOtherKeys = {"VER", "FN", "FNDA", "FNF", "FNH", "FNL", "FNA", "BRDA", "BRF", "BRH", "MCDC"};

struct SourceFile {
  std::vector<std::pair<std::uint64_t, bool>> lines;  // (line, executed), once per record
  std::uint64_t summary_found = 0;                    // the largest LF of a record without DA
  std::uint64_t summary_hit = 0;
};

struct OpenRecord {
  std::string source;
  std::size_t line = 0;  // of its SF
  bool has_lines = false;
  std::optional<std::uint64_t> found, hit;  // LF and LH
};

// An execution count: lcov writes digits, and gcov bugs have produced negative ones, which
// lcov reads as "not executed".
std::optional<bool> parse_executed(std::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return !negative && text.find_first_not_of('0') != std::string_view::npos;
}

class LcovReader {
 public:
  explicit LcovReader(const std::string& path) : path_(path) {}

  ipc::OutcomeEvent read() {
    const std::string text = read_report_file(path_);
    std::size_t line_number = 0;
    for (std::size_t at = 0; at < text.size();) {
      std::size_t end = text.find('\n', at);
      if (end == std::string::npos) end = text.size();
      std::string_view line(text.data() + at, end - at);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      ++line_number;
      read_line(line, line_number);
      at = end + 1;
    }
    if (record_) {
      fail(line_number, "the file ends inside the record for " + quoted_excerpt(record_->source) + " begun on line " +
                            std::to_string(record_->line) + ": end_of_record is missing");
    }
    return event();
  }

 private:
  [[noreturn]] void fail(std::size_t line, const std::string& message) const { throw IngestError(path_, line, message); }

  void read_line(std::string_view line, std::size_t number) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) return;
    if (line == "end_of_record") return end_record(number);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) fail(number, "not an lcov record: " + quoted_excerpt(line));
    const std::string_view key = line.substr(0, colon);
    const std::string_view value = line.substr(colon + 1);
    if (key == "SF") return begin_record(value, number);
    if (key == "TN") return;  // a test name may come before the record it names
    const bool known =
        key == "DA" || key == "LF" || key == "LH" || std::find(kOtherKeys.begin(), kOtherKeys.end(), key) != kOtherKeys.end();
    if (!known) fail(number, "unknown lcov record " + quoted_excerpt(key));
    if (!record_) fail(number, std::string(key) + " outside a record (no SF line before it)");
    if (key == "DA") return add_line(value, number);
    if (key == "LF" || key == "LH") {
      const auto count = parse_count(value);
      if (!count) fail(number, std::string(key) + " is not a whole number: " + quoted_excerpt(value));
      (key == "LF" ? record_->found : record_->hit) = *count;
    }
  }

  void begin_record(std::string_view source, std::size_t number) {
    if (record_) {
      fail(number, "SF inside the record begun on line " + std::to_string(record_->line) + ": end_of_record is missing");
    }
    if (source.empty()) fail(number, "SF names no source file");
    record_.emplace();
    record_->source = source;
    record_->line = number;
  }

  // DA:<line>,<execution count>[,<checksum>]
  void add_line(std::string_view value, std::size_t number) {
    const std::size_t comma = value.find(',');
    const std::size_t next = comma == std::string_view::npos ? comma : value.find(',', comma + 1);
    const auto source_line = parse_count(value.substr(0, comma));
    const auto executed = comma == std::string_view::npos
                              ? std::nullopt
                              : parse_executed(value.substr(comma + 1, next == std::string_view::npos ? next : next - comma - 1));
    if (!source_line || !executed) fail(number, "DA is not <line>,<count>: " + quoted_excerpt(value));
    files_[record_->source].lines.emplace_back(*source_line, *executed);
    record_->has_lines = true;
  }

  void end_record(std::size_t number) {
    if (!record_) fail(number, "end_of_record without a record (no SF line before it)");
    if (record_->found && record_->hit && *record_->hit > *record_->found) {
      fail(number, "LH (" + std::to_string(*record_->hit) + ") is more than LF (" + std::to_string(*record_->found) + ")");
    }
    SourceFile& file = files_[record_->source];
    if (!record_->has_lines) {
      file.summary_found = std::max(file.summary_found, record_->found.value_or(0));
      file.summary_hit = std::max(file.summary_hit, record_->hit.value_or(0));
    }
    record_.reset();
  }

  ipc::OutcomeEvent event() {
    double total = 0, covered = 0;
    for (auto& [source, file] : files_) {
      if (file.lines.empty()) {
        total += static_cast<double>(file.summary_found);
        covered += static_cast<double>(std::min(file.summary_hit, file.summary_found));
        continue;
      }
      // A line is executed if any record says so: sorting puts its executed entry last.
      std::sort(file.lines.begin(), file.lines.end());
      for (std::size_t i = 0; i < file.lines.size(); ++i) {
        if (i + 1 < file.lines.size() && file.lines[i + 1].first == file.lines[i].first) continue;
        total += 1;
        covered += file.lines[i].second ? 1 : 0;
      }
    }
    if (total == 0) fail(0, "no instrumented lines: the tracefile has no DA or LF records");
    ipc::OutcomeEvent event;
    event.kind = ipc::OutcomeKind::kCoverage;
    event.time = unix_now();
    event.fields["percent"] = 100.0 * covered / total;
    event.fields["lines_covered"] = covered;
    event.fields["lines_total"] = total;
    return event;
  }

  std::string path_;
  std::optional<OpenRecord> record_;
  std::map<std::string, SourceFile, std::less<>> files_;
};

}  // namespace

std::vector<ipc::OutcomeEvent> ingest_lcov(const std::string& path) {
  std::vector<ipc::OutcomeEvent> events{LcovReader(path).read()};
  require_valid_events(path, events);
  return events;
}

}  // namespace agentmetrics::ingest
