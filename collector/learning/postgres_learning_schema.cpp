#include "collector/learning/postgres_learning_schema.h"

#include <iterator>
#include <pqxx/transaction>

#include "collector/learning/learning_error.h"

namespace agentmetrics::learning {
namespace {

// The advisory lock key of the learning migrations (any constant the team's processes share).
constexpr long long kMigrationLock = 0x616d6c6561726e31;  // "amlearn1"

// Each entry takes the learning schema from version i to i + 1.
constexpr const char* kMigrations[] = {
    R"sql(
      CREATE TABLE bullets(
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        content TEXT NOT NULL,
        kind TEXT NOT NULL CHECK(kind IN ('rule', 'anti-pattern')),
        state TEXT NOT NULL DEFAULT 'active' CHECK(state IN ('active', 'retired')),
        retired_reason TEXT,
        retired_at DOUBLE PRECISION,
        replaced_by TEXT,
        source TEXT NOT NULL CHECK(source IN ('learning', 'manual', 'import')),
        added_by TEXT NOT NULL DEFAULT '',
        tags TEXT NOT NULL DEFAULT '',
        content_hash TEXT NOT NULL,
        confidence DOUBLE PRECISION NOT NULL,
        confidence_time DOUBLE PRECISION NOT NULL,
        evidence_count BIGINT NOT NULL DEFAULT 0,
        helpful DOUBLE PRECISION NOT NULL DEFAULT 0,
        harmful DOUBLE PRECISION NOT NULL DEFAULT 0,
        created DOUBLE PRECISION NOT NULL,
        last_validated DOUBLE PRECISION NOT NULL,
        scope_stage TEXT NOT NULL DEFAULT '',
        scope_failure_type TEXT NOT NULL DEFAULT '',
        scope_agent_type TEXT NOT NULL DEFAULT '',
        scope_task_type TEXT NOT NULL DEFAULT '',
        scope_project TEXT NOT NULL DEFAULT '',
        tokens INTEGER NOT NULL DEFAULT 0,
        search TSVECTOR GENERATED ALWAYS AS (
          setweight(to_tsvector('english', content), 'B') || setweight(to_tsvector('english', replace(tags, ',', ' ')), 'A')) STORED);
      CREATE INDEX bullets_hash ON bullets(content_hash);
      CREATE INDEX bullets_state_kind ON bullets(state, kind);
      CREATE INDEX bullets_search ON bullets USING GIN(search);
      CREATE TABLE bullet_patterns(
        bullet_id TEXT NOT NULL,
        pattern_id TEXT NOT NULL,
        counted_until DOUBLE PRECISION NOT NULL DEFAULT 0,
        PRIMARY KEY(bullet_id, pattern_id));
      CREATE TABLE feedback(
        id BIGSERIAL PRIMARY KEY,
        bullet_id TEXT NOT NULL,
        time DOUBLE PRECISION NOT NULL,
        kind TEXT NOT NULL CHECK(kind IN ('helpful', 'harmful')),
        weight DOUBLE PRECISION NOT NULL,
        origin TEXT NOT NULL,
        session_id TEXT,
        event_id BIGINT,
        note TEXT NOT NULL DEFAULT '');
      CREATE INDEX feedback_bullet ON feedback(bullet_id, time);
      CREATE INDEX feedback_session ON feedback(session_id, bullet_id) WHERE session_id IS NOT NULL;
      CREATE TABLE patterns(
        pattern_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK(kind IN ('failure', 'success')),
        data TEXT NOT NULL,
        reflection_id BIGINT,
        updated DOUBLE PRECISION NOT NULL);
      CREATE TABLE reflection_runs(
        id BIGSERIAL PRIMARY KEY,
        started DOUBLE PRECISION NOT NULL,
        finished DOUBLE PRECISION,
        duration_seconds DOUBLE PRECISION,
        trigger TEXT NOT NULL,
        status TEXT NOT NULL CHECK(status IN ('running', 'ok', 'error')),
        summary TEXT NOT NULL DEFAULT '{}',
        error TEXT);
      CREATE TABLE session_rules(
        session_id TEXT NOT NULL,
        bullet_id TEXT NOT NULL,
        given DOUBLE PRECISION NOT NULL,
        graded DOUBLE PRECISION,
        PRIMARY KEY(session_id, bullet_id));
      CREATE INDEX session_rules_given ON session_rules(given);
      CREATE TABLE history_tasks(
        event_id BIGINT PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        approach TEXT NOT NULL DEFAULT '',
        snippet TEXT NOT NULL DEFAULT '',
        task_type TEXT NOT NULL DEFAULT '',
        agent_type TEXT NOT NULL DEFAULT '',
        session_id TEXT NOT NULL DEFAULT '',
        success BOOLEAN NOT NULL DEFAULT false,
        duration DOUBLE PRECISION NOT NULL DEFAULT 0,
        time DOUBLE PRECISION NOT NULL,
        tokens INTEGER NOT NULL DEFAULT 0,
        search TSVECTOR GENERATED ALWAYS AS (
          setweight(to_tsvector('english', title), 'A') || setweight(to_tsvector('english', approach), 'C') ||
          setweight(to_tsvector('english', snippet), 'C') || setweight(to_tsvector('english', task_type), 'B') ||
          setweight(to_tsvector('english', agent_type), 'C')) STORED);
      CREATE INDEX history_search ON history_tasks USING GIN(search);
      CREATE TABLE learning_state(key TEXT PRIMARY KEY, value BIGINT NOT NULL);
    )sql",
    // Each rule's revision, for the copies of the playbook that search it (playbook_mirror.h):
    // a write leaves its rows' revision NULL (the trigger) and stamps them from bullet_revisions
    // at its end under an advisory lock held to its commit, so revisions become visible in
    // their order; a forgotten rule leaves its seq in bullet_deletions; the store's id tells a
    // copy that the database was made anew.
    R"sql(
      CREATE SEQUENCE bullet_revisions;
      ALTER TABLE bullets ADD COLUMN revision BIGINT;
      CREATE INDEX bullets_revision ON bullets(revision);
      CREATE INDEX bullets_unstamped ON bullets(seq) WHERE revision IS NULL;
      CREATE FUNCTION bullets_unstamp() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' OR NEW.revision IS NOT DISTINCT FROM OLD.revision THEN
          NEW.revision := NULL;
        END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER bullets_unstamp BEFORE INSERT OR UPDATE ON bullets FOR EACH ROW EXECUTE FUNCTION bullets_unstamp();
      UPDATE bullets SET revision = nextval('bullet_revisions');
      CREATE TABLE bullet_deletions(seq BIGINT PRIMARY KEY, revision BIGINT NOT NULL);
      INSERT INTO learning_state(key, value) VALUES('store_id', floor(random() * 9007199254740991)::bigint);
    )sql",
    // How many indexed tasks have each lexeme, kept by a trigger wherever history_tasks changes:
    // a query word is told frequent or rare by one lookup, where counting its matches read every
    // match of a common word from the GIN index (most of a large history).
    R"sql(
      CREATE TABLE history_lexemes(lexeme TEXT PRIMARY KEY, tasks BIGINT NOT NULL);
      CREATE FUNCTION history_lexemes_count() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          UPDATE history_lexemes h SET tasks = h.tasks - 1 FROM unnest(tsvector_to_array(OLD.search)) l WHERE h.lexeme = l;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          INSERT INTO history_lexemes(lexeme, tasks) SELECT l, 1 FROM unnest(tsvector_to_array(NEW.search)) l ORDER BY l
            ON CONFLICT(lexeme) DO UPDATE SET tasks = history_lexemes.tasks + 1;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER history_lexemes_count AFTER INSERT OR UPDATE OR DELETE ON history_tasks
        FOR EACH ROW EXECUTE FUNCTION history_lexemes_count();
      INSERT INTO history_lexemes(lexeme, tasks) SELECT word, ndoc FROM ts_stat('SELECT search FROM history_tasks');
    )sql",
    // The team's reflection (postgres_learning_store.h): the session patterns beside the others,
    // as in the embedded store; and the feedback of a task event found by the event's id (the
    // reflection applies each event's once).
    R"sql(
      ALTER TABLE patterns DROP CONSTRAINT IF EXISTS patterns_kind_check;
      ALTER TABLE patterns ADD CONSTRAINT patterns_kind_check CHECK(kind IN ('failure', 'success', 'session'));
      CREATE INDEX IF NOT EXISTS feedback_event ON feedback(event_id) WHERE event_id IS NOT NULL;
    )sql",
    // The words each rule learned from the tasks it helped (learned_words.h); searched in the
    // copies of the playbook (playbook_mirror.h), where `cm context` ranks.
    R"sql(
      ALTER TABLE bullets ADD COLUMN IF NOT EXISTS learned TEXT NOT NULL DEFAULT '';
      ALTER TABLE session_rules ADD COLUMN IF NOT EXISTS task TEXT NOT NULL DEFAULT '';
    )sql",
};
static_assert(std::size(kMigrations) == kPostgresLearningSchemaVersion);

