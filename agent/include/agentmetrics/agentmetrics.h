/* agentmetrics client library, C ABI (libagentmetrics.so).
 *
 * For any language with an FFI (Python ctypes, Bun and Node FFI, Go cgo). Handles are opaque
 * and live for the life of the process; nothing is freed. No function throws or blocks, and
 * the record functions (am_counter_add, am_gauge_set, am_histogram_observe, ...) make no
 * system call and take no lock. Functions that can fail return an am_status; the text of the
 * last failure on this thread is am_last_error_message().
 */
#ifndef AGENTMETRICS_H
#define AGENTMETRICS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum am_status {
  AM_OK = 0,
  AM_INVALID_ARGUMENT = 1, /* bad name, label, bucket list, NULL pointer, or shape conflict */
  AM_INTERNAL = 2,         /* anything else (out of memory, ...) */
  AM_DROPPED = 3,          /* the event was not written: full ring or no segment (counted); a
                            * thread with bursts of millions of events wants larger rings:
                            * AGENTMETRICS_RING_EVENTS (1048575 by default) */
  AM_STRING_TABLE_FULL = 4 /* a new family or series did not fit the segment's string table:
                            * nothing is declared, the collector counts it in
                            * agentmetrics_producer_series_refused_total, and a larger table
                            * takes AGENTMETRICS_STRING_TABLE_BYTES */
} am_status;

typedef struct am_counter am_counter;
typedef struct am_gauge am_gauge;
typedef struct am_histogram am_histogram;
typedef struct am_task am_task;
typedef struct am_event am_event;

/* Resolve a series: a family name, help, label names and the values of this series (both
 * arrays of label_count strings, may be NULL when label_count is 0). */
am_status am_counter_get(const char* name, const char* help, const char* const* label_names, const char* const* label_values,
                         size_t label_count, am_counter** out);
am_status am_gauge_get(const char* name, const char* help, const char* const* label_names, const char* const* label_values,
                       size_t label_count, am_gauge** out);
/* buckets: strictly increasing finite upper bounds; +Inf is implied. */
am_status am_histogram_get(const char* name, const char* help, const char* const* label_names, const char* const* label_values,
                           size_t label_count, const double* buckets, size_t bucket_count, am_histogram** out);

void am_counter_inc(const am_counter* counter);
void am_counter_add(const am_counter* counter, double value);
void am_gauge_set(const am_gauge* gauge, double value);
void am_gauge_add(const am_gauge* gauge, double delta);
void am_histogram_observe(const am_histogram* histogram, double value);

/* A task timed from am_task_begin to am_task_end, recorded like the C++ agentmetrics::Task.
 * am_task_end frees the task; success is non-zero for a success. */
am_status am_task_begin(const char* agent_type, const char* task_type, const char* stage, am_task** out);
void am_task_end(am_task* task, int success);

/* Sets a field of the task's event from its text form (see am_event_parse): title, approach,
 * snippet, rule_ids, human_intervention, ai_lines_generated, ... */
am_status am_task_set(am_task* task, const char* field, const char* text);

/* Outcome events (docs/events.md): kind is task, pipeline, test_run, coverage, lint, deployment,
 * pull_request, bug, commit or tech_debt. Build one, set its fields, record it, free it. A field
 * the kind lacks, or a value of the wrong type or range, is AM_INVALID_ARGUMENT. Recording also
 * moves the matching catalogue metric. */
am_status am_event_new(const char* kind, am_event** out);
am_status am_event_set_text(am_event* event, const char* field, const char* value);
am_status am_event_set_number(am_event* event, const char* field, double value);
am_status am_event_set_bool(am_event* event, const char* field, int value);
/* Any field from its text form: "true"/"false", "42.5", a time as Unix seconds or
 * "2026-11-24T10:00:00Z". Handy from languages whose FFI passes strings most easily. */
am_status am_event_parse(am_event* event, const char* field, const char* text);
/* When it happened, in seconds since the Unix epoch (default: when am_event_new was called). */
am_status am_event_set_time(am_event* event, double unix_seconds);
/* AM_OK when the ring took it, AM_DROPPED when not, AM_INVALID_ARGUMENT when a required field
 * is missing. The event stays usable; recording it again writes a new event. */
am_status am_event_record(const am_event* event);
void am_event_free(am_event* event);

/* 1 when this process has a segment the collector can read, 0 otherwise. */
int am_connected(void);
/* Events this process dropped (full rings, no free ring, no segment). */
uint64_t am_dropped_events(void);
/* The last error of this thread, or of the segment creation; "" when none. The pointer stays
 * valid until the next am_* call on this thread. */
const char* am_last_error_message(void);
/* The library's version, "MAJOR.MINOR.PATCH". */
const char* am_version(void);

#ifdef __cplusplus
}
#endif

#endif /* AGENTMETRICS_H */
