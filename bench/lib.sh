# Shared by the bench/bench_*.sh scripts (source it after tests/lib/common.sh).
#
# bench_compare NAME COMMAND BASELINE [BASELINE_NAME]: BENCH_ROUNDS alternating hyperfine -N
# rounds of BENCH_RUNS_PER_ROUND runs each (so that a change of load on a shared machine hits
# both commands alike), then one line with the medians over all runs, the overhead and the
# ratio. CPU time (user+sys, hyperfine's per-round means; median over rounds) is shown too: it
# hardly moves with the load of other processes, wall time does.
bench_compare() {
  local name=$1 ours=$2 base=$3 label=${4:-baseline} r key
  key=$(tr -c 'a-zA-Z0-9\n' _ <<<"$name")
  for ((r = 0; r < ${BENCH_ROUNDS:-5}; r++)); do
    hyperfine -N --warmup "${BENCH_WARMUP:-10}" --runs "${BENCH_RUNS_PER_ROUND:-60}" --style none \
      --export-json "$T_TMP/$key.$r.json" "$ours" "$base" >/dev/null 2>&1 ||
      { echo "$name: hyperfine failed"; return 1; }
  done
  python3 - "$name" "$label" "$T_TMP/$key".*.json <<'PY'
import json, statistics, sys
name, label, files = sys.argv[1], sys.argv[2], sys.argv[3:]
times, cpu = [[], []], [[], []]
for f in files:
    for i, result in enumerate(json.load(open(f))["results"]):
        times[i] += result["times"]
        cpu[i].append(result["user"] + result["system"])
ours, base = (statistics.median(t) * 1000 for t in times)
cpu_ours, cpu_base = (statistics.median(c) * 1000 for c in cpu)
print(f"  {name:<44} median {ours:6.2f} ms vs {label} {base:5.2f} ms: {ours - base:+6.2f} ms "
      f"(x{ours / base:.2f}); CPU {cpu_ours:5.2f} vs {cpu_base:4.2f} ms  [{len(times[0])} runs each]")
PY
}

# instructions COMMAND...: instructions executed up to the exec (or the exit), from callgrind
# (valgrind runs the dynamic loader too, so relocations count): "1.23 M", or "?".
instructions() {
  rm -f "$T_TMP"/cg.*
  valgrind --tool=callgrind --dump-before=execvp --callgrind-out-file="$T_TMP/cg.%p" "$@" \
    >/dev/null 2>&1 || { echo "?"; return; }
  local biggest
  biggest=$(ls -S "$T_TMP"/cg.* | head -n 1)
  callgrind_annotate "$biggest" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); printf "%.3f M\n", $1 / 1e6}'
}
