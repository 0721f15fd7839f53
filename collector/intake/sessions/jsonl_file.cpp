#include "collector/intake/sessions/jsonl_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace agentmetrics::intake {
namespace {

constexpr std::size_t kChunk = 1 << 20;

// Skips white space from `at`; returns the new position.
std::size_t skip_space(std::string_view s, std::size_t at) {
  while (at < s.size() && (s[at] == ' ' || s[at] == '\t' || s[at] == '\r' || s[at] == '\n')) ++at;
  return at;
}

// `at` is on a '"': returns the position after the closing quote, or npos.
std::size_t skip_string(std::string_view s, std::size_t at) {
  for (++at; at < s.size();) {
    const auto* quote = static_cast<const char*>(std::memchr(s.data() + at, '"', s.size() - at));
    if (!quote) return std::string_view::npos;
    const auto q = static_cast<std::size_t>(quote - s.data());
    // Escaped when an odd number of backslashes stands before it.
    std::size_t backslashes = 0;
    while (q - backslashes > at && s[q - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return q + 1;
    at = q + 1;
  }
  return std::string_view::npos;
}

// Skips one JSON value starting at `at`; returns the position after it, or npos.
std::size_t skip_value(std::string_view s, std::size_t at) {
  if (at >= s.size()) return std::string_view::npos;
  if (s[at] == '"') return skip_string(s, at);
  if (s[at] == '{' || s[at] == '[') {
    int depth = 0;
    while (at < s.size()) {
      const char c = s[at];
      if (c == '"') {
        at = skip_string(s, at);
        if (at == std::string_view::npos) return at;
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if (c == '}' || c == ']') {
        if (--depth == 0) return at + 1;
      }
      ++at;
    }
    return std::string_view::npos;
  }
  while (at < s.size() && s[at] != ',' && s[at] != '}' && s[at] != ']') ++at;
  return at;
}

// The length of the UTF-8 sequence at `p` (1 to 4), or 0 when it is not one.
std::size_t utf8_sequence(const unsigned char* p, std::size_t left) {
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned int min = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    min = 0x10000;
  } else {
    return 0;
  }
  if (left < n) return 0;
  unsigned int cp = c & (0x7F >> n);
  for (std::size_t i = 1; i < n; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

JsonlFile::JsonlFile(const std::string& path, std::uint64_t offset, std::uint64_t line, std::size_t max_line_bytes)
    : offset_(offset), line_(line), max_line_bytes_(max_line_bytes) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + path);
  struct stat st {};
  if (::fstat(fd_, &st) == 0) size_ = static_cast<std::uint64_t>(st.st_size);
  capacity_ = kChunk;
  data_ = std::make_unique_for_overwrite<char[]>(capacity_);
}

JsonlFile::~JsonlFile() {
  if (fd_ >= 0) ::close(fd_);
}

bool JsonlFile::fill() {
  if (eof_) return false;
  // The unread bytes to the front, then room for a chunk after them.
  std::memmove(data_.get(), data_.get() + at_, end_ - at_);
  end_ -= at_;
  at_ = 0;
  if (capacity_ - end_ < kChunk) {
    const std::size_t grown = std::max(capacity_ * 2, end_ + kChunk);
    auto bigger = std::make_unique_for_overwrite<char[]>(grown);
    std::memcpy(bigger.get(), data_.get(), end_);
    data_ = std::move(bigger);
    capacity_ = grown;
  }
  ssize_t n = 0;
  do {
    n = ::pread(fd_, data_.get() + end_, kChunk, static_cast<off_t>(offset_ + end_));
  } while (n < 0 && errno == EINTR);
  if (n < 0) throw std::system_error(errno, std::generic_category(), "read");
  end_ += static_cast<std::size_t>(n);
  if (n == 0) eof_ = true;
  return n > 0;
}

JsonlFile::Read JsonlFile::next(std::string& line) {
  tail_.clear();
  std::size_t searched = at_;
  for (;;) {
    const auto* nl = static_cast<const char*>(std::memchr(data_.get() + searched, '\n', end_ - searched));
    if (nl) {
      const auto at_nl = static_cast<std::size_t>(nl - data_.get());
      line.assign(data_.get() + at_, at_nl - at_);
      offset_ += at_nl + 1 - at_;
      at_ = at_nl + 1;
      ++line_;
      return Read::kLine;
    }
    if (end_ - at_ > max_line_bytes_) {
      // Too long to hold: skip to its newline, reading on without keeping it.
      const std::uint64_t start = offset_;
      std::uint64_t skipped = end_ - at_;
      at_ = end_ = 0;
      for (;;) {
        offset_ += skipped;  // so that fill() reads on after what was skipped
        if (!fill()) {
          offset_ = start;  // still being written: read it again next time
          return Read::kEnd;
        }
        if (const auto* found = static_cast<const char*>(std::memchr(data_.get(), '\n', end_))) {
          const auto after = static_cast<std::size_t>(found - data_.get()) + 1;
          offset_ += after;
          at_ = after;
          ++line_;
          return Read::kTooLong;
        }
        skipped = end_;
        end_ = 0;
      }
    }
    searched = end_ - at_;  // where the search goes on once fill() moved the unread bytes to the front
    if (!fill()) {
      tail_.assign(data_.get() + at_, end_ - at_);
      return Read::kEnd;
    }
  }
}

void JsonlFile::accept_tail() {
  offset_ += tail_.size();
  at_ = end_;
  ++line_;
  tail_.clear();
}

std::optional<std::string_view> top_level_string(std::string_view s, std::string_view key) {
  std::size_t at = skip_space(s, 0);
  if (at >= s.size() || s[at] != '{') return std::nullopt;
  at = skip_space(s, at + 1);
  while (at < s.size() && s[at] == '"') {
    const std::size_t key_end = skip_string(s, at);
    if (key_end == std::string_view::npos) return std::nullopt;
    const std::string_view name = s.substr(at + 1, key_end - at - 2);
    at = skip_space(s, key_end);
    if (at >= s.size() || s[at] != ':') return std::nullopt;
    at = skip_space(s, at + 1);
    if (name == key) {
      if (at >= s.size() || s[at] != '"') return std::nullopt;
      const std::size_t end = skip_string(s, at);
      if (end == std::string_view::npos) return std::nullopt;
      const std::string_view value = s.substr(at + 1, end - at - 2);
      if (value.find('\\') != std::string_view::npos) return std::nullopt;
      return value;
    }
    at = skip_value(s, at);
    if (at == std::string_view::npos) return std::nullopt;
    at = skip_space(s, at);
    if (at >= s.size() || s[at] != ',') return std::nullopt;
    at = skip_space(s, at + 1);
  }
  return std::nullopt;
}

std::string repair_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t n = utf8_sequence(p + i, text.size() - i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

LineProblem parse_line(std::string_view text, nlohmann::json& out) {
  out = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  LineProblem problem = LineProblem::kNone;
  if (out.is_discarded()) {
    const std::string repaired = repair_utf8(text);
    if (repaired == text) return LineProblem::kInvalidJson;
    out = nlohmann::json::parse(repaired, nullptr, false);
    if (out.is_discarded()) return LineProblem::kInvalidJson;
    problem = LineProblem::kRepairedUtf8;
  }
  if (!out.is_object()) return LineProblem::kNotAnObject;
  return problem;
}

}  // namespace agentmetrics::intake
