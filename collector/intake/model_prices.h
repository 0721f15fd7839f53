// What a model's tokens cost, for agents that report tokens but no cost: the table shipped in
// model_prices.yaml (list prices, dated), with the configuration's pricing.models over it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace agentmetrics::intake {

struct ModelPrice {  // US dollars per million tokens
  double input = 0;  // input that was not read from the cache
  double output = 0;
  double cache_read = 0;
  double cache_creation = 0;
};

struct TokenCounts {
  double input = 0;  // not read from the cache (OpenAI's input_tokens minus cached_tokens)
  double output = 0;
  double cache_read = 0;
  double cache_creation = 0;
  double total() const { return input + output + cache_read + cache_creation; }
  TokenCounts& operator+=(const TokenCounts& o) {
    input += o.input;
    output += o.output;
    cache_read += o.cache_read;
    cache_creation += o.cache_creation;
    return *this;
  }
};

class PriceTable {
 public:
  // The shipped table; throws std::runtime_error if it does not parse (a build defect).
  static PriceTable shipped();
  // Adds or replaces models (the configuration's pricing.models).
  void set(const std::string& model, const ModelPrice& price) { prices_[model] = price; }
  // The price of `model`: its own, or the longest entry that it starts with followed by '-'.
  const ModelPrice* find(std::string_view model) const;
  // The cost of `tokens` of `model`, or nothing when the model has no price.
  std::optional<double> cost(std::string_view model, const TokenCounts& tokens) const;
  const std::string& date() const { return date_; }

 private:
  std::map<std::string, ModelPrice, std::less<>> prices_;
  std::string date_;
};

}  // namespace agentmetrics::intake
