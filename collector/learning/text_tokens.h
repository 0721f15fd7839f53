// Words of a text as the learning side compares them: lowercase runs of letters and digits
// (bytes of UTF-8 letters count as letters), with English stopwords left out where meaning
// matters. Also the content hash behind rule ids and duplicate detection, Jaccard similarity,
// and the small formatting helpers of the JSON answers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace agentmetrics::learning {

// Every word, lowercased, in order.
std::vector<std::string> tokenize(std::string_view text);
// The words that carry meaning: no stopwords, no one-letter words, each once, in order.
std::vector<std::string> content_words(std::string_view text);
bool is_stopword(std::string_view word);
// A word without a plural "s" (tests -> test), for comparing labels with rule text.
std::string singular(std::string_view word);

// Content as compared for exact duplicates: its words joined by single spaces.
std::string normalize_content(std::string_view text);
std::uint64_t fnv1a64(std::string_view bytes);
std::string hex64(std::uint64_t value);  // 16 lowercase hex digits
// 16 hex digits of the normalized content's hash.
std::string content_hash(std::string_view content);
// |A n B| / |A u B| of two word lists taken as sets; 1 for two empty lists.
double jaccard(const std::vector<std::string>& a, const std::vector<std::string>& b);
// An FTS5 query matching any of the words ("a" OR "b"); empty for no words.
std::string fts_any_of(const std::vector<std::string>& words);

// "test_failure" -> "test failure".
std::string humanize(std::string_view label);
// "45 s", "12 min", "2 h 5 min".
std::string format_duration(double seconds);
// Rounded to `digits` decimals, for JSON answers.
double round_to(double value, int digits);
// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF): what JSON, SQLite's FTS and an agent's prompt can carry.
bool valid_utf8(std::string_view text);
// `text` for a prompt: tabs and line breaks become spaces, other control characters go.
std::string without_control_characters(std::string_view text);
// At most `max_bytes` of valid UTF-8 `text`, cut at a character boundary and ended with "..."
// when cut.
std::string truncated_text(std::string_view text, std::size_t max_bytes);
// Splits "a, b,,c" into {"a", "b", "c"} (trimmed, empty parts dropped).
std::vector<std::string> split_list(std::string_view text, char separator = ',');

}  // namespace agentmetrics::learning
