// retrieval_eval: how well `cm context` finds the rules a task needs when the task says it in
// other words (docs/learning.md, "Retrieval that survives paraphrase"). For each playbook size
// (the evaluated rules alone, then beside 1k and 10k distractor rules) it builds a fresh store,
// asks every task of the frozen set, and prints recall@5 and nDCG@5 for the dev split (which
// tuning looked at), the held-out split (which the thesaurus's tuning did not), the fresh split
// (another author's tasks, measured once after the symptom map was written) and all of them.
//
//   retrieval_eval [--data DIR] [--distractors 0,1000,10000] [--misses dev|heldout|fresh|all] [--keep DIR]
//                  [--feedback-from SPLITS [--feedback-without-task]]
//
// --misses lists the split's tasks whose relevant rules were not all in the top 5, with what came
// instead (rule keys; "-" is a distractor). --keep builds the stores in DIR and reuses them on
// later runs (building the 10k one takes a minute or two; the ranker reads it, never changes it).
// --feedback-from dev,heldout first marks each task of those splits helpful for its rules with
// the task's text (bench::Feedback), so that the fresh split measures what feedback teaches;
// --feedback-without-task gives the same marks without the text, the control.
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/retrieval_eval_set.h"
#include "collector/learning/text_tokens.h"

namespace {

using agentmetrics::bench::EvalRun;

void print_run(const EvalRun& run, double seconds) {
  std::printf(
      "%6zu distractors (%5zu active rules): recall@5 dev %.3f  heldout %.3f  fresh %.3f  all %.3f | nDCG@5 dev %.3f  heldout %.3f  fresh "
      "%.3f  all %.3f  (%zu+%zu+%zu tasks, %.1f ms/task)\n",
      run.distractors, run.active_rules, run.dev.recall, run.heldout.recall, run.fresh.recall, run.all.recall, run.dev.ndcg,
      run.heldout.ndcg, run.fresh.ndcg, run.all.ndcg, run.dev.tasks, run.heldout.tasks, run.fresh.tasks,
      1000.0 * seconds / static_cast<double>(run.results.size()));
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = AM_RETRIEVAL_DATA_DIR;
  std::vector<std::size_t> sizes = {0, 1000, 10000};
  std::string misses;
  std::string keep;
  agentmetrics::bench::Feedback feedback;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--data" && i + 1 < argc) {
      data = argv[++i];
    } else if (a == "--distractors" && i + 1 < argc) {
      sizes.clear();
      for (const char* p = argv[++i]; *p != '\0';) {
        char* end = nullptr;
        sizes.push_back(std::strtoull(p, &end, 10));
        p = (*end == ',') ? end + 1 : end;
        if (end == p && *p != '\0') break;
      }
    } else if (a == "--misses" && i + 1 < argc) {
      misses = argv[++i];
    } else if (a == "--keep" && i + 1 < argc) {
      keep = argv[++i];
    } else if (a == "--feedback-from" && i + 1 < argc) {
      feedback.from = agentmetrics::learning::split_list(argv[++i]);
    } else if (a == "--feedback-without-task") {
      feedback.with_task = false;
    } else {
      std::fprintf(stderr,
                   "usage: retrieval_eval [--data DIR] [--distractors 0,1000,10000] [--misses dev|heldout|fresh|all] [--keep DIR]\n"
                   "                      [--feedback-from SPLITS [--feedback-without-task]]\n");
      return 2;
    }
  }
  const auto set = agentmetrics::bench::load_eval_set(data);
  std::printf("%zu rules, %zu tasks (%s)\n", set.rules.size(), set.tasks.size(), data.c_str());
  char dir_template[] = "/tmp/retrieval_eval.XXXXXX";
  const char* dir = keep.empty() ? mkdtemp(dir_template) : keep.c_str();
  if (!keep.empty()) {
    std::filesystem::create_directories(keep);
    std::filesystem::permissions(keep, std::filesystem::perms::owner_all);  // as the store asks of its directory
  }
  if (dir == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  for (const std::size_t n : sizes) {
    const std::string path = std::string(dir) + "/store-" + std::to_string(n) + ".db";
    const auto t0 = std::chrono::steady_clock::now();
    const EvalRun run = agentmetrics::bench::evaluate(set, n, path, 5, feedback);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    print_run(run, seconds);
    if (!misses.empty()) {
      for (const auto& r : run.results) {
        if (r.recall >= 1.0 || (misses != "all" && r.task->split != misses)) continue;
        std::string relevant, top;
        for (const auto& k : r.task->relevant) relevant += (relevant.empty() ? "" : ",") + k;
        for (const auto& k : r.top) top += (top.empty() ? "" : " ") + k;
        std::printf("  miss %s [%s] wants %s, got [%s]: %s\n", r.task->id.c_str(), r.task->split.c_str(), relevant.c_str(), top.c_str(),
                    r.task->text.c_str());
      }
    }
  }
  if (keep.empty()) std::filesystem::remove_all(dir);
  return 0;
}
