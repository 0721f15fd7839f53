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
  AM_INTERNAL = 2          /* anything else (out of memory, ...) */
} am_status;

typedef struct am_counter am_counter;
typedef struct am_gauge am_gauge;
typedef struct am_histogram am_histogram;
typedef struct am_task am_task;

/* Resolve a series: a family name, help, label names and the values of this series (both
 * arrays of label_count strings, may be NULL when label_count is 0). */
am_status am_counter_get(const char* name, const char* help, const char* const* label_names,
                         const char* const* label_values, size_t label_count, am_counter** out);
am_status am_gauge_get(const char* name, const char* help, const char* const* label_names,
                       const char* const* label_values, size_t label_count, am_gauge** out);
/* buckets: strictly increasing finite upper bounds; +Inf is implied. */
am_status am_histogram_get(const char* name, const char* help, const char* const* label_names,
                           const char* const* label_values, size_t label_count,
                           const double* buckets, size_t bucket_count, am_histogram** out);

void am_counter_inc(const am_counter* counter);
void am_counter_add(const am_counter* counter, double value);
void am_gauge_set(const am_gauge* gauge, double value);
void am_gauge_add(const am_gauge* gauge, double delta);
void am_histogram_observe(const am_histogram* histogram, double value);

/* A task timed from am_task_begin to am_task_end, recorded like the C++ agentmetrics::Task.
 * am_task_end frees the task; success is non-zero for a success. */
am_status am_task_begin(const char* agent_type, const char* task_type, const char* stage,
                        am_task** out);
void am_task_end(am_task* task, int success);

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
