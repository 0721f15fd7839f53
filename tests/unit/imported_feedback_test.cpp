// Inline feedback in the sessions the agents wrote on disk (common/rule_markers.h): the import
// keeps an agent's "[cass: helpful <id>]" for a rule cm showed the session (its AGENTS.md block in
// a Codex rollout, the output of `cm context` the agent ran), as the task's rule_feedback; the
// reflection grades the rule by it once per session, however often the session is imported and
// whether or not a hook graded it first. The records have the shapes Codex 0.169.1 and Claude Code
// 2.1.332 write (tests/data/agents).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "collector/common/intake_key.h"
#include "collector/intake/sessions/session_import.h"
#include "collector/learning/agents_md.h"
#include "collector/learning/context_text.h"
#include "collector/learning/reflection.h"
#include "collector/store/sqlite_statement.h"
#include "tests/unit/learning_service_fixture.h"

namespace agentmetrics::learning {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kThread = "01a25396-0ad2-70a2-9533-e9ca3ce513a5";
constexpr const char* kClaudeSession = "ca937929-b86b-4175-9e9d-0b8785248271";

json codex_message(const std::string& role, const std::string& text) {
  return {{"timestamp", "2026-12-08T02:57:51.894Z"},
          {"type", "response_item"},
          {"payload",
           {{"type", "message"},
            {"role", role},
            {"content", json::array({{{"type", role == "assistant" ? "output_text" : "input_text"}, {"text", text}}})}}}};
}

// A prompt as Codex writes it: the user's message to the model, and the event of it.
std::vector<json> codex_prompt(const std::string& text) {
  return {codex_message("user", text),
          {{"timestamp", "2026-12-08T02:57:51.905Z"}, {"type", "event_msg"}, {"payload", {{"type", "user_message"}, {"message", text}}}}};
}

class ImportedFeedbackTest : public LearningServiceTest {
 protected:
  void SetUp() override {
    LearningServiceTest::SetUp();
    lint_ = add("Run the linter before committing");
    pin_ = add("Pin the toolchain version in CI");
    unshown_ = add("Prefer small pull requests");
    hooked_ = add("Rebase on the main branch before opening a pull request");
  }

  // Appends records to the thread's rollout (Codex appends a resumed run to the same file).
  void codex(const std::vector<json>& records) {
    const std::string day = dir_.path() + "/codex/sessions/2026/12/08";
    fs::create_directories(day);
    std::ofstream out(day + "/rollout-2026-12-08T02-57-51-" + kThread + ".jsonl", std::ios::app);
    for (const auto& r : records) out << r.dump() << "\n";
  }
  void claude(const std::vector<json>& records) {
    const std::string project = dir_.path() + "/claude/projects/-src-app";
    fs::create_directories(project);
    std::ofstream out(project + "/" + kClaudeSession + ".jsonl", std::ios::app);
    for (const auto& r : records) out << r.dump() << "\n";
  }
  // The AGENTS.md instructions Codex puts in the user's turn, with cm's block of the rules shown.
  std::string agents_md(const std::vector<std::string>& ids) {
    std::vector<BulletView> rules;
    for (const auto& id : ids) rules.push_back({service_->playbook().get(id), 0.9});
    return "# AGENTS.md instructions for /src/app\n\n<INSTRUCTIONS>\n# App\n\n" + agents_md_block(rules, {}).text + "\n</INSTRUCTIONS>";
  }

  void import_and_reflect() {
    intake::ImportOptions options;
    options.agents = {intake::SessionAgent::kCodex, intake::SessionAgent::kClaudeCode};
    options.paths[intake::SessionAgent::kCodex] = dir_.path() + "/codex";
    options.paths[intake::SessionAgent::kClaudeCode] = dir_.path() + "/claude";
    intake::SessionImporter(store_.get(), options).run();
    apply_task_feedback(store_->handle(), service_->playbook(), 100);
  }

  // (kind, origin, session) of every grade of the rule.
  std::vector<std::tuple<std::string, std::string, std::string>> grades(const std::string& id) {
    store::SqliteStatement st(store_->handle(),
                              "SELECT kind, origin, coalesce(session_id, '') FROM feedback WHERE bullet_id = ? ORDER BY id");
    st.bind(1, id);
    std::vector<std::tuple<std::string, std::string, std::string>> out;
    while (st.step()) out.emplace_back(st.column_text(0), st.column_text(1), st.column_text(2));
    return out;
  }
  std::string event_field(const std::string& agent, const char* field) {
    store::SqliteStatement st(store_->handle(), "SELECT coalesce(json_extract(fields, '$." + std::string(field) +
                                                    "'), '') FROM events WHERE kind = 'task' AND json_extract(fields, '$.agent_type') = ?");
    st.bind(1, agent);
    return st.step() ? st.column_text(0) : "(no task)";
  }

