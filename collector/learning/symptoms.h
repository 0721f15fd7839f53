// What a task's symptoms point to: "two threads, each waiting for the other's lock" -> deadlock,
// lock order; "pod OOMKilled" -> memory limit. A thesaurus group (thesaurus.h) joins words that
// mean the same and works both ways; a symptom says nothing of the words a rule uses, only of its
// cause or remedy, and the cause does not imply the symptom ("deadlock" in a task is no sign of
// an OOM kill). So each line here points one way: symptoms => causes. The built-in knowledge is
// symptoms.txt, compiled in.
//
// A symptom is a sequence of slots found in the task in that order, all within one sentence;
// words are compared by their stems (fts_stemmer.h), so a word stands for its inflections:
//   a b c           the words, adjacent
//   x|y z           any of these alternatives ("x", or "y z")
//   ..              between two slots: up to kMaxGap words may stand between them
//   #               as a word: any number ("2.3" is the numbers 2 and 3)
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace agentmetrics::learning {

class FtsStemmer;

class Symptoms {
 public:
  static constexpr std::size_t kMaxGap = 3;

  struct Cause {
    std::string text;                // as written: what the index is searched for
    std::vector<std::string> stems;  // more than one: a phrase
  };

  // `text`: one line per cause, "symptom; symptom; ... => cause, cause, ..."; lines starting
  // with # are comments; a line without "=>", symptoms or causes is skipped.
  Symptoms(std::string_view text, const FtsStemmer& stemmer);
  // symptoms.txt.
  static std::string_view builtin_text();

  // The lines read.
  std::size_t size() const { return causes_.size(); }
  // The causes of each line with a symptom in `text`, each line once, in the file's order.
  std::vector<const std::vector<Cause>*> causes_in(std::string_view text, const FtsStemmer& stemmer) const;

 private:
  // Stems as numbers (ids_), and the patterns as ranges of flat arrays: the file is read by every
  // `cm context`, and thousands of small vectors would cost more than its stemming.
  struct Range {
    std::uint32_t first = 0, size = 0;
  };
  struct Element {
    bool gap_before = false;
    Range alternatives;  // of alternatives_, each a range of words_
  };
  struct Pattern {
    std::uint32_t line = 0;
    Range elements;  // of elements_
  };
  struct Word {
    std::uint32_t id = 0;  // kUnknown: a stem no pattern has
    bool number = false;
    std::size_t sentence = 0;
  };
  static constexpr std::uint32_t kUnknown = 0xffffffff;
  static constexpr std::uint32_t kNumber = 0xfffffffe;  // "#"

  bool matches(const Pattern& pattern, std::uint32_t element, const std::vector<Word>& words, std::size_t at) const;

  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::uint32_t> words_;
  std::vector<Range> alternatives_;
  std::vector<Element> elements_;
  std::vector<Pattern> patterns_;
  std::vector<std::vector<Cause>> causes_;
  // (first word of an alternative of a pattern's first element, pattern), sorted.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> by_first_word_;
};

}  // namespace agentmetrics::learning
