#include "collector/learning/learned_words.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <vector>

#include "collector/learning/rule_search.h"
#include "collector/learning/text_tokens.h"

namespace agentmetrics::learning {
namespace {

constexpr std::size_t kMaxWordBytes = 32;
constexpr std::size_t kIdentifierBytes = 8;

bool looks_like_identifier(std::string_view word) {
  if (word.size() > kMaxWordBytes) return true;
  if (word.size() < kIdentifierBytes) return false;
  const bool digits = std::ranges::any_of(word, [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
  const bool letters = std::ranges::any_of(word, [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
  return digits && letters;
}

// The task's words as a search reads them, without identifiers.
std::vector<std::string> task_words(std::string_view task) {
  auto words = query_words(task);
  std::erase_if(words, [](const std::string& w) { return looks_like_identifier(w); });
  if (words.size() > kMaxTaskWords) words.resize(kMaxTaskWords);
  return words;
}

std::string joined(const std::vector<std::string>& words, std::size_t from = 0) {
  std::string out;
  for (std::size_t i = from; i < words.size(); ++i) out += (out.empty() ? "" : " ") + words[i];
  return out;
}

}  // namespace

std::string learnable_words(std::string_view task) { return joined(task_words(task)); }

std::string learned_with_task(std::string_view learned, std::string_view task, std::string_view content) {
  const auto added = task_words(task);
  const auto own = content_words(split_camel_case(content));
  const std::set<std::string> own_set(own.begin(), own.end());
  std::vector<std::string> fresh;
  for (const auto& w : added) {
    if (!own_set.contains(w)) fresh.push_back(w);
  }
  const std::set<std::string> fresh_set(fresh.begin(), fresh.end());
  std::vector<std::string> words;
  for (auto& w : tokenize(learned)) {
    if (!fresh_set.contains(w)) words.push_back(std::move(w));
  }
  words.insert(words.end(), fresh.begin(), fresh.end());
  return joined(words, words.size() > kMaxLearnedWords ? words.size() - kMaxLearnedWords : 0);
}

}  // namespace agentmetrics::learning
