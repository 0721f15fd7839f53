// English words related to a task's word, from WordNet 3.0 as Debian's wordnet-base installs it
// (/usr/share/wordnet): the other words of its most frequent senses (synonyms), and the words of
// those senses' broader concepts (a noun's hypernyms: "checksum" -> "verification"; an
// adjective's "similar to"; not a verb's, which are the most general verbs). rule_search.h adds them to a
// concept below the task's own words, for the everyday words the trade's thesaurus does not list.
//
// Read in WordNet's documented database format (wndb(5WN)): the index files are sorted by lemma
// and searched by bisection, each sense's synset read at its byte offset in the data file, so a
// lookup reads a few pages of the memory-mapped files and opening costs no parse. Base forms come
// from WordNet's own morphology (morphy(7WN)): the exception lists, then the suffix rules. The
// files are input like any other: a line that does not parse is skipped, never trusted.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace agentmetrics::learning {

class WordNet {
 public:
  struct Related {
    std::string text;  // a word or a phrase ("roll back"), lowercase
    bool hypernym = false;
  };

  // The database in `dir`; nullptr when it is not there or not readable (expansion is optional).
  static std::unique_ptr<WordNet> open(const std::string& dir);
  // The one in /usr/share/wordnet, opened once per process; nullptr when not installed.
  static const WordNet* installed();

  ~WordNet();
  WordNet(const WordNet&) = delete;
  WordNet& operator=(const WordNet&) = delete;

  // Words related to `word` (lowercase): synonyms from its first `senses` senses of each part of
  // speech, then the words of their direct broader concepts; each once, `word` itself left out.
  std::vector<Related> related(std::string_view word, std::size_t senses) const;

  // The base forms of `word` WordNet knows, per part of speech (0 noun, 1 verb, 2 adjective,
  // 3 adverb); for tests and related().
  std::vector<std::string> base_forms(std::string_view word, int pos) const;

 private:
  struct Files;
  explicit WordNet(std::unique_ptr<Files> files);
  std::unique_ptr<Files> files_;
};

}  // namespace agentmetrics::learning
