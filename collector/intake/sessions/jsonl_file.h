// Reading an agent's JSONL file (a Claude Code transcript, a Codex rollout) from where the last
// import stopped, one complete line at a time, while the agent may still be writing it.
//
// A line counts once it ends in a newline; what follows the last newline is a line being
// written (or cut off by a crash), left for the next read unless it is already a whole JSON
// value. A line longer than the bound is skipped to its newline without being held in memory.
// Bytes that are not UTF-8 are replaced (U+FFFD) so that the rest of the line still counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace agentmetrics::intake {

class JsonlFile {
 public:
  // Opens `path` to read from byte `offset`, the `line`-th line (1-based numbers continue from
  // it). Throws std::system_error when it cannot be opened (removed, not readable).
  JsonlFile(const std::string& path, std::uint64_t offset, std::uint64_t line, std::size_t max_line_bytes);
  ~JsonlFile();
  JsonlFile(const JsonlFile&) = delete;
  JsonlFile& operator=(const JsonlFile&) = delete;

  enum class Read {
    kLine,     // `line` holds the next complete line
    kTooLong,  // the next line was longer than the bound: skipped
    kEnd,      // no complete line is left
  };
  // Throws std::system_error when reading fails (an I/O error).
  Read next(std::string& line);
  // After kEnd: the bytes after the last newline (a line still being written), empty if none.
  const std::string& tail() const { return tail_; }
  // Takes the tail as a line of its own (it is a whole JSON value: the writer left out the
  // newline, or has not written it yet).
  void accept_tail();

  std::uint64_t offset() const { return offset_; }  // just after the last line read
  std::uint64_t line() const { return line_; }      // the number of the last line read
  std::uint64_t size_at_open() const { return size_; }

 private:
  bool fill();

  int fd_ = -1;
  std::uint64_t offset_, line_, size_ = 0;
  std::size_t max_line_bytes_;
  // Bytes read and not yet returned are data_[at_, end_): not a std::string, whose growth would
  // zero every chunk before it is read into.
  std::unique_ptr<char[]> data_;
  std::size_t capacity_ = 0, at_ = 0, end_ = 0;
  bool eof_ = false;
  std::string tail_;
};

// The raw value of the string member `key` of the top-level object in `json` (without parsing
// the rest), or nothing when it has none, the value is not a plain string, or `json` is not an
// object. Lets a reader skip the records it does not need before paying for a parse.
std::optional<std::string_view> top_level_string(std::string_view json, std::string_view key);

enum class LineProblem { kNone, kInvalidJson, kNotAnObject, kRepairedUtf8 };
// Parses one line. kRepairedUtf8: it parsed once its bytes that were not UTF-8 were replaced.
LineProblem parse_line(std::string_view text, nlohmann::json& out);

// `text` with every byte sequence that is not UTF-8 replaced by U+FFFD.
std::string repair_utf8(std::string_view text);

}  // namespace agentmetrics::intake
