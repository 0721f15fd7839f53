#!/usr/bin/env bash
# The symbols libagentmetrics.so exports are exactly the documented API:
#  - the list equals tests/data/abi/libagentmetrics.symbols (a diff names what was added or lost);
#  - every am_* function declared in agentmetrics.h is exported, and nothing else named am_*.
#   check_exported_symbols.sh LIBRARY HEADER GOLDEN
set -euo pipefail
library=$1 header=$2 golden=$3

exported=$(nm -D --defined-only "$library" | awk '{print $3}' | c++filt | LC_ALL=C sort)
if ! diff -u "$golden" <(echo "$exported"); then
  echo "libagentmetrics.so exports other symbols than $golden lists (- expected, + exported)." >&2
  echo "An addition belongs in agent/libagentmetrics.map and the golden list together." >&2
  exit 1
fi
declared=$(grep -o '\bam_[a-z0-9_]*(' "$header" | tr -d '(' | LC_ALL=C sort -u)
exported_c=$(echo "$exported" | grep '^am_' | sed 's/@.*//' | LC_ALL=C sort -u)
if [ "$declared" != "$exported_c" ]; then
  diff -u <(echo "$declared") <(echo "$exported_c") >&2 || true
  echo "the am_* functions exported differ from those agentmetrics.h declares (- declared, + exported)" >&2
  exit 1
fi
echo "libagentmetrics.so exports the $(echo "$exported" | wc -l) symbols of the documented API"
