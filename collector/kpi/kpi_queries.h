// The SQL the KPI engine runs against the store's `events` table, in the notation both stores
// read (store/event_sql.h: {num:key} and {text:key} for an event's fields), so that the KPIs
// are computed the same on SQLite and PostgreSQL. Every statement reads one kind over one time
// range, `kind = '<kind>' AND time >= ?1 AND time < ?2` (the codebase size only `time < ?1`),
// so either database answers it from the (kind, time) index events_kind_time without touching
// other kinds or other times. Booleans are numbers, 1/0, so total(flag) counts the true ones.
// Kept apart from the engine so that a test can check each plan (EXPLAIN QUERY PLAN) without
// running the engine.
#pragma once

#include <array>
#include <string_view>

namespace agentmetrics::kpi::queries {

// count, successes, sum of durations, sum of successful durations, successes without human
// intervention, human interventions, [tasks reporting, sum] of ai_lines_generated, accepted
// lines of those, [tasks reporting, sum] of time_saved_seconds, sum of duration + time saved
// of those, [tasks reporting, sum] of prompts_sent among those that also report prompts_useful
// (a session of the agents' telemetry counts its prompts and does not judge them), the
// prompts_useful of those, [tasks reporting, sum] of cost_usd, successes among those, tasks
// reporting any token count, sums of tokens_input, tokens_output, tokens_cache_read and
// tokens_cache_creation, tasks reporting edits_accepted or edits_rejected, sums of those two.
inline constexpr std::string_view kTasks = R"sql(
SELECT count(*), total(ok), total(dur), total(ok * dur),
       total(ok * (1 - coalesce(hi, 0))), total(coalesce(hi, 0)),
       count(gen), total(gen), total(CASE WHEN gen IS NOT NULL THEN coalesce(acc, 0) END),
       count(saved), total(saved), total(CASE WHEN saved IS NOT NULL THEN dur + saved END),
       count(CASE WHEN useful IS NOT NULL THEN sent END), total(CASE WHEN useful IS NOT NULL THEN sent END),
       total(CASE WHEN sent IS NOT NULL THEN useful END),
       count(cost), total(cost), total(CASE WHEN cost IS NOT NULL THEN ok END),
       count(coalesce(tin, tout, tcr, tcc)), total(tin), total(tout), total(tcr), total(tcc),
       count(coalesce(ea, er)), total(ea), total(er)
FROM (SELECT {num:success} AS ok,
             {num:duration_seconds} AS dur,
             {num:human_intervention} AS hi,
             {num:ai_lines_generated} AS gen,
             {num:ai_lines_accepted} AS acc,
             {num:time_saved_seconds} AS saved,
             {num:prompts_sent} AS sent,
             {num:prompts_useful} AS useful,
             {num:cost_usd} AS cost,
             {num:tokens_input} AS tin,
             {num:tokens_output} AS tout,
             {num:tokens_cache_read} AS tcr,
             {num:tokens_cache_creation} AS tcc,
             {num:edits_accepted} AS ea,
             {num:edits_rejected} AS er
      FROM events WHERE kind = 'task' AND time >= ?1 AND time < ?2) AS t)sql";

// Per agent_type: agent, tasks, successes.
inline constexpr std::string_view kTasksByAgent = R"sql(
SELECT {text:agent_type} AS agent, count(*), total({num:success})
FROM events WHERE kind = 'task' AND time >= ?1 AND time < ?2
GROUP BY agent)sql";

// Per UTC day, agent_type and model (the /ui page's and the HTML report's usage table): day
// ("YYYY-MM-DD"), agent, model, tasks, sums of tokens_input, tokens_output, tokens_cache_read,
// tokens_cache_creation, [tasks reporting, sum] of cost_usd: the fields kTasks sums, split.
inline constexpr std::string_view kTaskUsageByDay = R"sql(
SELECT {day:time} AS day, {text:agent_type} AS agent, {text:model} AS model,
       count(*), total({num:tokens_input}), total({num:tokens_output}),
       total({num:tokens_cache_read}), total({num:tokens_cache_creation}),
       count({num:cost_usd}), total({num:cost_usd})
FROM events WHERE kind = 'task' AND time >= ?1 AND time < ?2
GROUP BY day, agent, model ORDER BY day, agent, model)sql";

// runs, successes.
inline constexpr std::string_view kPipelines = R"sql(
SELECT count(*), total({num:success})
FROM events WHERE kind = 'pipeline' AND time >= ?1 AND time < ?2)sql";

// runs, sum of durations, tests, flaky tests (absent = 0).
inline constexpr std::string_view kTestRuns = R"sql(
SELECT count(*), total({num:duration_seconds}), total({num:tests}),
       total(coalesce({num:flaky}, 0))
FROM events WHERE kind = 'test_run' AND time >= ?1 AND time < ?2)sql";

// The latest coverage event's percent and the number of coverage events in the range; no row
// when there are none.
inline constexpr std::string_view kCoverage = R"sql(
SELECT {num:percent},
       (SELECT count(*) FROM events WHERE kind = 'coverage' AND time >= ?1 AND time < ?2)
