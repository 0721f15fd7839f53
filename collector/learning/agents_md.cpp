#include "collector/learning/agents_md.h"

#include "collector/learning/learning_error.h"
#include "collector/learning/text_tokens.h"

namespace agentmetrics::learning {
namespace {

bool unvetted(const Bullet& b) { return b.source == BulletSource::kImport || b.added_by.rfind("api:", 0) == 0; }

// One line of text that cannot end the block or start another.
std::string safe_line(std::string_view content) {
  std::string text = without_control_characters(content);
  for (const std::string_view marker : {std::string_view("<!--"), std::string_view("-->")}) {
    for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker)) text.erase(at, marker.size());
  }
  return truncated_text(text, kMaxRuleBytes);
}

std::size_t count(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

}  // namespace

AgentsMdExport agents_md_block(const std::vector<BulletView>& bullets, const AgentsMdOptions& options) {
  AgentsMdExport out;
  std::string rules, avoid;
  for (const auto& v : bullets) {
    const Bullet& b = v.bullet;
    if (!b.active) continue;
    if (v.confidence < options.min_confidence) {
      ++out.left_out_confidence;
    } else if (unvetted(b) && !options.include_unvetted) {
      ++out.left_out_unvetted;
    } else if (out.rules + out.anti_patterns >= options.limit) {
      ++out.left_out_limit;
    } else {
      const std::string line = "- " + safe_line(b.content) + " (" + b.id + ")\n";
      if (b.kind == BulletKind::kAntiPattern) {
        avoid += line;
        ++out.anti_patterns;
      } else {
        rules += line;
        ++out.rules;
      }
    }
  }
  out.text = std::string(kAgentsMdBegin) + "\n## Rules learned from earlier tasks\n\n" +
             "Learned by agentmetrics from how earlier tasks on this project went; `cm why <id>` shows what stands "
             "behind each. Regenerate this block with `cm export --format agents.md` rather than edit it.\n";
  if (!rules.empty()) out.text += "\n" + rules;
  if (!avoid.empty()) out.text += "\n### Avoid\n\n" + avoid;
  if (rules.empty() && avoid.empty()) {
    out.text += "\n(none yet)\n";
  } else {
    // What an agent answers to it reaches the playbook through the session import.
    out.text += "\n" + std::string(kMarkerInvitation) + "\n";
  }
  out.text += std::string(kAgentsMdEnd) + "\n";
  return out;
}

std::string with_agents_md_block(const std::string& document, const std::string& block) {
  const std::size_t begins = count(document, kAgentsMdBegin.substr(0, 24)), ends = count(document, kAgentsMdEnd);
  if (begins == 0 && ends == 0)
    return document + (document.empty() || document.back() == '\n' ? "" : "\n") + (document.empty() ? "" : "\n") + block;
  const auto begin = document.find(kAgentsMdBegin.substr(0, 24)), end = document.find(kAgentsMdEnd);
  if (begins != 1 || ends != 1 || end < begin) {
    throw input_error("AGENTS_MD_MARKERS", "the file's agentmetrics markers are not one begin before one end; nothing was changed",
                      {"remove the agentmetrics block from the file and export again"});
  }
  std::size_t after = end + kAgentsMdEnd.size();
  if (after < document.size() && document[after] == '\n') ++after;
  return document.substr(0, begin) + block + document.substr(after);
}

nlohmann::ordered_json to_json(const AgentsMdExport& result) {
  return {{"text", result.text},
          {"rules", result.rules},
          {"anti_patterns", result.anti_patterns},
          {"left_out",
           {{"below_min_confidence", result.left_out_confidence},
            {"imported_or_api", result.left_out_unvetted},
            {"over_limit", result.left_out_limit}}}};
}

}  // namespace agentmetrics::learning
