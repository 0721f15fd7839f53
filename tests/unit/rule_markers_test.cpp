// What a session's text says about rules (common/rule_markers.h): the inline feedback markers,
// and the rules cm showed, read from the very texts cm writes (context_text.h, agents_md.h).
#include <gtest/gtest.h>

#include "collector/common/rule_markers.h"
#include "collector/learning/agents_md.h"
#include "collector/learning/context_text.h"

namespace agentmetrics::learning {
namespace {

std::vector<std::pair<std::string, bool>> parsed(std::string_view text) {
  std::vector<std::pair<std::string, bool>> out;
  for (const auto& m : feedback_markers(text)) out.emplace_back(m.rule_id, m.helpful);
  return out;
}

using Markers = std::vector<std::pair<std::string, bool>>;
using Ids = std::vector<std::string>;

TEST(FeedbackMarkers, TheAnchorsSpellingAndItsLooserForms) {
  EXPECT_EQ(parsed("Done. [cass: helpful b-8f3a2c] and [cass: harmful ap-1d2e3f4a]"),
            (Markers{{"b-8f3a2c", true}, {"ap-1d2e3f4a", false}}));
  EXPECT_EQ(parsed("[ CASS : Harmful B-8F3A2C ]"), (Markers{{"b-8f3a2c", false}}));
  // The first word on a rule counts.
  EXPECT_EQ(parsed("[cass: helpful b-8f3a2c] [cass: harmful b-8f3a2c]"), (Markers{{"b-8f3a2c", true}}));
}

TEST(FeedbackMarkers, AnythingElseIsNotAMarker) {
  for (const std::string_view text :
       {"[cass helpful b-8f3a2c]", "[cass: useful b-8f3a2c]", "[cass: helpful x-8f3a2c]", "[cass: helpful b-8f3a]",
        "[cass: helpful b-8f3a2g]", "[cass: helpful b-8f3a2c extra]", "[cass: helpful]", "cass: helpful b-8f3a2c",
        "[cass: helpful b-8f3a2c", "[memo: helpful b-8f3a2c]", "[cass: helpful <id>]"}) {
    EXPECT_TRUE(feedback_markers(text).empty()) << text;
  }
  EXPECT_EQ(feedback_markers("[cass: [cass: helpful b-8f3a2c]").size(), 1u);
}

TEST(RulesShownIn, TheRulesOfCmsContextAsItWritesIt) {
  ContextResult context;
  context.relevant_bullets = {{"b-8f3a2c", "Run the linter before committing", 0.9, 3, BulletSource::kManual, "", 0},
                              {"b-0a1b2c", "Pin the toolchain", 0.8, 1, BulletSource::kLearning, "reflection", 0}};
  context.anti_patterns = {{"ap-1d2e3f4a", "Do not retry flaky tests blindly", 0.7, 2, BulletSource::kLearning, "", 0}};
  context.history_snippets = {{}};
  context.history_snippets[0].title = "A past task that mentions [b-999999] in passing";
  const std::string text = context_text(context) + "\n" + std::string(kMarkerInvitation);
  EXPECT_EQ(rules_shown_in("Some prompt.\n<system-reminder>\n" + text + "\n</system-reminder>\n- [b-777777] a forged line after it", 64),
            (Ids{"b-8f3a2c", "b-0a1b2c", "ap-1d2e3f4a"}));
}

TEST(RulesShownIn, TheRulesOfAnAgentsMdBlockBetweenItsMarkers) {
  Bullet rule;
  rule.id = "b-8f3a2c";
  rule.content = "Run the linter before committing (it catches b-123456 too)";
  rule.active = true;
  Bullet avoid;
  avoid.id = "ap-1d2e3f";
  avoid.kind = BulletKind::kAntiPattern;
  avoid.content = "Blind retries";
  avoid.active = true;
  const std::string block = agents_md_block({{rule, 0.9}, {avoid, 0.8}}, {}).text;
  const std::string instructions = "# AGENTS.md instructions for /src/app\n\n<INSTRUCTIONS>\n# App\n- not ours (b-abcdef)\n" + block +
                                   "- after the block (b-fedcba)\n</INSTRUCTIONS>";
  EXPECT_EQ(rules_shown_in(instructions, 64), (Ids{"b-8f3a2c", "ap-1d2e3f"}));
  // A block without its end shows nothing; ids in prose show nothing.
  EXPECT_TRUE(rules_shown_in(std::string(kAgentsMdBegin) + "\n- rule (b-8f3a2c)\n", 64).empty());
  EXPECT_TRUE(rules_shown_in("See [b-8f3a2c] and (b-8f3a2c) and - [b-8f3a2c] rule", 64).empty());
}

TEST(RulesShownIn, AtMostMaxAndEveryTextReadOnce) {
  std::string many(kContextHeading);
  for (int i = 0; i < 100; ++i) many += "\n- [b-" + std::to_string(100000 + i) + "] a rule";
  const auto ids = rules_shown_in(many, 64);
  ASSERT_EQ(ids.size(), 64u);
  EXPECT_EQ(ids.back(), "b-100063");
  // Texts shaped to make a scan start again at every line, or a marker search at every '[': 4 MiB
  // each, read once (a rescan would take this test past its timeout).
  std::string headings, blocks, brackets;
  while (headings.size() < (4u << 20)) headings += "- " + std::string(kContextHeading) + "\n";
  while (blocks.size() < (4u << 20)) blocks += std::string(kAgentsMdBegin) + "\n- a rule (b-8f3a2c)\n";
  blocks += std::string(kAgentsMdEnd);
  brackets.assign(4u << 20, '[');
  brackets += "]";
  EXPECT_TRUE(rules_shown_in(headings, 64).empty());
  EXPECT_EQ(rules_shown_in(blocks, 64), (Ids{"b-8f3a2c"}));
  EXPECT_TRUE(feedback_markers(brackets).empty());
  std::string markers;
  for (int i = 0; i < 100; ++i) markers += "[cass: helpful b-" + std::to_string(100000 + i) + "]";
  EXPECT_EQ(feedback_markers(markers, 64).size(), 64u);
}

TEST(FetchesCmContext, TheMcpToolOrCmContextInTheShellAndNothingElse) {
  EXPECT_TRUE(fetches_cm_context("mcp__cass-memory__cm_context", ""));
  EXPECT_TRUE(fetches_cm_context("cass-memory_cm_context", ""));
  EXPECT_TRUE(fetches_cm_context("Bash", "cm context \"fix the login\" --limit 5"));
  EXPECT_TRUE(fetches_cm_context("exec_command", "/usr/local/bin/cm --store s.db context fix"));
  EXPECT_FALSE(fetches_cm_context("Bash", "cat AGENTS.md"));
  EXPECT_FALSE(fetches_cm_context("Read", ""));
  EXPECT_FALSE(fetches_cm_context("Bash", "echo cm context"));
  EXPECT_FALSE(fetches_cm_context("Bash", "cm playbook list; cat context"));
  EXPECT_FALSE(fetches_cm_context("Bash", "cmake context"));
}

}  // namespace
}  // namespace agentmetrics::learning
