#include "collector/common/tool_failure_facts.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <vector>

#include "collector/common/tool_call_words.h"

namespace agentmetrics {
namespace {

constexpr double kMaxCount = 1e6;  // more calls than any session makes

bool count_ok(const nlohmann::json& v) {
  return v.is_number() && std::isfinite(v.get<double>()) && v.get<double>() >= 0 && v.get<double>() <= kMaxCount;
}

bool text_ok(const nlohmann::json& v) { return v.is_string(); }

}  // namespace

bool is_command_ref(std::string_view ref) {
  return ref.size() == 10 && ref.starts_with("c-") && std::all_of(ref.begin() + 2, ref.end(), [](char c) {
           return std::isdigit(static_cast<unsigned char>(c)) || (c >= 'a' && c <= 'f');
         });
}

bool ToolFailureFacts::empty() const { return tools.empty() && edits.empty() && retries.empty(); }

void ToolFailureFacts::merge(const ToolFailureFacts& other) {
  for (const auto& [key, c] : other.tools) {
    auto& mine = tools[key];
    mine.calls += c.calls;
    mine.failures += c.failures;
  }
  for (const auto& [key, n] : other.edits) edits[key] += n;
  for (const auto& [ref, r] : other.retries) {
    auto& mine = retries[ref];
    if (mine.words.empty()) mine.words = r.words;
    if (mine.stage.empty()) mine.stage = r.stage;
    mine.runs += r.runs;
    mine.most_failures = std::max(mine.most_failures, r.most_failures);
    mine.unchanged += r.unchanged;
  }
}

std::string ToolFailureFacts::to_text(std::size_t max_bytes, std::size_t* dropped) const {
  if (dropped) *dropped = 0;
  if (empty()) return {};
  // Each entry with its weight (failures), heaviest first, added while the text still fits.
  struct Entry {
    double weight;
    const char* list;
    nlohmann::json value;
  };
  std::vector<Entry> entries;
  for (const auto& [key, c] : tools) entries.push_back({c.failures, "tools", {key.first, key.second, c.calls, c.failures}});
  for (const auto& [key, n] : edits) entries.push_back({n, "edits", {key.first, key.second, n}});
  for (const auto& [ref, r] : retries)
    entries.push_back({r.runs * r.most_failures, "retries", {ref, r.words, r.stage, r.runs, r.most_failures, r.unchanged}});
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.weight > b.weight; });
  nlohmann::json out = {{"v", 1}};
  std::size_t size = out.dump().size();
  for (auto& e : entries) {
    const std::size_t more = e.value.dump().size() + std::string_view(e.list).size() + 6;  // ,"list":[ ... ]
    if (size + more > max_bytes) {
      if (dropped) ++*dropped;
      continue;
    }
    out[e.list].push_back(std::move(e.value));
    size += more;
  }
  std::string text = out.dump();
  return text.size() <= max_bytes ? text : std::string();
}

std::optional<ToolFailureFacts> ToolFailureFacts::parse(std::string_view text, std::size_t* rejected) {
  if (rejected) *rejected = 0;
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || j.value("v", 0) != 1) return std::nullopt;
  ToolFailureFacts facts;
  auto reject = [&] {
    if (rejected) ++*rejected;
  };
  auto list = [&](const char* name, std::size_t arity) {
    std::vector<nlohmann::json> rows;
    const auto it = j.find(name);
    if (it == j.end()) return rows;
    if (!it->is_array()) {
      reject();
      return rows;
    }
    for (const auto& row : *it) {
      if (row.is_array() && row.size() == arity) {
        rows.push_back(row);
      } else {
        reject();
      }
    }
    return rows;
  };
  for (const auto& r : list("tools", 4)) {
    if (!text_ok(r[0]) || !text_ok(r[1]) || !count_ok(r[2]) || !count_ok(r[3]) || !is_tool_name(r[0].get<std::string>()) ||
        !is_tool_stage(r[1].get<std::string>())) {
      reject();
      continue;
    }
    auto& c = facts.tools[{r[0].get<std::string>(), r[1].get<std::string>()}];
    c.calls += r[2].get<double>();
    c.failures += r[3].get<double>();
  }
  for (const auto& r : list("edits", 3)) {
    if (!text_ok(r[0]) || !text_ok(r[1]) || !count_ok(r[2]) || !is_tool_name(r[0].get<std::string>()) ||
        !is_failure_reason(r[1].get<std::string>())) {
      reject();
      continue;
    }
    facts.edits[{r[0].get<std::string>(), r[1].get<std::string>()}] += r[2].get<double>();
  }
  for (const auto& r : list("retries", 6)) {
    if (!text_ok(r[0]) || !text_ok(r[1]) || !text_ok(r[2]) || !count_ok(r[3]) || !count_ok(r[4]) || !count_ok(r[5]) ||
        !is_command_ref(r[0].get<std::string>()) || !is_tool_stage(r[2].get<std::string>())) {
      reject();
      continue;
    }
    const std::string words = r[1].get<std::string>();
    if (!words.empty() && !is_command_words(words)) {
      reject();
      continue;
    }
    CommandRetry retry{words, r[2].get<std::string>(), r[3].get<double>(), r[4].get<double>(), r[5].get<double>()};
    facts.retries[r[0].get<std::string>()] = std::move(retry);
  }
  return facts;
}

}  // namespace agentmetrics
