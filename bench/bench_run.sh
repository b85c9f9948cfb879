#!/bin/bash
# Run-path overhead: `nvidia-docker run --rm IMAGE true` for a labelled image (Engine API over the
# socket + the plugin on loopback: gpu/info for the CUDA check and docker/cli) with
# NV_DOCKER=build/tools/recorder, against the recorder alone with the same words. Also a plain
# (unlabelled) image: one inspect, no plugin. hyperfine -N, medians over >= 200 runs.
# Target: overhead <= 10 ms for the labelled image.
. "$(dirname "$0")/../tests/lib/common.sh"
set -u
RUNS=${BENCH_RUNS:-300}
NVD=$NVD_BIN/nvidia-docker
REC=$NVD_BUILD/tools/recorder
FAKE=$NVD_BUILD/fakes/fake-plugin
command -v hyperfine >/dev/null || { echo "bench_run: hyperfine not installed"; exit 1; }
[ -x "$NVD" ] && [ -x "$REC" ] && [ -x "$FAKE" ] || { echo "bench_run: build first (make all check deps)"; exit 1; }
start_dockerd || exit 1

LABELLED=nvd-runpath-bench-labelled PLAIN=nvd-runpath-bench-plain
make_image "$LABELLED" -c 'LABEL com.nvidia.volumes.needed=nvidia_driver' -c 'LABEL com.nvidia.cuda.version=9.0.176'
make_image "$PLAIN" -c 'LABEL maintainer=nobody'

"$FAKE" --port-file "$T_TMP/port" --max-seconds 600 --gpus 2 >/dev/null 2>&1 &
t_cleanup "kill $!"
wait_for "fake plugin" test -s "$T_TMP/port" || exit 1
PORT=$(cat "$T_TMP/port")

export NV_DOCKER=$REC NVD_RECORD=/dev/null NV_HOST=http://127.0.0.1:$PORT
unset NV_GPU NV_DEBUG DOCKER_HOST NVIDIA_DISABLE_REQUIRE

# Sanity: the labelled run really adds the GPU options (the recorder prints to stdout here).
check=$(NVD_RECORD= "$NVD" run --rm "$LABELLED" true)
grep -q -- '--device=/dev/nvidia1' <<<"$check" || { echo "bench_run: no GPU options added:"; echo "$check"; exit 1; }

median() { # json file, index -> median in ms
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]; print("%.3f" % (r["median"]*1000))' "$1" "$2"
}
hyperfine -N --warmup 20 --runs "$RUNS" --export-json "$T_TMP/h.json" \
  -n recorder "$REC run --rm $LABELLED true" \
  -n labelled "$NVD run --rm $LABELLED true" \
  -n plain "$NVD run --rm $PLAIN true" >"$T_TMP/hyperfine.txt" 2>&1 || { cat "$T_TMP/hyperfine.txt"; exit 1; }
base=$(median "$T_TMP/h.json" 0)
lab=$(median "$T_TMP/h.json" 1)
plain=$(median "$T_TMP/h.json" 2)
python3 - "$base" "$lab" "$plain" "$RUNS" <<'PY'
import sys
base, lab, plain, runs = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
print(f"bench_run ({runs} runs each, medians):")
print(f"  recorder alone                      {base:8.3f} ms")
print(f"  nvidia-docker run, labelled image   {lab:8.3f} ms  overhead {lab-base:7.3f} ms  ratio {lab/base:5.2f}x  (target <= 10 ms: {'met' if lab-base <= 10 else 'NOT met'})")
print(f"  nvidia-docker run, plain image      {plain:8.3f} ms  overhead {plain-base:7.3f} ms  ratio {plain/base:5.2f}x")
PY
