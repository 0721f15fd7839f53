/* A producer written in C against the shared library's C ABI, for the integration tests. It
 * records 5 increments of am_c_events_total{lang="c"}, observations 0.1 and 2 of am_c_latency,
 * a gauge set to 42, and one successful task; bad calls must fail with AM_INVALID_ARGUMENT. */
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
  am_task_end(task, 1);
  printf("dropped=%llu version=%s\n", (unsigned long long)am_dropped_events(), am_version());
  return 0;
}
