#include "collector/learning/query_terms.h"

#include <algorithm>

#include "collector/store/sqlite_statement.h"
#include "collector/learning/text_tokens.h"

namespace agentmetrics::learning {
namespace {

constexpr std::int64_t kAlwaysCommon = 2000;
constexpr std::size_t kPairWords = 6;

}  // namespace

std::int64_t frequent_word_threshold(std::int64_t documents, double max_share) {
  return std::clamp<std::int64_t>(static_cast<std::int64_t>(max_share * static_cast<double>(documents)), kAlwaysRare, kAlwaysCommon);
}

QueryTerms::QueryTerms(sqlite3* db, std::string fts_table) : db_(db), table_(std::move(fts_table)) {}

std::int64_t QueryTerms::count(const std::string& match, std::int64_t limit) const {
  store::SqliteStatement st(db_, count_sql());
  st.bind(1, match);
  st.bind(2, limit);
  return st.step() ? st.column_int64(0) : 0;
}

std::string QueryTerms::count_sql() const {
  return "SELECT count(*) FROM (SELECT 1 FROM " + table_ + " WHERE " + table_ + " MATCH ? LIMIT ?)";
}

QueryTerms::Newest QueryTerms::newest(store::SqliteStatement& st, const std::string& match, std::int64_t cap) const {
  // One scan, newest first, one row past the cap: whether there are more than `cap` matches,
  // and the rowid of the cap-th newest (the bound that keeps the `cap` newest).
  st.reset();
  st.bind(1, match);
  st.bind(2, cap + 1);
  Newest out;
  while (st.step()) {
    if (++out.count == cap) out.bound = st.column_int64(0);
  }
  return out;
}

std::vector<SearchPlan> QueryTerms::plan(const std::vector<std::string>& words, std::int64_t documents, double max_share,
                                         std::int64_t cap) const {
  const auto threshold = frequent_word_threshold(documents, max_share);
  // One statement for every word's count (prepared once).
  store::SqliteStatement counter(db_, count_sql());
  std::vector<std::pair<std::int64_t, std::string>> rare, common;
  for (const auto& w : words) {
    counter.reset();
    counter.bind(1, fts_any_of({w}));
    counter.bind(2, threshold + 1);
    const std::int64_t n = counter.step() ? counter.column_int64(0) : 0;
    if (n == 0) continue;
    (n <= threshold ? rare : common).emplace_back(n, w);
  }
  if (rare.empty()) {
    for (std::size_t i = 0; i < common.size() && i < 2; ++i) rare.push_back(common[i]);
  }
  std::vector<SearchPlan> plans;
  if (rare.empty()) return plans;
  std::vector<std::string> kept;
  for (const auto& [n, w] : rare) kept.push_back(w);
  const std::string any = fts_any_of(kept);
  store::SqliteStatement scan(db_, "SELECT rowid FROM " + table_ + " WHERE " + table_ + " MATCH ? ORDER BY rowid DESC LIMIT ?");
  const Newest any_newest = newest(scan, any, cap);
  // Score only the `cap` newest matches (all of them when there are no more).
  auto from = [cap](const Newest& n) { return n.count >= cap ? n.bound : std::int64_t{0}; };
  if (kept.size() >= 2 && any_newest.count > cap) {
    std::stable_sort(rare.begin(), rare.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string pairs;
    const std::size_t n = std::min(rare.size(), kPairWords);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = i + 1; j < n; ++j) {
        pairs += (pairs.empty() ? "(" : " OR (") + fts_any_of({rare[i].second}) + " AND " + fts_any_of({rare[j].second}) + ")";
      }
    }
    if (const Newest p = newest(scan, pairs, cap); p.count > 0) plans.push_back({pairs, from(p)});
  }
  plans.push_back({any, from(any_newest)});
  return plans;
}

}  // namespace agentmetrics::learning
