#include "bench/retrieval_eval_set.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <stdexcept>

#include "collector/learning/learning_service.h"
#include "collector/learning/text_tokens.h"
#include "collector/store/sqlite_event_store.h"
#include "collector/store/sqlite_statement.h"
#include "collector/store/sqlite_transaction.h"

namespace agentmetrics::bench {
namespace {

constexpr double kNow = 1.8e9;

std::vector<std::string> tab_fields(const std::string& line) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (true) {
    const auto tab = line.find('\t', from);
    out.push_back(line.substr(from, tab == std::string::npos ? std::string::npos : tab - from));
    if (tab == std::string::npos) return out;
    from = tab + 1;
  }
}

// The data lines of a TSV file: comments (#) and blank lines skipped.
std::vector<std::vector<std::string>> read_tsv(const std::string& path, std::size_t fields) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    auto row = tab_fields(line);
    if (row.size() != fields) throw std::runtime_error(path + ":" + std::to_string(n) + ": expected " + std::to_string(fields) + " fields");
    rows.push_back(std::move(row));
  }
  return rows;
}

// Portable draws (std::uniform_int_distribution differs between standard libraries).
std::size_t draw(std::mt19937_64& rng, std::size_t n) { return static_cast<std::size_t>(rng() % n); }

// What else a team's playbook says: writing, design, accessibility, translation, code style.
constexpr const char* kSubjects[] = {
    "the settings page",
    "the onboarding flow",
    "the billing screen",
    "the admin panel",
    "the search results page",
    "the profile screen",
    "the notification center",
    "the report builder",
    "the command-line help",
    "the README",
    "the API reference",
    "the design system",
    "the marketing site",
    "the signup form",
    "the dashboard widgets",
    "the mobile navigation bar",
    "the empty states",
    "the error pages",
    "the tooltips",
    "the modal dialogs",
    "the data tables",
    "the charts",
    "the email templates",
    "the release notes page",
    "the decision records",
    "the contributor guide",
    "the style guide",
    "the glossary",
    "the icon set",
    "the color palette",
    "the dark theme",
    "the keyboard shortcuts",
    "the date pickers",
    "the file upload widget",
    "the comment threads",
    "the user avatars",
    "the breadcrumbs",
    "the sidebar menu",
    "the pricing table",
    "the landing page",
};
constexpr const char* kActions[] = {
    "use sentence case in headings",
    "keep button labels under three words",
    "add alt text to every image",
    "prefer the active voice",
    "link domain terms to the glossary",
    "use the spacing tokens of the design system",
    "keep the color contrast at WCAG AA or better",
    "route every visible string through the translation catalogue",
    "name boolean variables as yes-or-no questions",
    "document each public function with a short example",
    "write commit subjects in the imperative mood",
    "draw icons on a 24 pixel grid",
    "avoid jargon in text shown to customers",
    "give every form field a visible label",
    "let keyboard users reach every control with the tab key",
    "announce dynamic updates to screen readers with aria-live",
    "show a skeleton placeholder while content loads",
    "keep paragraphs under five sentences",
    "put the primary action on the right",
    "use the brand font only for headlines",
    "write numbers as digits in the interface",
    "spell out abbreviations the first time they appear",
    "prefer plain words to Latin abbreviations",
    "keep line length between 60 and 80 characters",
    "align numbers in tables to the right",
    "start the axes of bar charts at zero",
    "label chart axes with their units",
    "use one accent color per screen",
    "respect the user's reduced-motion setting",
    "mirror the layout for right-to-left languages",
    "leave room for text that grows by a third in translation",
    "avoid text baked into images",
    "name files in kebab case",
    "group imports by origin with a blank line between groups",
    "order class members from public to private",
    "explain why in comments, not what",
    "delete commented-out code instead of keeping it",
    "add a screenshot to the pull request description for visual changes",
    "assign an owner to every top-level folder in CODEOWNERS",
    "record each decision with its context and consequences",
    "write the glossary entry before introducing a new domain term",
    "capitalize product names as the brand guide spells them",
    "address the reader in the second person",
    "put the summary first and the details after",
    "link to the source instead of copying it",
    "show dates in the reader's locale format",
    "use the plural forms of the translation library",
    "keep tooltip text to one sentence",
    "make touch targets at least 44 points",
    "offer an undo instead of a confirmation dialog for reversible actions",
    "use the same verb for the same action on every screen",
    "keep the tone friendly but not casual",
    "avoid exclamation marks in product copy",
    "mark optional fields instead of required ones",
    "write empty states that tell the user what to do next",
    "prefer icons with text labels over icons alone",
    "keep the navigation to seven items or fewer",
    "match the illustration style of the brand guide",
    "name analytics events as an object and a past-tense verb",
    "describe the user benefit before the feature in announcements",
};
constexpr const char* kQualifiers[] = {
    "",
    " in new designs",
    " when the team updates it",
    " for customer-facing text",
    " unless the brand team says otherwise",
    " so the product reads as one voice",
    " to keep it consistent across platforms",
    " as the style guide asks",
    " before the design sign-off",
    " in every language we support",
    " on web and mobile alike",
    " for new contributors",
    " during the quarterly content audit",
    " when you touch the file anyway",
    " to help readers who skim",
};

