#!/bin/bash
# Runs each libFuzzer binary for the given number of seconds on its seed corpus
# (tests/fuzz/corpus/<name>/, copied so that the tree is not written to), FUZZ_JOBS at a time
# (default: the number of CPUs; each target still gets its whole time).
# Usage: tests/fuzz/run.sh SECONDS BINARY...
set -u
seconds=$1; shift
root=$(cd "$(dirname "$0")/../.." && pwd)
jobs=${FUZZ_JOBS:-$(nproc)}
results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

# fuzz_one BINARY: runs it; leaves its report in $results/<name>.log and "ok" or "failed" in
# $results/<name>.status.
fuzz_one() {
  local bin=$1 name work
  name=$(basename "$bin")
  work=$(mktemp -d)
  [ -d "$root/tests/fuzz/corpus/$name" ] && cp -r "$root/tests/fuzz/corpus/$name/." "$work/"
  if "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$root/build/fuzz/$name-" "$work" >"$work.log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^Done' "$work.log" >"$results/$name.log"
    echo ok >"$results/$name.status"
  else
    tail -n 60 "$work.log" >"$results/$name.log"
    echo failed >"$results/$name.status"
  fi
  rm -rf "$work" "$work.log"
}

running=0
for bin in "$@"; do
  if [ "$running" -ge "$jobs" ]; then wait -n; running=$((running - 1)); fi
  fuzz_one "$bin" &
  running=$((running + 1))
done
wait

passed=0 failed=0
for bin in "$@"; do
  name=$(basename "$bin")
  echo "== fuzz $name for ${seconds}s"
  cat "$results/$name.log" 2>/dev/null
  if [ "$(cat "$results/$name.status" 2>/dev/null)" = ok ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
