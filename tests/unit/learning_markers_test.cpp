// Inline feedback markers (feedback_markers.h): what counts as one and what does not.
#include <gtest/gtest.h>

#include "collector/learning/feedback_markers.h"

namespace agentmetrics::learning {
namespace {

std::vector<std::pair<std::string, FeedbackKind>> parsed(std::string_view text) {
  std::vector<std::pair<std::string, FeedbackKind>> out;
  for (const auto& m : feedback_markers(text)) out.emplace_back(m.rule_id, m.kind);
  return out;
}

TEST(FeedbackMarkers, TheAnchorsSpellingAndItsLooserForms) {
  EXPECT_EQ(
      parsed("Done. [cass: helpful b-8f3a2c] and [cass: harmful ap-1d2e3f4a]"),
      (std::vector<std::pair<std::string, FeedbackKind>>{{"b-8f3a2c", FeedbackKind::kHelpful}, {"ap-1d2e3f4a", FeedbackKind::kHarmful}}));
  EXPECT_EQ(parsed("[ CASS : Harmful B-8F3A2C ]"),
            (std::vector<std::pair<std::string, FeedbackKind>>{{"b-8f3a2c", FeedbackKind::kHarmful}}));
  // The first word on a rule counts.
  EXPECT_EQ(parsed("[cass: helpful b-8f3a2c] [cass: harmful b-8f3a2c]"),
            (std::vector<std::pair<std::string, FeedbackKind>>{{"b-8f3a2c", FeedbackKind::kHelpful}}));
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

}  // namespace
}  // namespace agentmetrics::learning
