// An agent session as a task event: valid against the schema, one key per session, the
// session's id a digest unless kept, and text bounded or none at all.
#include "collector/intake/session_task.h"

#include <gtest/gtest.h>

namespace agentmetrics::intake {
namespace {

SessionTask session() {
  SessionTask s;
  s.agent = "claude_code";
  s.session_id = "0b6d1c33-5d0f-4b8e-9a5e-3f2e1f0c9d11";
  s.origin = "otlp";
  s.started = 1.8e9;
  s.ended = 1.8e9 + 95;
  s.success = false;
  s.failure_type = "api_error_500";
  s.model = "claude-sonnet-4-5-20250929";
  s.tokens = {1200, 9, 3000, 400};
  s.cost_usd = 0.006135;
  s.tool_calls = 3;
  s.tool_errors = 1;
  s.title = "Fix the parser's handling of empty lines \xc3\xa9\xc3\xa9";
  return s;
}

// The digest of a session id is computed in three more places, each on its own: the opencode
// plugin (deploy/opencode/plugin/cass.js), its test and the real agents' tests
// (tests/agents/agent_test.py). All give these.
TEST(SessionDigest, IsTheSameInEveryLanguage) {
  EXPECT_EQ(session_digest("opencode", "ses-plugin-1"), "s-01f288b4865705e6");
  EXPECT_EQ(session_digest("claude_code", "ca937929-b86b-4175-9e9d-0b8785248271"),
            session_digest(session_producer_id("claude_code", "ca937929-b86b-4175-9e9d-0b8785248271")));
  EXPECT_EQ(std::get<std::string>(to_outcome_event(session(), {}).fields.at("session_id")),
            session_digest("claude_code", session().session_id));
}

TEST(SessionTask, IsAValidTaskEventKeyedByItsSession) {
  const ipc::OutcomeEvent e = to_outcome_event(session(), {});
  EXPECT_EQ(ipc::check_event(e), "");
  EXPECT_EQ(e.producer_id, session_producer_id("claude_code", session().session_id));
  EXPECT_EQ(e.sequence, 1u);
  EXPECT_NE(e.producer_id, session_producer_id("codex", session().session_id));
  EXPECT_EQ(std::get<std::string>(e.fields.at("task_type")), "session");
  EXPECT_EQ(std::get<double>(e.fields.at("duration_seconds")), 95);
  EXPECT_EQ(std::get<double>(e.fields.at("tokens_cache_read")), 3000);
  EXPECT_EQ(std::get<double>(e.fields.at("cost_usd")), 0.006135);
  EXPECT_EQ(std::get<std::string>(e.fields.at("failure_type")), "api_error_500");
}

TEST(SessionTask, TheSessionIdIsADigestAndTextIsBoundedUnlessConfigured) {
  const ipc::OutcomeEvent private_by_default = to_outcome_event(session(), {});
  const std::string id = std::get<std::string>(private_by_default.fields.at("session_id"));
  EXPECT_EQ(id.find("0b6d1c33"), std::string::npos) << id;
  EXPECT_EQ(id.rfind("s-", 0), 0u) << id;
  const ipc::OutcomeEvent kept = to_outcome_event(session(), {.keep_session_ids = true, .max_text_bytes = 300});
  EXPECT_EQ(std::get<std::string>(kept.fields.at("session_id")), session().session_id);
  // Cut at a character boundary: the title's last "é" is not split.
  const ipc::OutcomeEvent short_text = to_outcome_event(session(), {.keep_session_ids = false, .max_text_bytes = 43});
  EXPECT_EQ(std::get<std::string>(short_text.fields.at("title")), "Fix the parser's handling of empty lines \xc3\xa9");
  EXPECT_EQ(ipc::check_event(short_text), "");
  const ipc::OutcomeEvent no_text = to_outcome_event(session(), {.keep_session_ids = false, .max_text_bytes = 0});
  EXPECT_FALSE(no_text.fields.contains("title"));
}

}  // namespace
}  // namespace agentmetrics::intake
