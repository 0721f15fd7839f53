#include "collector/learning/text_tokens.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <set>
#include <unordered_set>

namespace agentmetrics::learning {
namespace {

bool word_byte(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80; }

const std::unordered_set<std::string_view>& stopwords() {
  static const std::unordered_set<std::string_view> words = {
      "a",    "about",  "after", "again",  "all",  "also",  "am",   "an",    "and",   "any",   "are",  "as",    "at",     "be",
      "been", "before", "being", "both",   "but",  "by",    "can",  "could", "did",   "do",    "does", "doing", "for",    "from",
      "had",  "has",    "have",  "having", "he",   "her",   "here", "him",   "his",   "how",   "i",    "if",    "in",     "into",
      "is",   "it",     "its",   "itself", "just", "me",    "more", "most",  "my",    "no",    "nor",  "not",   "now",    "of",
      "off",  "on",     "once",  "only",   "or",   "other", "our",  "out",   "over",  "own",   "same", "she",   "should", "so",
      "some", "such",   "than",  "that",   "the",  "their", "them", "then",  "there", "these", "they", "this",  "those",  "through",
      "to",   "too",    "under", "until",  "up",   "very",  "was",  "we",    "were",  "what",  "when", "where", "which",  "while",
      "who",  "whom",   "why",   "will",   "with", "would", "you",  "your",  "yours"};
  return words;
}

}  // namespace

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (word_byte(c)) {
      word.push_back(c < 0x80 ? static_cast<char>(std::tolower(c)) : ch);
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

bool is_stopword(std::string_view word) { return stopwords().count(word) != 0; }

std::vector<std::string> content_words(std::string_view text) {
  std::vector<std::string> out;
  std::set<std::string, std::less<>> seen;
  for (auto& w : tokenize(text)) {
    if (w.size() < 2 || is_stopword(w)) continue;
    if (seen.insert(w).second) out.push_back(std::move(w));
  }
  return out;
}

std::string singular(std::string_view word) {
  if (word.size() > 3 && word.back() == 's' && word[word.size() - 2] != 's') return std::string(word.substr(0, word.size() - 1));
  return std::string(word);
}

std::string normalize_content(std::string_view text) {
  std::string out;
  for (const auto& w : tokenize(text)) {
    if (!out.empty()) out.push_back(' ');
    out += w;
  }
  return out;
}

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string hex64(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kDigits[value & 0xf];
    value >>= 4;
  }
  return out;
}

std::string content_hash(std::string_view content) { return hex64(fnv1a64(normalize_content(content))); }

double jaccard(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::set<std::string_view> sa(a.begin(), a.end()), sb(b.begin(), b.end());
  if (sa.empty() && sb.empty()) return 1.0;
  std::size_t common = 0;
  for (const auto& w : sa) common += sb.count(w);
  const std::size_t all = sa.size() + sb.size() - common;
  return static_cast<double>(common) / static_cast<double>(all);
}

std::string fts_any_of(const std::vector<std::string>& words) {
  std::string q;
  for (const auto& w : words) {
    if (!q.empty()) q += " OR ";
    q += '"';
    for (const char c : w) {
      if (c == '"') q += '"';  // FTS5 escapes a quote by doubling it
      q += c;
    }
    q += '"';
  }
  return q;
}

std::string humanize(std::string_view label) {
  std::string out(label);
  std::replace(out.begin(), out.end(), '_', ' ');
  std::replace(out.begin(), out.end(), '-', ' ');
  return out;
}

std::string format_duration(double seconds) {
  if (!(seconds >= 0)) seconds = 0;
  if (seconds < 60) return std::to_string(static_cast<long long>(std::llround(seconds))) + " s";
  const auto minutes = static_cast<long long>(std::llround(seconds / 60.0));
  if (minutes < 60) return std::to_string(minutes) + " min";
  const long long h = minutes / 60, m = minutes % 60;
  return std::to_string(h) + " h" + (m ? " " + std::to_string(m) + " min" : std::string());
}

bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      length = 2;
      code = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      length = 3;
      code = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      length = 4;
      code = c & 0x07u;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3Fu);
    }
    const bool overlong = (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
    if (overlong || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

std::string without_control_characters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\t' || c == '\n' || c == '\r') {
      out += ' ';
    } else if (c >= 0x20 && c != 0x7F) {
      out += ch;
    }
  }
  return out;
}

std::string truncated_text(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  std::size_t end = max_bytes >= 3 ? max_bytes - 3 : 0;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // not inside a character
  return std::string(text.substr(0, end)) + "...";
}

double round_to(double value, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(value * scale) / scale;
}

std::vector<std::string> split_list(std::string_view text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(separator, start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(start, end - start);
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.front()))) part.remove_prefix(1);
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.back()))) part.remove_suffix(1);
    if (!part.empty()) out.emplace_back(part);
    start = end + 1;
  }
  return out;
}

}  // namespace agentmetrics::learning
