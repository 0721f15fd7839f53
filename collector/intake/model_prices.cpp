#include "collector/intake/model_prices.h"

#include <yaml-cpp/yaml.h>

#include <stdexcept>

namespace agentmetrics::intake {

// model_prices.yaml, embedded by the build (model_prices_data.cpp).
extern const char* const kShippedModelPrices;

PriceTable PriceTable::shipped() {
  PriceTable table;
  try {
    const YAML::Node root = YAML::Load(kShippedModelPrices);
    table.date_ = root["date"].as<std::string>();
    for (const auto& entry : root["models"]) {
      const YAML::Node p = entry.second;
      table.prices_[entry.first.as<std::string>()] =
          ModelPrice{p["input"].as<double>(), p["output"].as<double>(), p["cache_read"].as<double>(), p["cache_creation"].as<double>()};
    }
  } catch (const YAML::Exception& e) {
    throw std::runtime_error(std::string("the shipped model price table does not parse: ") + e.what());
  }
  return table;
}

const ModelPrice* PriceTable::find(std::string_view model) const {
  if (auto exact = prices_.find(model); exact != prices_.end()) return &exact->second;
  const ModelPrice* best = nullptr;
  std::size_t best_length = 0;
  for (const auto& [name, price] : prices_) {
    if (model.size() > name.size() && model.starts_with(name) && model[name.size()] == '-' && name.size() > best_length) {
      best = &price;
      best_length = name.size();
    }
  }
  return best;
}

std::optional<double> PriceTable::cost(std::string_view model, const TokenCounts& tokens) const {
  const ModelPrice* price = find(model);
  if (!price) return std::nullopt;
  return (tokens.input * price->input + tokens.output * price->output + tokens.cache_read * price->cache_read +
          tokens.cache_creation * price->cache_creation) /
         1e6;
}

}  // namespace agentmetrics::intake