double dcg(const std::vector<bool>& hits) {
  double sum = 0;
  for (std::size_t i = 0; i < hits.size(); ++i) {
    if (hits[i]) sum += 1.0 / std::log2(static_cast<double>(i) + 2.0);
  }
  return sum;
}

void add_to(SplitScore& s, const TaskResult& r) {
  ++s.tasks;
  s.recall += r.recall;
  s.ndcg += r.ndcg;
}

void finish(SplitScore& s) {
  if (s.tasks == 0) return;
  s.recall /= static_cast<double>(s.tasks);
  s.ndcg /= static_cast<double>(s.tasks);
}

}  // namespace

EvalSet load_eval_set(const std::string& dir) {
  EvalSet set;
  std::set<std::string> keys;
  for (auto& row : read_tsv(dir + "/rules.tsv", 2)) {
    keys.insert(row[0]);
    set.rules.push_back({row[0], row[1]});
  }
  const auto add_tasks = [&](const std::string& file, const std::set<std::string>& splits) {
    for (auto& row : read_tsv(file, 4)) {
      EvalTask task{row[0], row[1], learning::split_list(row[2]), row[3]};
      if (!splits.contains(task.split)) throw std::runtime_error(task.id + ": unknown split " + task.split + " in " + file);
      for (const auto& k : task.relevant) {
        if (!keys.contains(k)) throw std::runtime_error(task.id + ": unknown rule " + k);
      }
      set.tasks.push_back(std::move(task));
    }
  };
  add_tasks(dir + "/tasks.tsv", {"dev", "heldout"});
  if (std::filesystem::exists(dir + "/tasks-fresh.tsv")) add_tasks(dir + "/tasks-fresh.tsv", {"fresh"});
  return set;
}

std::vector<std::string> distractor_rules(std::size_t n, std::uint64_t seed) {
  constexpr std::size_t kS = std::size(kSubjects), kA = std::size(kActions), kQ = std::size(kQualifiers);
  if (n > kS * kA * kQ) throw std::runtime_error("at most " + std::to_string(kS * kA * kQ) + " distractors");
  std::mt19937_64 rng(seed);
  std::set<std::size_t> used;
  std::vector<std::string> out;
  out.reserve(n);
  while (out.size() < n) {
    const std::size_t s = draw(rng, kS), a = draw(rng, kA), q = draw(rng, kQ);
    if (!used.insert((s * kA + a) * kQ + q).second) continue;
    std::string action = kActions[a];
    switch (draw(rng, 3)) {
      case 0:
        action[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(action[0])));
        out.push_back(action + " in " + kSubjects[s] + kQualifiers[q] + ".");
        break;
      case 1: out.push_back(std::string("In ") + kSubjects[s] + ", " + action + kQualifiers[q] + "."); break;
      default: out.push_back(std::string("For ") + kSubjects[s] + ": " + action + kQualifiers[q] + "."); break;
    }
  }
  return out;
}

