// The words a rule has learned from the tasks it helped: a rule marked helpful for a task (cm mark
// --task, cm outcome --task, a task event's title beside its rule_ids) links the task's words to
// it, so that the next task said in those words finds the rule although the rule's own text says
// it otherwise (docs/learning.md, "Learning from feedback"). The words are kept in the rule's row
// (`learned`) and indexed with its text (bullets_fts), so a search reaches them at no extra cost.
//
// Only help teaches: a harmful signal says the rule did not work for the task, not that it was
// unrelated to it; confidence answers for that.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace agentmetrics::learning {

// At most this many words a rule keeps, the newest: a rule helpful for many tasks keeps the
// words of its recent ones.
inline constexpr std::size_t kMaxLearnedWords = 200;
// At most this many words of one task, as many as a query reads of it.
inline constexpr std::size_t kMaxTaskWords = 32;

// The words of `task` a rule would learn, separated by spaces: what a hook keeps of a prompt
// until its session is graded (session_rules.h), not the prompt itself.
std::string learnable_words(std::string_view task);

// `learned` (words separated by spaces, oldest first) with the content words of `task` added at
// its end (a word it had moves there), without those of the rule's own `content`, and cut to the
// newest kMaxLearnedWords. Words that look like identifiers rather than language (over 32 bytes;
// 8 or more bytes mixing letters and digits: hashes, session and commit ids) are left out.
std::string learned_with_task(std::string_view learned, std::string_view task, std::string_view content);

}  // namespace agentmetrics::learning
