#!/bin/bash
# Runs every bench/bench_*.sh; each prints its own figures (medians, ratios).
set -u
cd "$(dirname "$0")/.."
status=0
for b in bench/bench_*.sh; do
  [ -e "$b" ] || continue
  echo "== $b"
  bash "$b" || status=1
done
exit $status
