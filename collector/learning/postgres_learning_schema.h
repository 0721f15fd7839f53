// The learning tables of a team store on PostgreSQL: the same tables as the embedded store's
// (learning_schema.h), with PostgreSQL's full-text search where SQLite has FTS5: a
// generated tsvector column with a GIN index on bullets (content weighted B, tags A) and on
// history_tasks (title A, task type B, approach, snippet and agent type C: the ratios of the
// embedded store's BM25 column weights 3, 2, 1), both with the 'english' configuration (Snowball
// stemming, as FTS5's porter tokenizer).
//
// Version 1:
//   bullets, bullet_patterns, feedback, patterns, reflection_runs, session_rules, learning_state
//   as in the embedded store (seq and ids as bigserial)
//   history_tasks  the task events' title, approach, snippet, task and agent type, session,
//                  success, duration and time, by the event's id, with their tsvector
//   bullets.tokens, history_tasks.tokens: the words of the searched columns (text_tokens.h's
//                  tokenize, as FTS5 counts them), for BM25's length normalization
//   learning_state history_count and history_tokens: the sums BM25's average length needs
// Version 2:
//   bullets.revision, bullet_revisions, bullet_deletions, learning_state store_id: what a copy of
//                  the playbook (playbook_mirror.h) needs to follow it
// Version 3:
//   history_lexemes and its trigger on history_tasks: the number of indexed tasks with each
//                  lexeme, which tells a query's frequent words (query_terms.h) in one lookup each
// Version 4:
//   patterns of kind 'session' and feedback_event: what the team's reflection writes
// Version 5:
//   bullets.learned: the words learned from the tasks a rule helped (learned_words.h);
//   session_rules.task: the words of the prompt a rule was given for, until graded
// The version is kept in learning_schema(version). Many processes may open the store at once:
// the migration runs under a transaction-scoped advisory lock, so one of them migrates and the
// others find it done.
#pragma once

#include <pqxx/connection>

namespace agentmetrics::learning {

inline constexpr int kPostgresLearningSchemaVersion = 5;

// The store's learning schema version; 0 when it has no learning tables yet.
int postgres_learning_schema_version(pqxx::connection& connection);
// Creates or migrates the learning tables. Throws LearningError (STORE_SCHEMA_NEWER) for a newer
// schema; libpqxx's errors otherwise.
void ensure_postgres_learning_schema(pqxx::connection& connection);

}  // namespace agentmetrics::learning
