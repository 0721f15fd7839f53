#include "collector/learning/symptoms.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "collector/learning/entry_lines.h"
#include "collector/learning/fts_stemmer.h"

namespace agentmetrics::learning {
namespace {

using Spans = std::vector<std::pair<std::size_t, std::size_t>>;

// Where a sentence ends: a line break, or . ! ? ; before a space or the end ("2.3" goes on).
bool sentence_end(std::string_view text, std::size_t i) {
  const char c = text[i];
  if (c == '\n') return true;
  if (c != '.' && c != '!' && c != '?' && c != ';') return false;
  return i + 1 == text.size() || std::isspace(static_cast<unsigned char>(text[i + 1])) != 0;
}

bool number(std::string_view stem) {
  return !stem.empty() && std::all_of(stem.begin(), stem.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The file as read, before stemming: words are span indexes (kAnyNumber for "#"), the rest
// ranges as in the final arrays.
constexpr std::size_t kAnyNumber = static_cast<std::size_t>(-1);
struct RawRange {
  std::size_t first = 0, size = 0;
};
struct RawLine {
  RawRange patterns;  // of raw patterns, each a range of raw elements
  RawRange causes;    // of spans
};

}  // namespace

Symptoms::Symptoms(std::string_view text, const FtsStemmer& stemmer) {
  Spans spans;
  spans.reserve(text.size() / 6);  // about a word in six bytes
  std::vector<std::size_t> raw_words;
  std::vector<RawRange> raw_alternatives, raw_elements, raw_patterns;
  std::vector<RawLine> lines;
  each_entry_line(text, [&](std::string_view line, std::size_t line_start) {
    const std::size_t arrow = line.find("=>");
    if (arrow == std::string_view::npos) return;
    RawLine raw{{raw_patterns.size(), 0}, {}};
    // Symptoms apart by ";", a symptom's slots by "..", a slot's alternatives by "|", an
    // alternative's words by spaces.
    each_piece(line.substr(0, arrow), line_start, ";", [&](std::size_t sb, std::size_t se) {
      RawRange pattern{raw_elements.size(), 0};
      each_piece(text.substr(sb, se - sb), sb, "..", [&](std::size_t eb, std::size_t ee) {
        RawRange element{raw_alternatives.size(), 0};
        each_piece(text.substr(eb, ee - eb), eb, "|", [&](std::size_t ab, std::size_t ae) {
          RawRange alternative{raw_words.size(), 0};
          each_piece(text.substr(ab, ae - ab), ab, " ", [&](std::size_t wb, std::size_t we) {
            if (text.substr(wb, we - wb) == "#") {
              raw_words.push_back(kAnyNumber);
            } else {
              raw_words.push_back(spans.size());
              spans.emplace_back(wb, we);
            }
          });
          alternative.size = raw_words.size() - alternative.first;
          raw_alternatives.push_back(alternative);
        });
        element.size = raw_alternatives.size() - element.first;
        raw_elements.push_back(element);
      });
      pattern.size = raw_elements.size() - pattern.first;
      raw_patterns.push_back(pattern);
    });
    raw.patterns.size = raw_patterns.size() - raw.patterns.first;
    raw.causes.first = spans.size();
    each_piece(line.substr(arrow + 2), line_start + arrow + 2, ",", [&](std::size_t cb, std::size_t ce) { spans.emplace_back(cb, ce); });
    raw.causes.size = spans.size() - raw.causes.first;
    lines.push_back(raw);
  });
  // One pass of the tokenizer over the whole text (stems_in), then each stem by its number.
  const auto stemmed = stemmer.stems_in(text, spans);
  const auto stems_of = [&stemmed](std::size_t span) {
    return std::pair(stemmed.stems.begin() + static_cast<std::ptrdiff_t>(stemmed.first[span]),
                     stemmed.stems.begin() + static_cast<std::ptrdiff_t>(stemmed.first[span + 1]));
  };
  for (const RawLine& raw : lines) {
    std::vector<Cause> causes;
    for (std::size_t c = raw.causes.first; c < raw.causes.first + raw.causes.size; ++c) {
      const auto [b, e] = stems_of(c);
      if (b != e) causes.push_back({std::string(text.substr(spans[c].first, spans[c].second - spans[c].first)), {b, e}});
    }
    if (causes.empty()) continue;
    const auto line = static_cast<std::uint32_t>(causes_.size());
    const std::size_t patterns_before = patterns_.size();
    for (std::size_t p = raw.patterns.first; p < raw.patterns.first + raw.patterns.size; ++p) {
      // A pattern is kept whole or not at all: an alternative with a word of punctuation alone
      // matches nothing, and a slot without alternatives makes the pattern match nothing.
      const auto elements_before = elements_.size(), alternatives_before = alternatives_.size(), words_before = words_.size();
      bool whole = raw_patterns[p].size > 0;
      for (std::size_t e = raw_patterns[p].first; whole && e < raw_patterns[p].first + raw_patterns[p].size; ++e) {
        Element element{elements_.size() > elements_before, {static_cast<std::uint32_t>(alternatives_.size()), 0}};
        for (std::size_t a = raw_elements[e].first; a < raw_elements[e].first + raw_elements[e].size; ++a) {
          Range alternative{static_cast<std::uint32_t>(words_.size()), 0};
          bool complete = true;
          for (std::size_t w = raw_alternatives[a].first; w < raw_alternatives[a].first + raw_alternatives[a].size; ++w) {
            if (raw_words[w] == kAnyNumber) {
              words_.push_back(kNumber);
              continue;
            }
            const auto [b, end] = stems_of(raw_words[w]);
            complete = complete && b != end;
            for (auto it = b; it != end; ++it)
              words_.push_back(ids_.try_emplace(*it, static_cast<std::uint32_t>(ids_.size())).first->second);
          }
          alternative.size = static_cast<std::uint32_t>(words_.size()) - alternative.first;
          if (complete && alternative.size > 0) {
            alternatives_.push_back(alternative);
          } else {
            words_.resize(alternative.first);
          }
        }
        element.alternatives.size = static_cast<std::uint32_t>(alternatives_.size()) - element.alternatives.first;
        whole = element.alternatives.size > 0;
        elements_.push_back(element);
      }
      if (!whole) {
        elements_.resize(elements_before);
        alternatives_.resize(alternatives_before);
        words_.resize(words_before);
        continue;
      }
      const Pattern pattern{line,
                            {static_cast<std::uint32_t>(elements_before), static_cast<std::uint32_t>(elements_.size() - elements_before)}};
      const Element& first = elements_[pattern.elements.first];
      for (std::uint32_t a = first.alternatives.first; a < first.alternatives.first + first.alternatives.size; ++a) {
        by_first_word_.emplace_back(words_[alternatives_[a].first], static_cast<std::uint32_t>(patterns_.size()));
      }
      patterns_.push_back(pattern);
    }
    if (patterns_.size() > patterns_before) causes_.push_back(std::move(causes));
  }
  std::sort(by_first_word_.begin(), by_first_word_.end());
  by_first_word_.erase(std::unique(by_first_word_.begin(), by_first_word_.end()), by_first_word_.end());
}

bool Symptoms::matches(const Pattern& pattern, std::uint32_t element, const std::vector<Word>& words, std::size_t at) const {
  if (element == pattern.elements.size) return true;
  const Element& e = elements_[pattern.elements.first + element];
  const std::size_t sentence = words[at - (element == 0 ? 0 : 1)].sentence;
  const std::size_t last = e.gap_before ? at + kMaxGap : at;
  for (std::size_t i = at; i <= last && i < words.size() && words[i].sentence == sentence; ++i) {
    for (std::uint32_t a = e.alternatives.first; a < e.alternatives.first + e.alternatives.size; ++a) {
      const Range& alternative = alternatives_[a];
      std::size_t n = 0;
      while (n < alternative.size && i + n < words.size() && words[i + n].sentence == sentence) {
        const std::uint32_t want = words_[alternative.first + n];
        if (want == kNumber ? !words[i + n].number : words[i + n].id != want) break;
        ++n;
      }
      if (n == alternative.size && matches(pattern, element + 1, words, i + n)) return true;
    }
  }
  return false;
}

std::vector<const std::vector<Symptoms::Cause>*> Symptoms::causes_in(std::string_view text, const FtsStemmer& stemmer) const {
  std::vector<Word> words;
  std::size_t sentence = 0, scanned = 0;
  stemmer.each_stem(text, [&](std::string_view stem, std::size_t begin) {
    for (; scanned < begin; ++scanned) sentence += sentence_end(text, scanned) ? 1 : 0;
    const auto it = ids_.find(std::string(stem));
    words.push_back({it == ids_.end() ? kUnknown : it->second, number(stem), sentence});
  });
  std::vector<bool> found(causes_.size(), false);
  const auto test = [&](std::uint32_t id, std::size_t at) {
    const Pattern& p = patterns_[id];
    if (!found[p.line] && matches(p, 0, words, at)) found[p.line] = true;
  };
  for (std::size_t at = 0; at < words.size(); ++at) {
    for (const std::uint32_t first : {words[at].id, words[at].number ? kNumber : kUnknown}) {
      if (first == kUnknown) continue;
      auto it = std::lower_bound(by_first_word_.begin(), by_first_word_.end(), std::pair(first, std::uint32_t{0}));
      for (; it != by_first_word_.end() && it->first == first; ++it) test(it->second, at);
    }
  }
  std::vector<const std::vector<Cause>*> out;
  for (std::size_t l = 0; l < causes_.size(); ++l) {
    if (found[l]) out.push_back(&causes_[l]);
  }
  return out;
}

}  // namespace agentmetrics::learning
