#!/bin/bash
# Run-path overhead: `nvidia-docker run --rm IMAGE true` with NV_DOCKER=build/tools/recorder
# against the recorder alone with the same words (hyperfine -N, alternating rounds so that a
# change of load on a shared machine hits both, medians over >= 200 runs each):
#   - labelled image: Engine API over the socket, the (fake) plugin on loopback asked twice
#     (gpu/info for the CUDA check, docker/cli), GPU options added. Target: <= 10 ms overhead.
#   - plain image: one inspect over the socket, no plugin.
# Also the floor that is not ours: loading the run module with libcurl, jansson, libssh2 and
# their ~30 dependencies (build/tools/load_module, RTLD_NOW as the front end does, RTLD_LAZY
# for comparison, and with curl_global_init).
. "$(dirname "$0")/../tests/lib/common.sh"
set -u
ROUNDS=${BENCH_ROUNDS:-5}
PER_ROUND=${BENCH_RUNS_PER_ROUND:-60}
NVD=$NVD_BIN/nvidia-docker
REC=$NVD_BUILD/tools/recorder
LOAD=$NVD_BUILD/tools/load_module
FAKE=$NVD_BUILD/fakes/fake-plugin
MODULE=$(cd "$NVD_BIN/.." && pwd)/lib/nvidia-docker/nvidia-docker-run.so
[ -e "$MODULE" ] || MODULE=$NVD_ROOT/lib/nvidia-docker/nvidia-docker-run.so
command -v hyperfine >/dev/null || { echo "bench_run: hyperfine not installed (make deps)"; exit 1; }
for f in "$NVD" "$REC" "$LOAD" "$FAKE"; do
  [ -x "$f" ] || { echo "bench_run: $f missing (make all, and make check's helpers)"; exit 1; }
done
start_dockerd || exit 1

LABELLED=nvd-runpath-bench-labelled PLAIN=nvd-runpath-bench-plain
make_image "$LABELLED" -c 'LABEL com.nvidia.volumes.needed=nvidia_driver' -c 'LABEL com.nvidia.cuda.version=9.0.176'
make_image "$PLAIN" -c 'LABEL maintainer=nobody'

"$FAKE" --port-file "$T_TMP/port" --max-seconds 900 --gpus 2 >/dev/null 2>&1 &
t_cleanup "kill $!"
wait_for "fake plugin" test -s "$T_TMP/port" || exit 1
PORT=$(cat "$T_TMP/port")

export NV_DOCKER=$REC NVD_RECORD=/dev/null NV_HOST=http://127.0.0.1:$PORT
unset NV_GPU NV_DEBUG DOCKER_HOST DOCKER_CONTEXT NVIDIA_DISABLE_REQUIRE

# Sanity: the labelled run really adds the GPU options, the plain one does not.
check=$(NVD_RECORD= "$NVD" run --rm "$LABELLED" true)
grep -q -- '--device=/dev/nvidia1' <<<"$check" || { echo "bench_run: no GPU options added:"; echo "$check"; exit 1; }
check=$(NVD_RECORD= "$NVD" run --rm "$PLAIN" true)
grep -q -- '--device' <<<"$check" && { echo "bench_run: GPU options on a plain image"; exit 1; }

# compare NAME COMMAND BASELINE
compare() {
  local name=$1 r
  for ((r = 0; r < ROUNDS; r++)); do
    hyperfine -N --warmup 10 --runs "$PER_ROUND" --style none \
      --export-json "$T_TMP/$name.$r.json" "$2" "$3" >/dev/null 2>&1 ||
      { echo "$name: hyperfine failed"; return 1; }
  done
  python3 - "$name" "$T_TMP/$name".*.json <<'PY'
import json, statistics, sys
name, files = sys.argv[1], sys.argv[2:]
times = [[], []]
for f in files:
    for i, result in enumerate(json.load(open(f))["results"]):
        times[i] += result["times"]
ours, base = (statistics.median(t) * 1000 for t in times)
print(f"  {name:<38} median {ours:6.2f} ms vs {base:5.2f} ms: overhead {ours - base:+6.2f} ms "
      f"(x{ours / base:.1f})  [{len(times[0])} runs each]")
PY
}

echo "bench_run (hyperfine -N, $ROUNDS alternating rounds of $PER_ROUND runs; $(nproc) CPUs," \
  "load $(cut -d' ' -f1 /proc/loadavg)); baseline = the recorder alone, same words"
compare "run, labelled image (target <= 10 ms)" "$NVD run --rm $LABELLED true" "$REC run --rm $LABELLED true"
compare "run, plain image" "$NVD run --rm $PLAIN true" "$REC run --rm $PLAIN true"
echo "floor that is not ours (process that only loads the module), vs the recorder:"
compare "load module, RTLD_NOW" "$LOAD $MODULE now" "$REC"
compare "load module, RTLD_NOW + curl_global_init" "$LOAD $MODULE now init" "$REC"
compare "load module, RTLD_LAZY" "$LOAD $MODULE lazy" "$REC"
