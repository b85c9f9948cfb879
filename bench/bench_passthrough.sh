#!/bin/bash
# What nvidia-docker adds to a pass-through command: `nvidia-docker version`, `nvidia-docker ps`
# and an unreadable run line with NV_DOCKER=/bin/true, against /bin/true alone (whole
# processes, hyperfine -N, medians over >= 300 runs each). 1.0 added 16-20 ms here (a
# `docker version` query each time); the target is at most 1 ms.
. "$(dirname "$0")/../tests/lib/common.sh"

command -v hyperfine >/dev/null || { echo "hyperfine not installed (make deps)"; exit 1; }
WRAPPER=$NVD_BIN/nvidia-docker
ROUNDS=${BENCH_ROUNDS:-5}
PER_ROUND=${BENCH_RUNS_PER_ROUND:-60}

# compare NAME WRAPPED_COMMAND BASELINE_COMMAND: ROUNDS alternating hyperfine rounds (so that
# a change of load on a shared machine hits both), medians over all runs of each command.
compare() {
  local name=$1 r
  for ((r = 0; r < ROUNDS; r++)); do
    NV_DOCKER=/bin/true hyperfine -N --warmup 20 --runs "$PER_ROUND" --style none \
      --export-json "$T_TMP/$name.$r.json" "$2" "$3" > /dev/null 2>&1 ||
      { echo "$name: hyperfine failed"; return 1; }
  done
  python3 - "$name" "$T_TMP/$name".*.json <<'EOF'
import json, statistics, sys
name, files = sys.argv[1], sys.argv[2:]
times = [[], []]
for f in files:
    for i, result in enumerate(json.load(open(f))["results"]):
        times[i] += result["times"]
ours, base = (statistics.median(t) * 1000 for t in times)
print(f"{name}: median {ours:.2f} ms vs /bin/true {base:.2f} ms: "
      f"{ours - base:+.2f} ms (x{ours / base:.2f})  [{len(times[0])} runs each]")
EOF
}

echo "(hyperfine -N, $ROUNDS alternating rounds of $PER_ROUND runs, NV_DOCKER=/bin/true;" \
  "$(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
compare "passthrough version" "$WRAPPER version" "/bin/true version"
compare "passthrough ps" "$WRAPPER ps -a" "/bin/true ps -a"
compare "passthrough of an unreadable run line" "$WRAPPER run --frob img" "/bin/true run --frob img"
