// The rules a hook handed to an agent's session (`cm hook claude-code`), kept until the session
// ends so that its outcome grades each of them once: an agent that answers several prompts in one
// session stops several times, and a session's end comes after its last stop. A rule is graded by
// the first outcome after it was given; a later one leaves it as it is.
#pragma once

#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace agentmetrics::learning {

// A rule given to a session, and the words of the task it was given for (learned_words.h; empty
// unless the configuration lets rules learn from prompts): a success teaches the rule those.
struct GivenRule {
  std::string id;
  std::string task;
};

class SessionRules {
 public:
  explicit SessionRules(sqlite3* db) : db_(db) {}

  // Records that the session was given these rules at `t` for `task` (a rule given again keeps
  // its first time, task and grade). Sessions given rules more than kKeepDays ago are forgotten
  // here.
  void remember(std::string_view session_id, const std::vector<std::string>& rule_ids, std::string_view task, double t);
  // The rules the session was given, in the order given.
  std::vector<std::string> given(std::string_view session_id) const;
  // The rules given and not graded yet, now marked graded at `t` (and their task words
  // forgotten): the caller grades them in the same transaction.
  std::vector<GivenRule> take_ungraded(std::string_view session_id, double t);

  static constexpr double kKeepDays = 30;

 private:
  sqlite3* db_;
};

}  // namespace agentmetrics::learning
