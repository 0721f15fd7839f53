#include "collector/intake/webhooks/pushed_commits.h"

#include "collector/intake/webhooks/agent_coauthor.h"
#include "collector/intake/webhooks/forge_time.h"
#include "collector/intake/webhooks/payload_fields.h"

namespace agentmetrics::intake {

ForgeFacts pushed_commits(const std::string& repository, const std::string& ref, const std::string& head, const nlohmann::json& commits,
                          const ForgeContext& context) {
  ForgeFacts out{repository, {}, {}};
  constexpr std::string_view kBranch = "refs/heads/";
  if (!ref.starts_with(kBranch)) {
    out.ignored = "a push of " + ref + ", not of a branch";
    return out;
  }
  if (head.empty() || head.find_first_not_of('0') == std::string::npos) {
    out.ignored = "a branch deleted";
    return out;
  }
  if (!commits.is_array() || commits.empty()) {
    out.ignored = "a push without commits";
    return out;
  }
  const std::string branch = ref.substr(kBranch.size());
  for (const auto& commit : commits) {
    const std::string sha = text_member(commit, "id");
    const auto time = forge_time(commit, "timestamp");
    if (sha.empty() || !time) continue;
    ForgeFact f = make_fact(repository + " push " + head + " commit " + sha, ipc::OutcomeKind::kCommit, *time);
    set_text(f.event, "sha", sha);
    set_text(f.event, "repository", repository);
    set_text(f.event, "branch", branch);
    set_text(f.event, "push_head", head);
    if (const auto agent = agent_coauthor(text_member(commit, "message"), context.settings.agent_coauthors)) {
      set_text(f.event, "ai_agent", *agent);
    }
    if (context.settings.keep_authors) set_text(f.event, "author", text_member(object_member(commit, "author"), "name"));
    out.facts.push_back(std::move(f));
  }
  if (out.facts.empty()) out.ignored = "no commit with an id and a time";
  return out;
}

}  // namespace agentmetrics::intake
