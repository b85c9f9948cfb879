#!/bin/bash
# Runs each libFuzzer binary for the given number of seconds on its seed corpus
# (tests/fuzz/corpus/<name>/, copied so that the tree is not written to).
# Usage: tests/fuzz/run.sh SECONDS BINARY...
set -u
seconds=$1; shift
root=$(cd "$(dirname "$0")/../.." && pwd)
status=0 passed=0 failed=0
for bin in "$@"; do
  name=$(basename "$bin")
  work=$(mktemp -d)
  [ -d "$root/tests/fuzz/corpus/$name" ] && cp -r "$root/tests/fuzz/corpus/$name/." "$work/"
  echo "== fuzz $name for ${seconds}s"
  if "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$root/build/fuzz/$name-" "$work" >"$work.log" 2>&1; then
    passed=$((passed + 1)); grep -E '^stat::number_of_executed_units|^Done' "$work.log"
  else
    failed=$((failed + 1)); status=1; tail -n 60 "$work.log"
  fi
  rm -rf "$work" "$work.log"
done
echo "fuzz: $passed passed, $failed failed"
exit $status
