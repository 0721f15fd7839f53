#include "collector/intake/sessions/import_report.h"

#include <cstdio>

namespace agentmetrics::intake {

void ImportReport::problem(ImportProblem p) {
  ++problem_counts_[p.kind];
  if (problems_.size() < kListed) problems_.push_back(std::move(p));
}

void ImportReport::source(const std::string& agent_type, const std::string& path, bool exists) {
  sources_.push_back({agent_type, path, exists});
}

void ImportReport::merge(const ImportReport& other) {
  for (const auto& [name, a] : other.agents_) {
    AgentImport& mine = agents_[name];
    mine.sessions_new += a.sessions_new;
    mine.sessions_updated += a.sessions_updated;
    mine.sessions_unchanged += a.sessions_unchanged;
    mine.files_read += a.files_read;
    mine.files_unchanged += a.files_unchanged;
    mine.lines += a.lines;
    mine.bytes += a.bytes;
    mine.tokens += a.tokens;
    mine.cost_usd += a.cost_usd;
    mine.unpriced_models.insert(a.unpriced_models.begin(), a.unpriced_models.end());
  }
  for (const auto& [kind, n] : other.problem_counts_) problem_counts_[kind] += n;
  for (const auto& p : other.problems_) {
    if (problems_.size() < kListed) problems_.push_back(p);
  }
  sources_.insert(sources_.end(), other.sources_.begin(), other.sources_.end());
  seconds += other.seconds;
}

std::size_t ImportReport::problem_total() const {
  std::size_t total = 0;
  for (const auto& [kind, n] : problem_counts_) total += n;
  return total;
}

nlohmann::ordered_json ImportReport::to_json() const {
  nlohmann::ordered_json agents = nlohmann::ordered_json::object();
  for (const auto& [name, a] : agents_) {
    agents[name] = {{"sessions_new", a.sessions_new},
                    {"sessions_updated", a.sessions_updated},
                    {"sessions_unchanged", a.sessions_unchanged},
                    {"files_read", a.files_read},
                    {"files_unchanged", a.files_unchanged},
                    {"lines", a.lines},
                    {"bytes", a.bytes},
                    {"tokens",
                     {{"input", a.tokens.input},
                      {"output", a.tokens.output},
                      {"cache_read", a.tokens.cache_read},
                      {"cache_creation", a.tokens.cache_creation}}},
                    {"cost_usd", a.cost_usd},
                    {"unpriced_models", a.unpriced_models}};
  }
  nlohmann::ordered_json listed = nlohmann::ordered_json::array();
  for (const auto& p : problems_) listed.push_back({{"file", p.file}, {"line", p.line}, {"kind", p.kind}, {"detail", p.detail}});
  nlohmann::ordered_json sources = nlohmann::ordered_json::array();
  for (const auto& s : sources_) sources.push_back({{"agent", s.agent}, {"path", s.path}, {"exists", s.exists}});
  return {{"dry_run", dry_run},
          {"seconds", seconds},
          {"sources", sources},
          {"agents", agents},
          {"problems", {{"total", problem_total()}, {"by_kind", problem_counts_}, {"listed", listed}}}};
}

std::string ImportReport::summary() const {
  std::string out;
  char line[512];
  for (const auto& s : sources_) {
    if (!s.exists) out += s.agent + ": nothing at " + s.path + "\n";
  }
  for (const auto& [name, a] : agents_) {
    std::snprintf(line, sizeof line,
                  "%s: %zu new, %zu updated, %zu unchanged sessions; %zu files read (%llu lines), %zu unchanged; "
                  "%.0f tokens, %.4f USD\n",
                  name.c_str(), a.sessions_new, a.sessions_updated, a.sessions_unchanged, a.files_read,
                  static_cast<unsigned long long>(a.lines), a.files_unchanged, a.tokens.total(), a.cost_usd);
    out += line;
    if (!a.unpriced_models.empty()) {
      out += "  no price for:";
      for (const auto& m : a.unpriced_models) out += " " + m;
      out += " (their sessions have no cost; add them under pricing.models)\n";
    }
  }
  if (const std::size_t total = problem_total()) {
    out += std::to_string(total) + " problems in the input:";
    for (const auto& [kind, n] : problem_counts_) out += " " + kind + " " + std::to_string(n);
    out += "\n";
    for (const auto& p : problems_) {
      out += "  " + p.file + (p.line ? ":" + std::to_string(p.line) : "") + ": " + p.kind +
             (p.detail.empty() ? "" : " (" + p.detail + ")") + "\n";
    }
    if (total > problems_.size()) out += "  ... and " + std::to_string(total - problems_.size()) + " more\n";
  }
  return out;
}

}  // namespace agentmetrics::intake
