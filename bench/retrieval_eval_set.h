// The retrieval evaluation of `cm context` (docs/learning.md, "Retrieval that survives
// paraphrase"): the frozen set of rules and of tasks that describe their problems in other words
// (tests/data/learning/retrieval), distractor rules generated from unrelated but realistic rule
// text, and recall@5 and nDCG@5 of the real ranker (LearningService::context on a real store).
// Shared by bench/retrieval_eval (the figures) and the test that holds the floor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace agentmetrics::bench {

struct EvalRule {
  std::string key;  // r01...
  std::string text;
};

struct EvalTask {
  std::string id;  // t001...
  // dev (tuning may look at it), heldout (not looked at while tuning the thesaurus; read since)
  // or fresh (tasks-fresh.tsv: another author's, never shown to whoever tuned the ranker)
  std::string split;
  std::vector<std::string> relevant;
  std::string text;
};

struct EvalSet {
  std::vector<EvalRule> rules;
  std::vector<EvalTask> tasks;
};

// Reads rules.tsv, tasks.tsv and (where it is) tasks-fresh.tsv of `dir`; throws std::runtime_error for a malformed line or a
// task naming an unknown rule.
EvalSet load_eval_set(const std::string& dir);

// `n` distinct rules about writing, design, accessibility, translation and code style: what a
// team's playbook holds beside the evaluated rules, sharing their everyday words (page, user,
// file, test, release) but not their problems. Deterministic for a seed.
std::vector<std::string> distractor_rules(std::size_t n, std::uint64_t seed = 20261206);

struct SplitScore {
  std::size_t tasks = 0;
  double recall = 0;  // mean over tasks of |relevant in the top k| / |relevant|
  double ndcg = 0;    // mean nDCG@k, binary gains
};

struct TaskResult {
  const EvalTask* task = nullptr;
  std::vector<std::string> top;  // keys of the top k (distractors as "-")
  double recall = 0;
  double ndcg = 0;
};

struct EvalRun {
  std::size_t distractors = 0;
  std::size_t active_rules = 0;
  SplitScore dev, heldout, fresh, all;
  std::vector<TaskResult> results;
};

// Builds a store at `store_path` holding the set's rules and `distractors` generated ones,
// interleaved in a fixed shuffled order (or reuses the one an earlier call built there), then asks `cm context` (the library
// call) every task with limit `k` and scores the rules it returns.
//
// `feedback.from` (split names): first, each task of those splits marks its relevant rules helpful
// for it (`cm mark --helpful --task`), as a user's feedback would, so that the rules learn the
// words of the tasks they helped (learned_words.h); the other splits then measure what that
// feedback teaches about tasks said in yet other words. A store kept from an earlier run is not
// reused then (the feedback changes it). Without `with_task`, the marks name no task: the
// control, which raises the rules' confidence as the feedback does but teaches them no word.
struct Feedback {
  std::vector<std::string> from;
  bool with_task = true;
};
EvalRun evaluate(const EvalSet& set, std::size_t distractors, const std::string& store_path, int k = 5, const Feedback& feedback = {});

}  // namespace agentmetrics::bench
