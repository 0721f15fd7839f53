// Related terms a task's words are expanded with before the rules are searched, so that a task
// said in other words than a rule still finds it ("the suite goes red now and then" -> flaky,
// intermittent). The built-in groups are thesaurus.txt, compiled in. Terms are compared by their
// stems (fts_stemmer.h), so one form of a word in a group stands for its inflections.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace agentmetrics::learning {

class FtsStemmer;

class Thesaurus {
 public:
  struct Term {
    std::string text;                // as written in the group: what the index is searched for
    std::vector<std::string> stems;  // more than one: a phrase
  };

  // `text`: one group a line, terms separated by commas; lines starting with # are comments.
  Thesaurus(std::string_view text, const FtsStemmer& stemmer);
  // thesaurus.txt.
  static std::string_view builtin_text();

  std::size_t size() const { return groups_.size(); }
  const std::vector<Term>& group(std::size_t i) const { return groups_[i]; }
  // The groups holding a one-word term of this stem.
  const std::vector<std::size_t>& groups_of(const std::string& stem) const;
  // The phrases (group, term) whose stems occur, in order and adjacent, in `stems`.
  std::vector<std::pair<std::size_t, std::size_t>> phrases_in(const std::vector<std::string>& stems) const;

 private:
  std::vector<std::vector<Term>> groups_;
  std::unordered_map<std::string, std::vector<std::size_t>> by_stem_;
  // Phrases by their first stem: (group, term).
  std::unordered_map<std::string, std::vector<std::pair<std::size_t, std::size_t>>> phrases_;
};

}  // namespace agentmetrics::learning
