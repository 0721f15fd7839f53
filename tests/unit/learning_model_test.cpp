// The learning side's pure parts: the confidence model (90-day half-life decay, helpful and
// harmful steps, inversion, maturity), words and hashes, the blame policy and the table of
// recommended actions.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "collector/learning/blame.h"
#include "collector/learning/confidence.h"
#include "collector/learning/learning_error.h"
#include "collector/learning/recommended_actions.h"
#include "collector/learning/text_tokens.h"
#include "tests/support/test_clock.h"

namespace agentmetrics::learning {
namespace {

using agentmetrics::testing::kDay;

TEST(LearningConfidence, DecayHalvesConfidenceEveryNinetyDays) {
  const ConfidenceModel m;
  const double t0 = 1.8e9;
  EXPECT_DOUBLE_EQ(m.decayed(0.8, t0, t0), 0.8);
  EXPECT_DOUBLE_EQ(m.decayed(0.8, t0, t0 + 90 * kDay), 0.4);
  EXPECT_DOUBLE_EQ(m.decayed(0.8, t0, t0 + 180 * kDay), 0.2);
  EXPECT_NEAR(m.decayed(0.8, t0, t0 + 45 * kDay), 0.8 / std::sqrt(2.0), 1e-12);
  // Time going backwards does not make a rule more trusted.
  EXPECT_DOUBLE_EQ(m.decayed(0.8, t0, t0 - 10 * kDay), 0.8);
}

TEST(LearningConfidence, HarmfulFeedbackMovesFourTimesAsFarAsHelpful) {
  const ConfidenceModel m;
  EXPECT_DOUBLE_EQ(m.after_helpful(0.5, 1.0), 0.55);
  EXPECT_DOUBLE_EQ(m.after_harmful(0.5, 1.0), 0.3);
  EXPECT_NEAR(0.5 - m.after_harmful(0.5, 1.0), 4 * (m.after_helpful(0.5, 1.0) - 0.5), 1e-12);
  // Weighted signals move proportionally; bounds hold.
  EXPECT_DOUBLE_EQ(m.after_harmful(0.5, 0.5), 0.4);
  EXPECT_DOUBLE_EQ(m.after_helpful(0.98, 1.0), 0.99);
  EXPECT_DOUBLE_EQ(m.after_harmful(0.1, 1.0), 0.0);
}

TEST(LearningConfidence, InversionNeedsThreeHarmfulAndTwiceAsManyAsHelpful) {
  const ConfidenceModel m;
  EXPECT_FALSE(m.should_invert(0, 2));
  EXPECT_TRUE(m.should_invert(0, 3));
  EXPECT_TRUE(m.should_invert(1, 3));
  EXPECT_FALSE(m.should_invert(2, 4));  // not more than twice
  EXPECT_TRUE(m.should_invert(2, 4.5));
  EXPECT_TRUE(m.should_invert(0, 1.0 / 3 + 1.0 / 3 + 1.0 / 3 + 2));
}

TEST(LearningConfidence, MaturityFollowsTheHarmfulShare) {
  EXPECT_EQ(maturity(1, 1, false), Maturity::kCandidate);
  EXPECT_EQ(maturity(3, 0, false), Maturity::kEstablished);
  EXPECT_EQ(maturity(10, 1, false), Maturity::kProven);
  EXPECT_EQ(maturity(10, 2, false), Maturity::kEstablished);
  EXPECT_EQ(maturity(2, 1, false), Maturity::kDeprecated);
  EXPECT_EQ(maturity(20, 0, true), Maturity::kDeprecated);
  EXPECT_EQ(to_string(Maturity::kProven), "proven");
}

TEST(LearningText, WordsHashesAndSimilarity) {
  EXPECT_EQ(tokenize("Fix the JWT-token bug (v2)!"), (std::vector<std::string>{"fix", "the", "jwt", "token", "bug", "v2"}));
  EXPECT_EQ(content_words("Fix the JWT-token bug in a minute"), (std::vector<std::string>{"fix", "jwt", "token", "bug", "minute"}));
  EXPECT_EQ(normalize_content("  Use JWT   tokens, always. "), "use jwt tokens always");
  EXPECT_EQ(content_hash("Use JWT tokens"), content_hash("use jwt TOKENS!"));
  EXPECT_NE(content_hash("Use JWT tokens"), content_hash("Use JWT cookies"));
  EXPECT_EQ(content_hash("x").size(), 16u);
  EXPECT_EQ(hex64(fnv1a64("")), "cbf29ce484222325");
  EXPECT_DOUBLE_EQ(jaccard({"a", "b", "c"}, {"b", "c", "d"}), 0.5);
  EXPECT_DOUBLE_EQ(jaccard({}, {}), 1.0);
  EXPECT_EQ(fts_any_of({"login", "a\"b"}), "\"login\" OR \"a\"\"b\"");
  EXPECT_EQ(singular("tests"), "test");
  EXPECT_EQ(singular("pass"), "pass");
  EXPECT_EQ(humanize("test_failure"), "test failure");
  EXPECT_EQ(format_duration(42), "42 s");
  EXPECT_EQ(format_duration(45 * 60), "45 min");
  EXPECT_EQ(format_duration(2 * 3600 + 5 * 60), "2 h 5 min");
  EXPECT_EQ(format_duration(3600), "1 h");
  EXPECT_EQ(split_list(" a, b,,c ,"), (std::vector<std::string>{"a", "b", "c"}));
}

Bullet rule(std::string content, Scope scope = {}, std::vector<std::string> tags = {}) {
  Bullet b;
  b.id = "b-" + content_hash(content).substr(0, 6);
  b.content = std::move(content);
  b.scope = std::move(scope);
  b.tags = std::move(tags);
  return b;
}

TEST(LearningBlame, AFailureBlamesOnlyTheRulesRelatedToIt) {
  const std::vector<Bullet> rules = {
      rule("Use JWT tokens with 15-minute expiration"),
      rule("Run the failing tests locally before pushing"),  // mentions the stage "test" (plural)
      rule("Recurring timeout in the deploy stage: split long steps", {"deploy", "timeout", "", ""}),
      rule("Keep pull requests small", {}, {"review", "test_failure"}),
  };
  // A test failure: the rule about tests (content), and the rule tagged test_failure.
  EXPECT_EQ(blame_failure(rules, {"test", "test_failure"}), (std::vector<double>{0, 1, 0, 1}));
  // A deploy timeout: only the rule learned from deploy timeouts (scope).
  EXPECT_EQ(blame_failure(rules, {"deploy", "timeout"}), (std::vector<double>{0, 0, 1, 0}));
  // A failure related to none of them blames none.
  EXPECT_EQ(blame_failure(rules, {"lint", "lint_error"}), (std::vector<double>{0, 0, 0, 0}));
  // A failure that says nothing of where it failed splits one harmful signal over them.
  EXPECT_EQ(blame_failure(rules, {"", "unknown"}), (std::vector<double>{0.25, 0.25, 0.25, 0.25}));
  EXPECT_TRUE(blame_failure({}, {"test", ""}).empty());
}

TEST(LearningBlame, AFailureTypeIsMatchedByAllItsWords) {
  const Bullet tokens = rule("Refresh tokens before they expire");
  EXPECT_FALSE(relates_to(tokens, {"", "token_expired"}));  // "expired" is not in the content
  EXPECT_TRUE(relates_to(rule("Handle an expired token on every call"), {"", "token_expired"}));
  EXPECT_FALSE(relates_to(tokens, {"unknown", "unknown"}));
}

TEST(LearningActions, LookupGoesFromTheMostSpecificEntryToTheDefault) {
  RecommendedActions actions;
  EXPECT_NE(actions.action_for("test", "test_failure").find("failing tests"), std::string::npos);
  EXPECT_NE(actions.action_for("deploy", "weird").find("staging"), std::string::npos);
  EXPECT_EQ(actions.action_for("package", "mystery"),
            "Reproduce the mystery failures of the package stage locally, find their common cause, and add a check that catches it "
            "before the package stage");
  actions.merge_json(nlohmann::json::parse(R"({"actions": [
      {"stage": "test", "failure_type": "timeout", "action": "Give the {stage} stage more time"},
      {"failure_type": "mystery", "action": "Ask the oracle"}]})"));
  EXPECT_EQ(actions.action_for("test", "timeout"), "Give the test stage more time");
  EXPECT_EQ(actions.action_for("build", "mystery"), "Ask the oracle");
  EXPECT_NE(actions.action_for("build", "timeout").find("Split long steps"), std::string::npos);
}

TEST(LearningActions, AnInvalidTableIsAConfigurationError) {
  RecommendedActions actions;
  try {
    actions.merge_json(nlohmann::json::parse(R"({"actions": [{"stage": "test"}]})"));
    FAIL() << "accepted an entry without an action";
  } catch (const LearningError& e) {
    EXPECT_EQ(e.exit_code(), 3);
    EXPECT_EQ(e.code(), "ACTIONS_INVALID");
    EXPECT_STREQ(e.what(), "actions[0].action is missing");
  }
  EXPECT_THROW(actions.merge_file("/nonexistent/actions.json"), LearningError);
}

}  // namespace
}  // namespace agentmetrics::learning
