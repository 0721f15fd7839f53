// Keeping full-text queries cheap and meaningful on large indexes (10k rules, 100k past tasks).
// BM25 costs a few microseconds per matching row, so the number of rows it scores is bounded:
//  1. Words found in more than `max_share` of the documents (and in more than 5; at most 2000
//     counts as common in any case) say little about relevance: they are left out while rarer
//     words remain; if all are common, the first two are kept (the query is generic anyway).
//     A word's document count is read from the index itself (MATCH, stopping past the
//     threshold), so stemming is the index's own.
//  2. If the remaining words (any of them) match more than `cap` documents, the documents that
//     match at least two of the rarest six are ranked first (the rest fill up to the limit).
//  3. Whatever query is ranked, at most its `cap` newest matches (largest rowids) are scored.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

struct sqlite3;

namespace agentmetrics::store {
class SqliteStatement;
}

namespace agentmetrics::learning {

// How many documents a word may match and still count as rare (step 1 above): `max_share` of
// `documents`, at least 5 and at most 2000. A team store's search (postgres_learning_store.h)
// leaves the same words out.
std::int64_t frequent_word_threshold(std::int64_t documents, double max_share);
// A word in this many documents or fewer is rare, however few the documents are.
inline constexpr std::int64_t kAlwaysRare = 5;

struct SearchPlan {
  std::string match;            // FTS5 query; empty: nothing to search
  std::int64_t from_rowid = 0;  // score only rows with rowid >= this
};

class QueryTerms {
 public:
  // `fts_table`: bullets_fts or history_fts.
  QueryTerms(sqlite3* db, std::string fts_table);

  // Documents matching the FTS5 query, counted up to `limit`.
  std::int64_t count(const std::string& match, std::int64_t limit) const;
  // The searches to rank, best first: the "at least two words" query when the words match too
  // many documents, then the plain one.
  std::vector<SearchPlan> plan(const std::vector<std::string>& words, std::int64_t documents, double max_share, std::int64_t cap) const;

 private:
  struct Newest {
    std::int64_t count = 0;  // matches, counted up to cap + 1
    std::int64_t bound = 0;  // rowid of the cap-th newest match (when count >= cap)
  };
  std::string count_sql() const;
  // `st`: SELECT rowid ... MATCH ? ORDER BY rowid DESC LIMIT ?
  Newest newest(store::SqliteStatement& st, const std::string& match, std::int64_t cap) const;

  sqlite3* db_;
  std::string table_;
};

}  // namespace agentmetrics::learning
