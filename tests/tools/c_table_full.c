/* A foreign client filling its string table, as a program with one series per user or per file
 * would: it declares am_c_table_total{value="0"}, {value="1"}, ... through the C ABI until a
 * declaration fails. It must fail with AM_STRING_TABLE_FULL and a message saying so, the series
 * declared before must still record, and a refused one stays refused. Prints how many series it
 * declared; exits non-zero, naming the check, when one fails. Run with a small
 * AGENTMETRICS_STRING_TABLE_BYTES so the table fills quickly. */
#include <agentmetrics/agentmetrics.h>
#include <stdio.h>
#include <string.h>

int main(void) {
  const char* names[] = {"value"};
  am_counter* first = NULL;
  am_counter* counter = NULL;
  char value[32];
  const char* values[] = {value};
  am_status status = AM_OK;
  int declared = 0;
  for (; declared < 1000000; ++declared) {
    snprintf(value, sizeof(value), "%d", declared);
    status = am_counter_get("am_c_table_total", "One series per value", names, values, 1, &counter);
    if (status != AM_OK) break;
    if (declared == 0) first = counter;
    am_counter_inc(counter);
  }
  if (status != AM_STRING_TABLE_FULL) {
    fprintf(stderr, "after %d series: status %d, not AM_STRING_TABLE_FULL: %s\n", declared, (int)status, am_last_error_message());
    return 10;
  }
  if (strstr(am_last_error_message(), "string table") == NULL) {
    fprintf(stderr, "the message does not say why: %s\n", am_last_error_message());
    return 11;
  }
  /* The same series again: still refused, not half-declared. */
  if (am_counter_get("am_c_table_total", "One series per value", names, values, 1, &counter) != AM_STRING_TABLE_FULL) return 12;
  /* A series declared before the table filled goes on recording. */
  am_counter_add(first, 41);
  printf("%d\n", declared);
  return 0;
}
