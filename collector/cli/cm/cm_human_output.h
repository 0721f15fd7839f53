// cm's answers for a person (without --json): one screen per command, from the same typed
// answers whose to_json the JSON envelope carries.
#pragma once

#include <ostream>

#include "collector/cli/cm/claude_code_setup.h"
#include "collector/cli/cm/cm_doctor.h"
#include "collector/learning/agents_md.h"
#include "collector/learning/learning_results.h"
#include "collector/learning/reflection.h"

namespace agentmetrics::cli {

void print_human(std::ostream& out, const learning::ContextResult& result);
void print_human(std::ostream& out, const learning::PlaybookListResult& result);
void print_human(std::ostream& out, const learning::PlaybookAddResult& result);
void print_human(std::ostream& out, const learning::PlaybookRemoveResult& result);
// The form `cm playbook import` reads, for a person too.
void print_human(std::ostream& out, const learning::PlaybookExport& result);
void print_human(std::ostream& out, const learning::ImportResult& result);
void print_human(std::ostream& out, const learning::MarkResult& result);
void print_human(std::ostream& out, const learning::OutcomeResult& result);
void print_human(std::ostream& out, const learning::StatsResult& result);
void print_human(std::ostream& out, const learning::PatternsResult& result);
void print_human(std::ostream& out, const learning::ReflectionReport& result);
void print_human(std::ostream& out, const learning::DoctorReport& result);
void print_human(std::ostream& out, const learning::ClaudeCodeInstall& result);
void print_human(std::ostream& out, const learning::SimilarResult& result);
void print_human(std::ostream& out, const learning::WhyResult& result);
void print_human(std::ostream& out, const learning::StaleResult& result);
void print_human(std::ostream& out, const learning::ForgetResult& result);
void print_human(std::ostream& out, const learning::UndoResult& result);
// The block itself, as it would go into AGENTS.md.
void print_human(std::ostream& out, const learning::AgentsMdExport& result);

}  // namespace agentmetrics::cli
