// The learning tables live in the same SQLite file as the outcome events, versioned on their
// own: the table learning_schema(version) holds the learning side's version, independent of the
// event store's (PRAGMA user_version, owned by sqlite_event_store.cpp). Opening a store creates or
// migrates the learning tables forward in one transaction; a store of a newer learning schema
// is refused.
//
// Version 1:
//   bullets          the playbook: rules and anti-patterns (retired ones are kept)
//   bullets_fts      FTS5 over bullets(content, tags), kept in sync by triggers
//   bullet_patterns  which patterns a bullet was learned from, and how much of them it counted
//   feedback         every helpful/harmful signal applied to a bullet
//   patterns         the failure and success patterns of the last reflection
//   reflection_runs  when each reflection ran, how long, what it changed
//   history_fts      FTS5 over the task events' title, approach, snippet, task_type,
//                    agent_type (rowid = events.id), filled incrementally
//   learning_state   watermarks (last indexed event id, last event id read for feedback)
// Version 2: bullets.added_by (who added the rule).
// Version 3:
//   session_rules    the rules a hook gave each session, and when they were graded
// Version 4: bullets.scope_project (a rule of one project; project_scope.h).
// Version 5: undo_journal (cm undo; undo_journal.h).
// Version 6: patterns of kind 'session' (session_patterns.h).
// Version 7: bullets.learned (the words learned from the tasks a rule helped; learned_words.h),
//   indexed by bullets_fts beside content and tags; session_rules.task (the words of the prompt a
//   rule was given for, until the session is graded).
#pragma once

#include <string>
#include <string_view>

struct sqlite3;

namespace agentmetrics::learning {

inline constexpr int kLearningSchemaVersion = 7;

// The bullets table's columns, in the order the playbook reads a row and the mirror copies one.
inline constexpr const char* kBulletColumns =
    "seq, id, content, kind, state, retired_reason, retired_at, replaced_by, source, tags, content_hash, confidence, "
    "confidence_time, evidence_count, helpful, harmful, created, last_validated, scope_stage, scope_failure_type, "
    "scope_agent_type, scope_task_type, added_by, scope_project, learned";

// An FTS5 query of bullets_fts restricted to the rule's own text (content and tags), without the
// words it learned from the tasks it helped (learned_words.h): what finds duplicates and similar
// rules.
std::string in_rule_text(std::string_view fts_query);

// The learning schema version of the store; 0 when it has no learning tables yet.
int learning_schema_version(sqlite3* db);
// Creates or migrates the learning tables (a no-op read when they are current), up to `version`
// (an older one: what a store of that version had, for the migrations' tests). Throws
// LearningError (kFilesystem, code STORE_SCHEMA_NEWER) for a newer schema, StoreError otherwise.
void ensure_learning_schema(sqlite3* db, int version = kLearningSchemaVersion);
// Whether this SQLite library has FTS5 (the learning side needs it).
bool fts5_available();

}  // namespace agentmetrics::learning
