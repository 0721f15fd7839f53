#include "collector/cli/cm/cm_human_output.h"

#include <cstdio>

#include "collector/learning/text_tokens.h"

namespace agentmetrics::cli {

using json = nlohmann::ordered_json;
using learning::format_duration;

namespace {

std::string pad(std::string text, std::size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string fixed(double value, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, value);
  return buf;
}

void print_bullets(std::ostream& out, const char* heading, const json& list) {
  out << heading << " (" << list.size() << "):\n";
  if (list.empty()) out << "  (none)\n";
  for (const auto& b : list) {
    out << "  [" << b["id"].get<std::string>() << "] " << fixed(b["confidence"].get<double>(), 2) << "  " << b["content"].get<std::string>()
        << "  (evidence " << b["evidence_count"].get<std::int64_t>() << ", " << b["source"].get<std::string>() << ")\n";
  }
}

}  // namespace

void print_human(std::ostream& out, const std::string& command, const json& d) {
  if (command == "context") {
    out << "Task: " << d["task"].get<std::string>() << "\n\n";
    print_bullets(out, "Relevant rules", d["relevantBullets"]);
    out << "\n";
    print_bullets(out, "Anti-patterns", d["antiPatterns"]);
    out << "\nHistory (" << d["historySnippets"].size() << "):\n";
    if (d["historySnippets"].empty()) out << "  (none)\n";
    for (const auto& h : d["historySnippets"]) {
      out << "  " << pad(h["outcome"].get<std::string>(), 8) << pad(h["duration"].get<std::string>(), 10) << h["title"].get<std::string>();
      out << "  (" << (h["session_id"].get<std::string>().empty() ? "no session" : h["session_id"].get<std::string>());
      if (!h["approach"].get<std::string>().empty()) out << ", " << h["approach"].get<std::string>();
      out << ", score " << fixed(h["score"].get<double>(), 1) << ")\n";
      if (!h["snippet"].get<std::string>().empty()) out << "                    " << h["snippet"].get<std::string>() << "\n";
    }
  } else if (command == "playbook list") {
    out << d["count"].get<std::size_t>() << " rules\n";
    for (const auto& b : d["bullets"]) {
      out << "  [" << b["id"].get<std::string>() << "] " << pad(b["kind"].get<std::string>(), 13) << fixed(b["confidence"].get<double>(), 2)
          << "  " << pad(b["state"].get<std::string>(), 8) << pad(b["maturity"].get<std::string>(), 12) << b["content"].get<std::string>()
          << "\n";
    }
  } else if (command == "playbook add" || command == "playbook remove") {
    out << d["action"].get<std::string>() << " " << d["id"].get<std::string>() << ": " << d["bullet"]["content"].get<std::string>()
        << "  (confidence " << fixed(d["bullet"]["confidence"].get<double>(), 2) << ")\n";
  } else if (command == "playbook import") {
    out << "imported: " << d["added"] << " added, " << d["reinforced"] << " reinforced, " << d["revived"] << " revived, " << d["unchanged"]
        << " unchanged\n";
  } else if (command == "mark") {
    out << d["id"].get<std::string>() << " marked " << d["feedback"].get<std::string>() << ": confidence "
        << fixed(d["confidence_before"].get<double>(), 3) << " -> " << fixed(d["confidence_after"].get<double>(), 3)
        << (d["skipped"].get<bool>() ? " (already recorded for this session)" : "") << "\n";
    if (d.contains("inverted_to")) out << "  it proved harmful too often: inverted into " << d["inverted_to"].get<std::string>() << "\n";
    if (d.contains("retired")) out << "  its confidence fell below the floor: retired\n";
  } else if (command == "outcome") {
    out << "outcome " << d["status"].get<std::string>() << " (" << d["policy"].get<std::string>() << "):\n";
    for (const auto& a : d["applied"]) {
      out << "  " << a["id"].get<std::string>() << " " << a["feedback"].get<std::string>() << " x" << fixed(a["weight"].get<double>(), 2)
          << ": " << fixed(a["confidence_before"].get<double>(), 3) << " -> " << fixed(a["confidence_after"].get<double>(), 3)
          << (a["skipped"].get<bool>() ? " (already recorded)" : "") << "\n";
    }
    for (const auto& id : d["unaffected"]) out << "  " << id.get<std::string>() << " unaffected (not related to the failure)\n";
    for (const auto& i : d["inverted"])
      out << "  " << i["from"].get<std::string>() << " inverted into " << i["to"].get<std::string>() << "\n";
    for (const auto& id : d["retired"]) out << "  " << id.get<std::string>() << " retired (confidence below the floor)\n";
  } else if (command == "stats") {
    out << "Playbook: " << d["active"] << " active (" << d["byKind"]["rule"] << " rules, " << d["byKind"]["anti-pattern"]
        << " anti-patterns), " << d["retired"] << " retired\n";
    out << "Sources: learning " << d["bySource"]["learning"] << ", manual " << d["bySource"]["manual"] << ", import "
        << d["bySource"]["import"] << "\n";
    out << "Maturity: candidate " << d["byMaturity"]["candidate"] << ", established " << d["byMaturity"]["established"] << ", proven "
        << d["byMaturity"]["proven"] << ", deprecated " << d["byMaturity"]["deprecated"] << "\n";
    out << "Confidence: mean " << fixed(d["confidence"]["mean"].get<double>(), 3) << ";";
    for (const auto& b : d["confidence"]["distribution"]) out << " " << b["range"].get<std::string>() << ": " << b["count"];
    out << "\nStale rules (not validated for " << d["staleRules"]["notValidatedForDays"] << " days): " << d["staleRules"]["count"] << "\n";
    out << "Feedback: " << d["feedback"]["helpful"] << " helpful, " << d["feedback"]["harmful"] << " harmful\n";
    out << "History: " << d["history"]["indexedTasks"] << " tasks indexed, " << d["history"]["pendingTasks"] << " waiting\n";
    if (d["lastReflection"].is_null()) {
      out << "Last reflection: never (run cm reflect)\n";
    } else {
      out << "Last reflection: " << d["lastReflection"]["time"].get<std::string>() << " ("
          << d["lastReflection"]["trigger"].get<std::string>() << ", " << d["lastReflection"]["status"].get<std::string>() << "), "
          << d["reflectionRuns"] << " runs in all\n";
    }
  } else if (command == "reflect" || command == "patterns") {
    const json& f = d["failure_patterns"];
    out << "Failure patterns (" << f.size() << "):\n";
    for (const auto& p : f) {
      out << "  [" << p["pattern_id"].get<std::string>() << "] " << p["stage"].get<std::string>() << " / "
          << p["failure_type"].get<std::string>() << ": " << p["occurrence_count"] << " failures, "
          << fixed(p["resolution_success_rate"].get<double>() * 100.0, 0) << "% resolved";
      if (!p["avg_time_to_resolve"].is_null()) out << " in " << format_duration(p["avg_time_to_resolve"].get<double>()) << " on average";
      out << "\n      -> " << p["recommended_action"].get<std::string>() << "\n";
    }
    const json& s = d["success_patterns"];
    out << "Success patterns (" << s.size() << "):\n";
    for (const auto& p : s) {
      out << "  [" << p["pattern_id"].get<std::string>() << "] " << p["agent_type"].get<std::string>() << " / "
          << p["task_type"].get<std::string>() << ": " << p["success_count"] << " of " << p["attempt_count"] << " succeeded ("
          << fixed(p["success_rate"].get<double>() * 100.0, 0) << "%) with " << p["approach"].get<std::string>() << ", "
          << format_duration(p["avg_time_to_complete"].get<double>()) << " on average"
          << (p["recommended"].get<bool>() ? ", recommended" : "") << "\n";
    }
    if (command == "reflect") {
      out << "Learned:\n";
      for (const auto& r : d["rules_added"])
        out << "  + rule " << r["id"].get<std::string>() << ": " << r["content"].get<std::string>() << "\n";
      for (const auto& r : d["anti_patterns_added"])
        out << "  + anti-pattern " << r["id"].get<std::string>() << ": " << r["content"].get<std::string>() << "\n";
      for (const auto& id : d["rules_reinforced"]) out << "  ^ reinforced " << id.get<std::string>() << "\n";
      for (const auto& r : d["rules_inverted"])
        out << "  ! inverted " << r["from"].get<std::string>() << " into " << r["to"].get<std::string>() << "\n";
      for (const auto& id : d["rules_retired"]) out << "  - retired " << id.get<std::string>() << "\n";
      if (d["rules_added"].empty() && d["anti_patterns_added"].empty() && d["rules_reinforced"].empty() && d["rules_retired"].empty() &&
          d["rules_inverted"].empty()) {
        out << "  nothing new\n";
      }
      out << "Feedback applied: " << d["feedback_applied"] << "; tasks indexed: " << d["history_indexed"] << "; took "
          << fixed(d["duration_ms"].get<double>(), 1) << " ms\n";
    }
  } else if (command == "doctor") {
    out << "cm doctor: " << d["status"].get<std::string>() << " (store " << d["store"].get<std::string>() << ")\n";
    for (const auto& c : d["checks"]) {
      out << "  [" << pad(c["status"].get<std::string>() + "]", 6) << " " << pad(c["name"].get<std::string>(), 16)
          << c["message"].get<std::string>() << "\n";
      if (c.contains("fix")) out << "           fix: " << c["fix"].get<std::string>() << "\n";
    }
  } else {
    out << d.dump(2) << "\n";
  }
}

}  // namespace agentmetrics::cli
