/* Input for the SARIF tests: flawfinder 2.0.19 finds 3 errors (strcpy, printf, system),
   1 warning (getenv) and 3 notes (char array, strlen, atoi) here. Never built. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  char name[32];
  const char *home = getenv("HOME");
  if (argc < 2 || home == NULL) return 1;
  strcpy(name, argv[1]);
  printf(argv[1]);
  system(argv[1]);
  return (int)strlen(name) + atoi(home);
}