EvalRun evaluate(const EvalSet& set, std::size_t distractors, const std::string& store_path, int k, const Feedback& feedback) {
  if (!feedback.from.empty() && std::filesystem::exists(store_path))
    throw std::runtime_error(store_path + " exists: feedback would change a store kept from an earlier run");
  auto store = store::SqliteEventStore::open(store_path, store::SqliteEventStore::Mode::kReadWrite);
  learning::LearningSettings settings;
  settings.clock = [] { return kNow; };
  settings.reflection.max_rules = set.rules.size() + distractors + 1;
  learning::LearningService service(store->handle(), settings);

  // The evaluated rules among the distractors, at fixed random places (the ranker must not
  // profit from their being the oldest or the newest).
  struct Entry {
    std::string text;
    std::string key;  // empty: a distractor
  };
  std::vector<Entry> entries;
  for (auto& d : distractor_rules(distractors)) entries.push_back({std::move(d), ""});
  std::mt19937_64 rng(7);
  for (const auto& r : set.rules) {
    const std::size_t at = entries.empty() ? 0 : draw(rng, entries.size() + 1);
    entries.insert(entries.begin() + static_cast<std::ptrdiff_t>(at), {r.text, r.key});
  }
  std::map<std::string, std::string> key_of;  // bullet id -> rule key
  if (service.playbook().counts().active_rules > 0) {
    // A store kept from an earlier run: the same entries, found by their content.
    store::SqliteStatement by_content(store->handle(), "SELECT id FROM bullets WHERE content = ?");
    for (const auto& r : set.rules) {
      by_content.reset();
      by_content.bind(1, r.text);
      if (!by_content.step()) throw std::runtime_error(store_path + " does not hold rule " + r.key + ": delete it");
      key_of[by_content.column_text(0)] = r.key;
    }
  } else {
    store::Transaction tx(store->handle(), store::Transaction::Mode::kWrite);
    for (const auto& e : entries) {
      learning::NewBullet nb;
      nb.content = e.text;
      nb.confidence = 0.7;
      const auto added = service.playbook().add(nb, kNow);
      if (!e.key.empty()) {
        if (added.action != learning::AddAction::kAdded) throw std::runtime_error(e.key + " merged into another rule");
        key_of[added.bullet.id] = e.key;
      }
    }
    tx.commit();
  }
  std::map<std::string, std::string> id_of;  // rule key -> bullet id
  for (const auto& [id, key] : key_of) id_of[key] = id;
  for (const auto& task : set.tasks) {
    if (std::ranges::find(feedback.from, task.split) == feedback.from.end()) continue;
    for (const auto& key : task.relevant)
      service.mark({id_of.at(key), learning::FeedbackKind::kHelpful, "", "", feedback.with_task ? task.text : ""});
  }

  EvalRun run;
  run.distractors = distractors;
  run.active_rules = static_cast<std::size_t>(service.playbook().counts().active_rules);
  for (const auto& task : set.tasks) {
    const auto ctx = service.context(task.text, k);
    TaskResult r;
    r.task = &task;
    std::vector<bool> hits;
    std::size_t found = 0;
    for (const auto& b : ctx.relevant_bullets) {
      const auto it = key_of.find(b.id);
      r.top.push_back(it == key_of.end() ? "-" : it->second);
      const bool hit = it != key_of.end() && std::ranges::find(task.relevant, it->second) != task.relevant.end();
      hits.push_back(hit);
      found += hit ? 1 : 0;
    }
    r.recall = static_cast<double>(found) / static_cast<double>(task.relevant.size());
    const double ideal = dcg(std::vector<bool>(std::min<std::size_t>(task.relevant.size(), static_cast<std::size_t>(k)), true));
    r.ndcg = dcg(hits) / ideal;
    add_to(task.split == "dev" ? run.dev : task.split == "heldout" ? run.heldout : run.fresh, r);
    add_to(run.all, r);
    run.results.push_back(std::move(r));
  }
  finish(run.dev);
  finish(run.heldout);
  finish(run.fresh);
  finish(run.all);
  return run;
}

}  // namespace agentmetrics::bench
