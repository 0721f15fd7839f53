// Words for generated text (task titles, prompts, answers), drawn from a Zipf-distributed
// vocabulary of 3000 words: real words first (they take the frequent ranks), then made-up ones,
// so common words are really common, as in people's prompts.
#pragma once

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace agentmetrics::bench {

class Vocabulary {
 public:
  explicit Vocabulary(std::mt19937_64& rng) : rng_(rng) {
    // Real words first (they take the frequent ranks), then made-up ones.
    const char* real[] = {"fix",      "add",     "update",       "test",    "tests",    "refactor", "error",     "build",    "api",
                          "user",     "login",   "session",      "cache",   "database", "query",    "migration", "schema",   "parser",
                          "config",   "deploy",  "pipeline",     "docker",  "auth",     "token",    "password",  "logging",  "metrics",
                          "endpoint", "timeout", "retry",        "flaky",   "css",      "layout",   "thread",    "lock",     "race",
                          "memory",   "leak",    "performance",  "latency", "index",    "search",   "upload",    "download", "payment",
                          "invoice",  "email",   "notification", "queue",   "worker",   "scheduler"};
    for (const char* w : real) words_.push_back(w);
    const char* syllables[] = {"ka", "lo", "mi", "ne", "ru", "ta", "vo", "zi", "pe", "so", "gu", "da", "fi", "ho", "xe", "bri"};
    while (words_.size() < 3000) {
      std::string w;
      const int n = 2 + static_cast<int>(rng_() % 3);
      for (int i = 0; i < n; ++i) w += syllables[rng_() % 16];
      words_.push_back(w);
    }
    double sum = 0;
    for (std::size_t r = 0; r < words_.size(); ++r) {
      sum += 1.0 / static_cast<double>(r + 1);
      cumulative_.push_back(sum);
    }
  }
  const std::string& word() {
    const double x = std::uniform_real_distribution<double>(0, cumulative_.back())(rng_);
    return words_[static_cast<std::size_t>(std::lower_bound(cumulative_.begin(), cumulative_.end(), x) - cumulative_.begin())];
  }
  std::string words(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += (i ? " " : "") + word();
    return out;
  }

 private:
  std::mt19937_64& rng_;
  std::vector<std::string> words_;
  std::vector<double> cumulative_;
};

}  // namespace agentmetrics::bench
