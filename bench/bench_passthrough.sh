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

# compare NAME WRAPPED_COMMAND BASELINE_COMMAND [BASELINE_NAME]: ROUNDS alternating hyperfine
# rounds (so that a change of load on a shared machine hits both), medians over all runs of
# each command.
# CPU time (user+sys, hyperfine's per-round means; median over rounds) is shown as well: it
# hardly moves with the load of other processes, wall time does.
compare() {
  local name=$1 r key
  key=$(tr -c 'a-zA-Z0-9\n' _ <<<"$name")
  for ((r = 0; r < ROUNDS; r++)); do
    NV_DOCKER=/bin/true hyperfine -N --warmup 20 --runs "$PER_ROUND" --style none \
      --export-json "$T_TMP/$key.$r.json" "$2" "$3" > /dev/null 2>&1 ||
      { echo "$name: hyperfine failed"; return 1; }
  done
  python3 - "$name" "${4:-/bin/true}" "$T_TMP/$key".*.json <<'EOF'
import json, statistics, sys
name, base_name, files = sys.argv[1], sys.argv[2], sys.argv[3:]
times, cpu = [[], []], [[], []]
for f in files:
    for i, result in enumerate(json.load(open(f))["results"]):
        times[i] += result["times"]
        cpu[i].append(result["user"] + result["system"])
ours, base = (statistics.median(t) * 1000 for t in times)
cpu_ours, cpu_base = (statistics.median(c) * 1000 for c in cpu)
print(f"{name}: median {ours:.2f} ms vs {base_name} {base:.2f} ms: "
      f"{ours - base:+.2f} ms (x{ours / base:.2f})  [{len(times[0])} runs each; "
      f"CPU time (user+sys) {cpu_ours:.2f} vs {cpu_base:.2f} ms: {cpu_ours - cpu_base:+.2f} ms]")
EOF
}

echo "(hyperfine -N, $ROUNDS alternating rounds of $PER_ROUND runs, NV_DOCKER=/bin/true;" \
  "$(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
compare "passthrough version" "$WRAPPER version" "/bin/true version"
compare "passthrough ps" "$WRAPPER ps -a" "/bin/true ps -a"
compare "passthrough of an unreadable run line" "$WRAPPER run --frob img" "/bin/true run --frob img"
# The floor of any exec-based wrapper: env(1), a small dynamically linked program, exec'ing
# /bin/true. What nvidia-docker costs beyond it is its own work (NV_DOCKER, the argv reader).
compare "passthrough ps against env(1) exec'ing /bin/true" "$WRAPPER ps -a" \
  "/usr/bin/env /bin/true ps -a" "env /bin/true"