int read_version(pqxx::transaction_base& tx) {
  if (tx.exec1("SELECT to_regclass('learning_schema') IS NOT NULL")[0].as<bool>() == false) return 0;
  const auto row = tx.exec1("SELECT coalesce(max(version), 0) FROM learning_schema");
  return row[0].as<int>();
}

void refuse_newer(int version) {
  if (version > kPostgresLearningSchemaVersion) {
    throw LearningError(ErrorCategory::kFilesystem, "STORE_SCHEMA_NEWER",
                        "the team store's learning tables have schema version " + std::to_string(version) + ", newer than this program's " +
                            std::to_string(kPostgresLearningSchemaVersion),
                        {"upgrade agentmetrics (cm and agentmetricsd) to the version that wrote this store"});
  }
}

}  // namespace

int postgres_learning_schema_version(pqxx::connection& connection) {
  pqxx::read_transaction tx(connection);
  return read_version(tx);
}

void ensure_postgres_learning_schema(pqxx::connection& connection) {
  // The common case, a current schema, is one read.
  const int current = postgres_learning_schema_version(connection);
  refuse_newer(current);
  if (current == kPostgresLearningSchemaVersion) return;
  pqxx::work tx(connection);
  tx.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLock);
  tx.exec("CREATE TABLE IF NOT EXISTS learning_schema(version INTEGER NOT NULL)");
  const int version = read_version(tx);  // another process may have migrated meanwhile
  refuse_newer(version);
  for (int v = version; v < kPostgresLearningSchemaVersion; ++v) tx.exec(kMigrations[v]);
  if (version != kPostgresLearningSchemaVersion) {
    tx.exec("DELETE FROM learning_schema");
    tx.exec_params("INSERT INTO learning_schema(version) VALUES($1)", kPostgresLearningSchemaVersion);
  }
  tx.commit();
}

}  // namespace agentmetrics::learning
