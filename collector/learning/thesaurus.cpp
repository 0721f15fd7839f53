#include "collector/learning/thesaurus.h"

#include <sqlite3.h>

#include <algorithm>

#include "collector/learning/entry_lines.h"
#include "collector/learning/fts_stemmer.h"

namespace agentmetrics::learning {
namespace {

struct Span {
  std::size_t group, term, begin, end;  // bytes of the text
};

const std::vector<std::size_t> kNoGroups;

}  // namespace

Thesaurus::Thesaurus(std::string_view text, const FtsStemmer& stemmer) {
  // Every term's place in the text, then one tokenizer pass over the whole text (stems_in).
  std::vector<Span> spans;
  each_entry_line(text, [&](std::string_view line, std::size_t line_start) {
    std::vector<Term> group;
    each_piece(line, line_start, ",", [&](std::size_t begin, std::size_t end) {
      spans.push_back({groups_.size(), group.size(), begin, end});
      group.push_back({std::string(text.substr(begin, end - begin)), {}});
    });
    groups_.push_back(std::move(group));
  });
  std::vector<std::pair<std::size_t, std::size_t>> bytes;
  bytes.reserve(spans.size());
  for (const auto& s : spans) bytes.emplace_back(s.begin, s.end);
  const auto stemmed = stemmer.stems_in(text, bytes);
  for (std::size_t i = 0; i < spans.size(); ++i) {
    groups_[spans[i].group][spans[i].term].stems.assign(stemmed.stems.begin() + static_cast<std::ptrdiff_t>(stemmed.first[i]),
                                                        stemmed.stems.begin() + static_cast<std::ptrdiff_t>(stemmed.first[i + 1]));
  }
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    for (std::size_t t = 0; t < groups_[g].size(); ++t) {
      const auto& stems = groups_[g][t].stems;
      if (stems.size() == 1) {
        auto& list = by_stem_[stems[0]];
        if (list.empty() || list.back() != g) list.push_back(g);
      } else if (stems.size() > 1) {
        phrases_[stems[0]].emplace_back(g, t);
      }
    }
  }
}

const std::vector<std::size_t>& Thesaurus::groups_of(const std::string& stem) const {
  const auto it = by_stem_.find(stem);
  return it == by_stem_.end() ? kNoGroups : it->second;
}

std::vector<std::pair<std::size_t, std::size_t>> Thesaurus::phrases_in(const std::vector<std::string>& stems) const {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t i = 0; i < stems.size(); ++i) {
    const auto it = phrases_.find(stems[i]);
    if (it == phrases_.end()) continue;
    for (const auto& [g, t] : it->second) {
      const auto& want = groups_[g][t].stems;
      if (i + want.size() <= stems.size() && std::equal(want.begin(), want.end(), stems.begin() + static_cast<std::ptrdiff_t>(i))) {
        out.emplace_back(g, t);
      }
    }
  }
  return out;
}

}  // namespace agentmetrics::learning
