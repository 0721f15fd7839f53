/* A producer written in C against the shared library's C ABI, for the integration tests. It
 * records 5 increments of am_c_events_total{lang="c"}, observations 0.1 and 2 of am_c_latency,
 * a gauge set to 42, one successful task titled "c task", a failed pipeline run (stage c_stage,
 * failure_type c_failure, 12.5 s) and a coverage of 81.5 %; bad calls must fail with
 * AM_INVALID_ARGUMENT. */
#include <agentmetrics/agentmetrics.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  const char* names[] = {"lang"};
  const char* values[] = {"c"};
  const double buckets[] = {0.5, 1.0};
  am_counter* counter = NULL;
  am_gauge* gauge = NULL;
  am_histogram* histogram = NULL;
  am_task* task = NULL;
  if (am_counter_get("am_c_events_total", "C events", names, values, 1, &counter) != AM_OK) return 10;
  if (am_gauge_get("am_c_gauge", "C gauge", NULL, NULL, 0, &gauge) != AM_OK) return 11;
  if (am_histogram_get("am_c_latency", "C latency", names, values, 1, buckets, 2, &histogram) != AM_OK) return 12;
  if (am_counter_get("bad name", "x", NULL, NULL, 0, &counter) != AM_INVALID_ARGUMENT) return 13;
  if (strlen(am_last_error_message()) == 0) return 14;
  if (am_counter_get("am_c_other_total", "x", names, NULL, 1, &counter) != AM_INVALID_ARGUMENT) return 15;
  if (am_connected() != 1) return 16;
  for (int i = 0; i < 5; ++i) am_counter_inc(counter);
  am_histogram_observe(histogram, 0.1);
  am_histogram_observe(histogram, 2.0);
  am_gauge_set(gauge, 42);
  if (am_task_begin("c_agent", "c_task", "c_stage", &task) != AM_OK) return 17;
  if (am_task_set(task, "title", "c task") != AM_OK) return 18;
  if (am_task_set(task, "no_such_field", "x") != AM_INVALID_ARGUMENT) return 19;
  am_task_end(task, 1);

  am_event* event = NULL;
  if (am_event_new("no_such_event", &event) != AM_INVALID_ARGUMENT) return 20;
  if (am_event_new("pipeline", &event) != AM_OK) return 21;
  if (am_event_set_text(event, "stage", "c_stage") != AM_OK) return 22;
  if (am_event_set_bool(event, "success", 0) != AM_OK) return 23;
  if (am_event_record(event) != AM_INVALID_ARGUMENT) return 24; /* duration_seconds is required */
  if (am_event_set_number(event, "duration_seconds", -1) != AM_INVALID_ARGUMENT) return 25;
  if (am_event_set_number(event, "duration_seconds", 12.5) != AM_OK) return 26;
  if (am_event_set_number(event, "stage", 3) != AM_INVALID_ARGUMENT) return 27;
  if (am_event_parse(event, "failure_type", "c_failure") != AM_OK) return 28;
  if (am_event_record(event) != AM_OK) return 29;
  am_event_free(event);
  if (am_event_new("coverage", &event) != AM_OK) return 30;
  if (am_event_parse(event, "percent", "101") != AM_INVALID_ARGUMENT) return 31;
  if (am_event_parse(event, "percent", "81.5") != AM_OK) return 32;
  if (am_event_record(event) != AM_OK) return 33;
  am_event_free(event);
  printf("dropped=%llu version=%s\n", (unsigned long long)am_dropped_events(), am_version());
  return 0;
}
