#!/bin/sh
# Every C and C++ file of the tree is as .clang-format writes it. The samples in tests/data are
# inputs whose line numbers tests read, so they are left as they are.
# Usage: check_format.sh REPO [--fix]
set -eu
repo=$1
cd "$repo"
files=$(git ls-files '*.c' '*.cpp' '*.h' '*.hpp' | grep -v '^tests/data/')
if [ "${2:-}" = "--fix" ]; then
  echo "$files" | xargs clang-format -i
  exit 0
fi
if ! echo "$files" | xargs clang-format --dry-run --Werror 2>/tmp/check_format.$$; then
  grep 'error:' /tmp/check_format.$$ | sed 's/:[0-9]*:[0-9]*: error:.*//' | sort -u | head -40
  echo "check_format: these files differ from .clang-format; run tests/style/check_format.sh . --fix"
  rm -f /tmp/check_format.$$
  exit 1
fi
rm -f /tmp/check_format.$$
echo "check_format: $(echo "$files" | wc -l) files as .clang-format writes them"
