// The reason labels of the two rejection counters are exactly the ones docs/metrics.md lists,
// in its order, and no two reasons share a label.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ipc/rejection_reason.h"

namespace agentmetrics::ipc {
namespace {

// The backquoted values after the last '|' before the end of the metric's row.
std::vector<std::string> documented_reasons(const std::string& metric) {
  std::ifstream file(std::string(AM_DOCS_DIR) + "/metrics.md");
  std::string line;
  while (std::getline(file, line)) {
    if (line.rfind("| `" + metric + "{reason}`", 0) != 0) continue;
    const std::string meaning = line.substr(line.rfind('|', line.size() - 2));
    std::vector<std::string> out;
    const std::regex value("`([a-z_]+)`");
    for (std::sregex_iterator it(meaning.begin(), meaning.end(), value), end; it != end; ++it) out.push_back((*it)[1]);
    return out;
  }
  ADD_FAILURE() << metric << " has no row in docs/metrics.md";
  return {};
}

template <typename Reasons>
std::vector<std::string> labels(const Reasons& reasons) {
  std::vector<std::string> out;
  for (const auto r : reasons) out.emplace_back(to_label(r));
  return out;
}

TEST(RejectionReason, TheSegmentRejectionsAreTheDocumentedOnes) {
  const auto ours = labels(kSegmentRejections);
  EXPECT_EQ(ours, documented_reasons("agentmetrics_segments_rejected_total"));
  EXPECT_EQ(std::set<std::string>(ours.begin(), ours.end()).size(), ours.size());
  EXPECT_EQ(ours.size(), static_cast<std::size_t>(SegmentRejection::kFault) + 1) << "a reason is missing from kSegmentRejections";
}

TEST(RejectionReason, TheInvalidRecordReasonsAreTheDocumentedOnes) {
  const auto ours = labels(kInvalidRecords);
  EXPECT_EQ(ours, documented_reasons("agentmetrics_records_invalid_total"));
  EXPECT_EQ(std::set<std::string>(ours.begin(), ours.end()).size(), ours.size());
  EXPECT_EQ(ours.size(), static_cast<std::size_t>(InvalidRecord::kBadFrame) + 1) << "a reason is missing from kInvalidRecords";
}

}  // namespace
}  // namespace agentmetrics::ipc
