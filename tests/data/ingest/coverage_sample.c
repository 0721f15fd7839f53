/* Input for the coverage tests: run without arguments it executes 9 of its 14 instrumented
   lines (gcov: "Lines executed:64.29% of 14"). */
#include <stdio.h>

static int square(int x) {
  return x * x;
}

static int never_called(int x) {
  int y = x + 1;
  return y * 2;
}

int main(int argc, char **argv) {
  (void)argv;
  int total = 0;
  for (int i = 0; i < 3; ++i) {
    total += square(i);
  }
  if (argc > 5) {
    total = never_called(total);
    printf("many\n");
  }
  printf("%d\n", total);
  return 0;
}