FROM events WHERE kind = 'coverage' AND time >= ?1 AND time < ?2
ORDER BY time DESC, id DESC LIMIT 1)sql";

// The latest tech_debt event's remediation and development hours and the number of tech_debt
// events in the range; no row when there are none.
inline constexpr std::string_view kTechDebt = R"sql(
SELECT {num:remediation_hours}, {num:development_hours},
       (SELECT count(*) FROM events WHERE kind = 'tech_debt' AND time >= ?1 AND time < ?2)
FROM events WHERE kind = 'tech_debt' AND time >= ?1 AND time < ?2
ORDER BY time DESC, id DESC LIMIT 1)sql";

// deployments, successes, rollbacks, failed changes (deployments that failed or were
// rollbacks, each counted once).
inline constexpr std::string_view kDeployments = R"sql(
SELECT count(*), total(ok), total(coalesce(rb, 0)), total(CASE WHEN ok = 0 OR coalesce(rb, 0) <> 0 THEN 1 ELSE 0 END)
FROM (SELECT {num:success} AS ok, {num:rollback} AS rb
      FROM events WHERE kind = 'deployment' AND time >= ?1 AND time < ?2) AS t)sql";

// time - commit_time of each successful deployment with a commit_time.
inline constexpr std::string_view kLeadTimes = R"sql(
SELECT time - ct
FROM (SELECT time, {num:success} AS ok, {num:commit_time} AS ct
      FROM events WHERE kind = 'deployment' AND time >= ?1 AND time < ?2) AS t
WHERE ok <> 0 AND ct IS NOT NULL)sql";

// Every deployment in the range, by repository, environment and time: time, repository,
// environment, success, rollback.
inline constexpr std::string_view kDeploymentHistory = R"sql(
SELECT time, coalesce({text:repository}, '') AS repo, coalesce({text:environment}, '') AS env,
       coalesce({num:success}, 0), coalesce({num:rollback}, 0)
FROM events WHERE kind = 'deployment' AND time >= ?1 AND time < ?2
ORDER BY repo, env, time, id)sql";

// Bug events in the range, one per id (the latest; events without an id each count): bugs
// detected in the range, escaped ones of those, those with `introduced` and the sum of their
// (detected - introduced), bugs resolved in the range and the sum of their (resolved - detected).
inline constexpr std::string_view kBugs = R"sql(
SELECT count(CASE WHEN det >= ?1 AND det < ?2 THEN 1 END),
       count(CASE WHEN det >= ?1 AND det < ?2 AND esc <> 0 THEN 1 END),
       count(CASE WHEN det >= ?1 AND det < ?2 AND intro IS NOT NULL THEN 1 END),
       total(CASE WHEN det >= ?1 AND det < ?2 THEN det - intro END),
       count(CASE WHEN res >= ?1 AND res < ?2 AND det IS NOT NULL THEN 1 END),
       total(CASE WHEN res >= ?1 AND res < ?2 THEN res - det END)
FROM (SELECT {num:detected} AS det, {num:introduced} AS intro,
             {num:resolved} AS res, {num:escaped} AS esc,
             {text:id} AS bug,
             row_number() OVER (PARTITION BY {text:id} ORDER BY time DESC, id DESC) AS nth
      FROM events WHERE kind = 'bug' AND time >= ?1 AND time < ?2) AS t
WHERE bug IS NULL OR nth = 1)sql";

// The latest codebase_lines any bug event reported before ?1 (the window's end).
inline constexpr std::string_view kCodebaseLines = R"sql(
SELECT {num:codebase_lines}
FROM events WHERE kind = 'bug' AND time < ?1 AND {num:codebase_lines} IS NOT NULL
ORDER BY time DESC, id DESC LIMIT 1)sql";

// Pull-request events in the range, in the order they happened: id, opened, ready,
// first_review, merged, lines_changed (pull_request_states.h folds them per id).
inline constexpr std::string_view kPullRequestEvents = R"sql(
SELECT {text:id}, {num:opened}, {num:ready},
       {num:first_review}, {num:merged}, {num:lines_changed}
FROM events WHERE kind = 'pull_request' AND time >= ?1 AND time < ?2
ORDER BY time, id)sql";

// commits that report their lines, lines added + deleted of those (a commit from a forge's push
// event knows its files, not its lines).
inline constexpr std::string_view kCommits = R"sql(
SELECT count(lines), total(lines)
FROM (SELECT {num:lines_added} + {num:lines_deleted} AS lines
      FROM events WHERE kind = 'commit' AND time >= ?1 AND time < ?2) AS t)sql";

inline constexpr std::array kAll = {kTasks,    kTaskUsageByDay, kTasksByAgent,      kPipelines, kTestRuns,
                                    kCoverage, kTechDebt,       kDeployments,       kLeadTimes, kDeploymentHistory,
                                    kBugs,     kCodebaseLines,  kPullRequestEvents, kCommits};

}  // namespace agentmetrics::kpi::queries
