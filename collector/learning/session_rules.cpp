#include "collector/learning/session_rules.h"

#include "collector/learning/confidence.h"
#include "collector/store/sqlite_statement.h"

namespace agentmetrics::learning {

using store::SqliteStatement;

void SessionRules::remember(std::string_view session_id, const std::vector<std::string>& rule_ids, std::string_view task, double t) {
  SqliteStatement forget(db_, "DELETE FROM session_rules WHERE given < ?");
  forget.bind(1, t - kKeepDays * kSecondsPerDay);
  forget.step();
  SqliteStatement insert(db_, "INSERT OR IGNORE INTO session_rules(session_id, bullet_id, given, task) VALUES(?, ?, ?, ?)");
  for (const auto& id : rule_ids) {
    insert.reset();
    insert.bind(1, session_id);
    insert.bind(2, std::string_view(id));
    insert.bind(3, t);
    insert.bind(4, task);
    insert.step();
  }
}

std::vector<std::string> SessionRules::given(std::string_view session_id) const {
  SqliteStatement st(db_, "SELECT bullet_id FROM session_rules WHERE session_id = ? ORDER BY given, bullet_id");
  st.bind(1, session_id);
  std::vector<std::string> ids;
  while (st.step()) ids.push_back(st.column_text(0));
  return ids;
}

std::vector<GivenRule> SessionRules::take_ungraded(std::string_view session_id, double t) {
  std::vector<GivenRule> rules;
  {
    SqliteStatement st(db_, "SELECT bullet_id, task FROM session_rules WHERE session_id = ? AND graded IS NULL ORDER BY given, bullet_id");
    st.bind(1, session_id);
    while (st.step()) rules.push_back({st.column_text(0), st.column_text(1)});
  }
  SqliteStatement mark(db_, "UPDATE session_rules SET graded = ?, task = '' WHERE session_id = ? AND graded IS NULL");
  mark.bind(1, t);
  mark.bind(2, session_id);
  mark.step();
  return rules;
}

}  // namespace agentmetrics::learning
