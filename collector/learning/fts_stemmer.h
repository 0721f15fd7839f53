// Words stemmed the way the full-text indexes stem them: SQLite FTS5's own `porter` tokenizer
// (over unicode61, as bullets_fts and history_fts are declared), so that a word looked up in the
// thesaurus and a word the index matches agree on what counts as the same word ("flaky",
// "flakiness" -> "flaki").
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct sqlite3;
struct Fts5Tokenizer;

namespace agentmetrics::learning {

class FtsStemmer {
 public:
  // Throws LearningError (kInternal) when the connection has no FTS5 or no porter tokenizer.
  explicit FtsStemmer(sqlite3* db);
  ~FtsStemmer();
  FtsStemmer(const FtsStemmer&) = delete;
  FtsStemmer& operator=(const FtsStemmer&) = delete;

  // The stems of a text's words, in order (lowercase, diacritics kept as unicode61 keeps them).
  std::vector<std::string> stems(std::string_view text) const;
  // Each stem with the byte offset of its word in `text`.
  void each_stem(std::string_view text, const std::function<void(std::string_view stem, std::size_t begin)>& visit) const;
  // The stems of each span [begin, end) of `text` (in order, not overlapping), in one pass of
  // the tokenizer over the whole text: a file of many short terms costs one call, not one a term.
  // Span i's stems are stems[first[i]] to stems[first[i + 1]] (one vector, not one a span).
  struct SpanStems {
    std::vector<std::string> stems;
    std::vector<std::size_t> first;
  };
  SpanStems stems_in(std::string_view text, const std::vector<std::pair<std::size_t, std::size_t>>& spans) const;

 private:
  Fts5Tokenizer* tokenizer_ = nullptr;
  void (*delete_)(Fts5Tokenizer*) = nullptr;
  int (*tokenize_)(Fts5Tokenizer*, void*, int, const char*, int, int (*)(void*, int, const char*, int, int, int)) = nullptr;
};

}  // namespace agentmetrics::learning
