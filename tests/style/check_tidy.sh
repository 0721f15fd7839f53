#!/bin/sh
# Every C++ file the build compiles passes .clang-tidy's checks (their warnings are errors).
# It reads BUILD/compile_commands.json, so it runs after a build. The whole tree takes over
# half an hour on two cores, so before a commit it runs on what changed (--since). Headers are
# checked through the files that include them: with --since, a changed header brings in the
# source file of the same name.
# Usage: check_tidy.sh REPO BUILD [FILE-REGEX]   (a regex of paths under REPO, e.g. 'collector/kpi/.*')
#        check_tidy.sh REPO BUILD --since REV    (the C and C++ files changed since git revision REV)
set -eu
repo=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
if [ "${3:-}" = --since ]; then
  changed=$(git -C "$repo" diff --name-only --diff-filter=d "${4:?--since needs a revision}" -- '*.cpp' '*.cc' '*.c' '*.h' |
    sed -E 's/\.h$/.cpp/' | sort -u | while read -r f; do [ -f "$repo/$f" ] && printf '%s\n' "$f"; done | sed 's/[.+]/\\&/g' | paste -sd'|')
  if [ -z "$changed" ]; then
    echo "check_tidy: no C or C++ source changed since $4"
    exit 0
  fi
  files="$repo/($changed)$"
else
  files="$repo/${3:-(agent|ipc|collector|tests|bench)/}"
fi
if [ ! -f "$build/compile_commands.json" ]; then
  echo "check_tidy: no $build/compile_commands.json; configure the build first (cmake -S $repo -B $build)"
  exit 2
fi
jobs=$(nproc)
log=$(mktemp)
# The test targets' precompiled header is GCC's, which clang cannot read: each file is checked
# with the includes it makes itself, which is also how it must compile. A unity build (the
# default) compiles a target's sources through generated files that include them: each source
# is checked with its unity file's command.
commands=$(mktemp -d)
python3 - "$build/compile_commands.json" "$commands/compile_commands.json" <<'PY'
import json, re, sys
entries = []
for e in json.load(open(sys.argv[1])):
    e["command"] = re.sub(r' -Winvalid-pch -include [^ "]*/cmake_pch\.hxx', "", e["command"])
    if not re.search(r"/Unity/unity_[0-9]+_(c|cxx)\.(c|cxx)$", e["file"]):
        entries.append(e)
        continue
    for source in re.findall(r'^#include "([^"]+)"$', open(e["file"]).read(), re.M):
        entries.append(dict(e, file=source, command=e["command"].replace(e["file"], source)))
json.dump(entries, open(sys.argv[2], "w"))
PY
trap 'rm -rf "$commands"' EXIT
# GCC's own warning options in the compile commands are unknown to clang.
if run-clang-tidy -quiet -j "$jobs" -p "$commands" -extra-arg=-Wno-unknown-warning-option "$files" >"$log" 2>&1; then
  checked=$(grep -c '^clang-tidy' "$log" || true)
  rm -f "$log"
  if [ "$checked" = 0 ]; then
    echo "check_tidy: no compiled file matches $files"
    exit 2
  fi
  echo "check_tidy: $checked files pass .clang-tidy"
  exit 0
fi
sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E 'error:|warning:' | grep -v 'warnings generated' | sort -u | head -60
echo "check_tidy: the files above do not pass .clang-tidy (full output: $log)"
exit 1