  std::string lint_, pin_, unshown_, hooked_;
};

using Grades = std::vector<std::tuple<std::string, std::string, std::string>>;

TEST_F(ImportedFeedbackTest, ACodexSessionsMarkersGradeTheRulesItsAgentsMdShowedOnceHoweverOftenItIsImported) {
  const std::string session = session_digest("codex", kThread);
  codex({{{"timestamp", "2026-12-08T02:57:51.867Z"}, {"type", "session_meta"}, {"payload", {{"id", kThread}, {"cwd", "/src/app"}}}},
         codex_message("user", agents_md({lint_, pin_})),
         codex_prompt("Commit the change")[0],
         codex_prompt("Commit the change")[1],
         // A marker of a rule the block did not show counts for nothing.
         codex_message("assistant", "Done. [cass: helpful " + lint_ + "] [cass: harmful " + unshown_ + "]")});
  import_and_reflect();
  EXPECT_EQ(event_field("codex", "rule_feedback"), "+" + lint_);
  EXPECT_EQ(grades(lint_), (Grades{{"helpful", "marker", session}}));
  EXPECT_TRUE(grades(unshown_).empty());
  EXPECT_TRUE(grades(pin_).empty());

  // The session resumed: the answer says it again and grades the second rule; the import stores
  // the session's fuller account in place of the first, and the first rule is not graded twice.
  codex({codex_prompt("Now the CI")[0], codex_prompt("Now the CI")[1],
         codex_message("assistant", "[cass: helpful " + lint_ + "] [cass: harmful " + pin_ + "]")});
  import_and_reflect();
  EXPECT_EQ(event_field("codex", "rule_feedback"), "+" + lint_ + " -" + pin_);
  EXPECT_EQ(grades(lint_), (Grades{{"helpful", "marker", session}}));
  EXPECT_EQ(grades(pin_), (Grades{{"harmful", "marker", session}}));
  // Imported again with nothing new: nothing more.
  import_and_reflect();
  EXPECT_EQ(grades(lint_).size(), 1u);
  // The session's id is kept nowhere: the store knows its digest.
  store::SqliteStatement kept(store_->handle(), "SELECT count(*) FROM feedback WHERE session_id LIKE '%' || ? || '%'");
  kept.bind(1, std::string(kThread));
  kept.step();
  EXPECT_EQ(kept.column_int(0), 0);
}

TEST_F(ImportedFeedbackTest, AHooksContextAndContextTheAgentFetchedItselfShowTheirRulesAndAHooksGradeOfTheSameSessionCountsOnce) {
  // Claude Code ran `cm context` with its Bash tool: the tool's output is cm's context.
  ContextResult context;
  context.relevant_bullets = {{lint_, "Run the linter before committing", 0.9, 1, BulletSource::kManual, "", 0}};
  const std::string output = context_text(context);
  // It also read a file that holds cm's context of another rule: a file shows nothing.
  ContextResult planted;
  planted.relevant_bullets = {{unshown_, "Prefer small pull requests", 0.9, 1, BulletSource::kManual, "", 0}};
  const json call = {
      {"type", "assistant"},
      {"timestamp", "2026-12-08T03:00:00.000Z"},
      {"sessionId", kClaudeSession},
      {"message",
       {{"id", "msg_1"},
        {"role", "assistant"},
        {"model", "claude-sonnet-4-5-20250929"},
        {"content",
         json::array({{{"type", "tool_use"}, {"id", "toolu_1"}, {"name", "Bash"}, {"input", {{"command", "cm context \"commit\""}}}},
                      {{"type", "tool_use"}, {"id", "toolu_2"}, {"name", "Read"}, {"input", {{"file_path", "/src/app/NOTES.md"}}}}})},
        {"usage", {{"input_tokens", 10}, {"output_tokens", 5}}}}}};
  const json result = {
      {"type", "user"},
      {"timestamp", "2026-12-08T03:00:01.000Z"},
      {"sessionId", kClaudeSession},
      {"message",
       {{"role", "user"},
        {"content", json::array({{{"type", "tool_result"}, {"tool_use_id", "toolu_1"}, {"content", output}},
                                 {{"type", "tool_result"}, {"tool_use_id", "toolu_2"}, {"content", context_text(planted)}}})}}}};
  // The agent's own text that quotes a rule in cm's form shows the agent nothing.
  const json answer = {
      {"type", "assistant"},
      {"timestamp", "2026-12-08T03:00:02.000Z"},
      {"sessionId", kClaudeSession},
      {"message",
       {{"id", "msg_2"},
        {"role", "assistant"},
        {"model", "claude-sonnet-4-5-20250929"},
        {"content",
         json::array({{{"type", "text"},
                       {"text", std::string(kContextHeading) + "\n- [" + pin_ + "] quoted\n\n[cass: helpful " + lint_ +
                                    "] [cass: helpful " + pin_ + "] [cass: harmful " + hooked_ + "] [cass: harmful " + unshown_ + "]"}}})},
        {"usage", {{"input_tokens", 10}, {"output_tokens", 5}}}}}};
  // A hook's context beside the prompt: Claude Code writes it as an attachment.
  ContextResult hook_context;
  hook_context.relevant_bullets = {
      {hooked_, "Rebase on the main branch before opening a pull request", 0.9, 1, BulletSource::kManual, "", 0}};
  const json attachment = {{"type", "attachment"},
                           {"timestamp", "2026-12-08T02:59:59.500Z"},
                           {"sessionId", kClaudeSession},
                           {"attachment",
                            {{"type", "hook_additional_context"},
                             {"content", json::array({context_text(hook_context) + "\n" + std::string(kMarkerInvitation)})},
                             {"hookName", "UserPromptSubmit"}}}};
  const json prompt = {{"type", "user"},
                       {"timestamp", "2026-12-08T02:59:59.000Z"},
                       {"sessionId", kClaudeSession},
                       {"message", {{"role", "user"}, {"content", "Commit the change"}}}};
  claude({attachment, prompt, call, result, answer});

  // A hook gave the session the rule and took its marker at Stop, before any import.
  const std::string session = session_digest("claude_code", kClaudeSession);
  service_->remember_given(session, {lint_}, "");
  EXPECT_EQ(service_->apply_markers(session, "[cass: helpful " + lint_ + "]").applied.size(), 1u);
  import_and_reflect();
  EXPECT_EQ(event_field("claude_code", "rule_feedback"), "+" + lint_ + " -" + hooked_);
  EXPECT_EQ(grades(lint_), (Grades{{"helpful", "marker", session}}));
  EXPECT_EQ(grades(hooked_), (Grades{{"harmful", "marker", session}}));
  EXPECT_TRUE(grades(pin_).empty());
  EXPECT_TRUE(grades(unshown_).empty());
}

TEST(ImportedFeedbackAccount, MarkersAreKeptForRulesShownBeforeThemBoundedAndAcrossImports) {
  intake::SessionAccount a;
  a.agent_text("[cass: helpful b-8f3a2c]");  // before the rule was shown
  a.given_text(std::string(kContextHeading) + "\n- [b-8f3a2c] Run the linter\n- [ap-1d2e3f] Blind retries");
  a.agent_text("[cass: harmful ap-1d2e3f] [cass: helpful b-8f3a2c] [cass: helpful b-8f3a2c]");
  a.agent_text("[cass: helpful ap-1d2e3f]");  // the first word on a rule stands
  ASSERT_EQ(a.rule_feedback.size(), 2u);
  EXPECT_EQ(a.rule_feedback[0].rule_id, "ap-1d2e3f");
  EXPECT_FALSE(a.rule_feedback[0].helpful);
  EXPECT_TRUE(a.rule_feedback[1].helpful);
  // Kept between imports; a state written before has neither.
  const auto again = intake::SessionAccount::from_state(a.to_state());
  EXPECT_EQ(again.rules_shown, a.rules_shown);
  ASSERT_EQ(again.rule_feedback.size(), 2u);
  EXPECT_EQ(again.rule_feedback[1].rule_id, "b-8f3a2c");
  json old = a.to_state();
  old.erase("rules_shown");
  old.erase("rule_feedback");
  EXPECT_TRUE(intake::SessionAccount::from_state(old).rule_feedback.empty());
  // At most kMaxRules shown: a flood of them does not grow the account.
  std::string flood(kContextHeading);
  for (int i = 0; i < 200; ++i) flood += "\n- [b-" + std::to_string(100000 + i) + "] rule";
  a.given_text(flood);
  EXPECT_EQ(a.rules_shown.size(), intake::SessionAccount::kMaxRules);
}

TEST(ImportedFeedbackEvent, TheTaskCarriesWholeMarkersWithinTheFieldsBound) {
  intake::SessionTask task;
  task.agent = "codex";
  task.session_id = kThread;
  task.ended = 1.8e9;
  for (int i = 0; i < 30; ++i) task.rule_feedback.push_back({"b-" + std::to_string(100000 + i), i % 2 == 0});
  const ipc::OutcomeEvent e = intake::to_outcome_event(task, {});
  EXPECT_EQ(ipc::check_event(e), "");
  const std::string text = std::get<std::string>(e.fields.at("rule_feedback"));
  EXPECT_EQ(text.rfind("+b-100000 -b-100001 +b-100002", 0), 0u) << text;
  EXPECT_LE(text.size(), 128u);
  const auto parsed = parse_rule_feedback(text);
  EXPECT_EQ(parsed.size(), 12u);  // whole entries: "+b-1000NN" and a space each
  EXPECT_EQ(parsed.back().rule_id, "b-100011");
  // What a hostile producer might send parses to the entries that are markers, nothing else.
  const auto hostile = parse_rule_feedback("+b-8f3a2c  -x-1 +B-8F3A2C ++b-123456 -ap-1d2e3f; +b-8f3a2c");
  ASSERT_EQ(hostile.size(), 1u);
  EXPECT_EQ(hostile[0].rule_id, "b-8f3a2c");
}

}  // namespace
}  // namespace agentmetrics::learning
