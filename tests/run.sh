#!/bin/bash
# Runs the unit test binaries given as arguments, then every tests/integration/test_*.sh,
# and prints one closing line with the totals. Exit status 1 if anything failed.
# TESTS=pattern limits the integration scripts to names matching the pattern, SKIP_TESTS=pattern
# leaves those out. Each script gets at most TEST_TIMEOUT seconds (default 900): a hung test
# fails instead of stalling the run.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
passed=0 failed=0 broken=()
count() { # adds the last "N passed, N failed" line of a log to the totals
  local line p f
  # Only the counts: a greedy `.*` before them would keep the last digit of "397 passed".
  line=$(grep -oE '[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
  p=${line%% passed*}
  f=${line#*passed, }; f=${f%% failed*}
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
}
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# The tests make simulated /dev/nvidia* nodes only for their own run, under the plugin-socket
# lock (tests/lib/common.sh t_lock); one that leaves any behind changes what later tests see (the
# wrapper reads /dev/nvidia* for confinement): it fails by name and its nodes go. Skipped while
# another suite's test holds the lock (its nodes are its own).
nodes() {
  (flock -n 9 || { echo busy; exit 0; }; ls -d /dev/nvidia* 2>/dev/null | tr '\n' ' ') 9>/tmp/nvd-plugin-socket.lock
}
for t in "$@"; do
  echo "== $t"
  if ! "$t" >"$log" 2>&1; then broken+=("$t"); fi
  cat "$log"; count "$log"
done
for t in tests/integration/test_*.sh; do
  [ -e "$t" ] || continue
  [[ -n "${TESTS:-}" && ! "$t" =~ ${TESTS} ]] && continue
  [[ -n "${SKIP_TESTS:-}" && "$t" =~ ${SKIP_TESTS} ]] && continue
  echo "== $t"
  nodes_before=$(nodes)
  started=$SECONDS
  timeout -k 10 "${TEST_TIMEOUT:-900}" bash "$t" >"$log" 2>&1
  rc=$?
  nodes_after=$(nodes)
  if [ "$nodes_before" != busy ] && [ "$nodes_after" != busy ] && [ "$nodes_before" != "$nodes_after" ]; then
    echo "($t changed /dev: before [$nodes_before], after [$nodes_after]; the nodes it added are removed)" >>"$log"
    (flock -n 9 || exit 0
      for n in $nodes_after; do
        case " $nodes_before " in *" $n "*) continue ;; esac
        [ -c "$n" ] && case $(stat -c %t "$n") in c3 | ee) rm -f "$n" ;; esac # NVIDIA's majors 195, 238
      done) 9>/tmp/nvd-plugin-socket.lock
    rc=1
  fi
  [ "$rc" = 124 ] && echo "($t timed out after ${TEST_TIMEOUT:-900} s)" >>"$log"
  [ "$rc" != 0 ] && broken+=("$t")
  cat "$log"; count "$log"
  echo "# $t: $((SECONDS - started)) s"
  grep -qE '[0-9]+ passed, [0-9]+ failed' "$log" || { echo "($t printed no result line)"; failed=$((failed + 1)); }
done
if [ ${#broken[@]} -gt 0 ]; then
  echo "failing: ${broken[*]}"
  [ "$failed" -eq 0 ] && failed=${#broken[@]}
fi
echo "total: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#broken[@]} -eq 0 ]
