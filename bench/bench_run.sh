#!/bin/bash
# Run-path overhead: `nvidia-docker run --rm IMAGE true` with NV_DOCKER=build/tools/recorder
# against the recorder alone with the same words (hyperfine -N, alternating rounds so that a
# change of load on a shared machine hits both, medians over >= 200 runs each):
#   - labelled image: Engine API over the socket, the (fake) plugin on loopback asked twice
#     (gpu/info for the CUDA check, docker/cli), GPU options added. Target: <= 10 ms overhead.
#   - plain image: one inspect over the socket, no plugin.
# Wall times on a shared 2-CPU machine move with its load, so the instructions each process
# executes before its exec (callgrind, deterministic) are printed too.
# Also the floor that is not ours: loading the run module with libcurl, jansson, libssh2 and
# their ~30 dependencies (build/tools/load_module, RTLD_NOW as the front end does, RTLD_LAZY
# for comparison, and with curl_global_init).
. "$(dirname "$0")/../tests/lib/common.sh"
. "$(dirname "$0")/lib.sh"
set -u
export BENCH_ROUNDS=${BENCH_ROUNDS:-10} BENCH_RUNS_PER_ROUND=${BENCH_RUNS_PER_ROUND:-30}
ROUNDS=$BENCH_ROUNDS PER_ROUND=$BENCH_RUNS_PER_ROUND
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

echo "bench_run (hyperfine -N, $ROUNDS alternating rounds of $PER_ROUND runs; $(nproc) CPUs," \
  "load $(cut -d' ' -f1 /proc/loadavg)); baseline = the recorder alone, same words"
bench_compare "run, labelled image (target <= 10 ms)" "$NVD run --rm $LABELLED true" "$REC run --rm $LABELLED true" recorder
bench_compare "run, plain image" "$NVD run --rm $PLAIN true" "$REC run --rm $PLAIN true" recorder
# The same against the real nvidia-docker-plugin (fake NVML, nodes under a scratch /dev), when
# it is built: its own socket directory, so no machine-global state is touched.
if [ -x "$NVD_BIN/nvidia-docker-plugin" ] && [ -e "$NVD_BUILD/fakes/libnvidia-ml.so.1" ]; then
  . "$NVD_ROOT/tests/fakes/fake_env.sh"
  mkdir -p "$T_TMP/dev" "$T_TMP/sockets" "$T_TMP/root"
  fake_node "$T_TMP/dev/nvidiactl" 195 255; fake_node "$T_TMP/dev/nvidia-uvm" 238 0
  fake_node "$T_TMP/dev/nvidia-uvm-tools" 238 1; fake_node "$T_TMP/dev/nvidia0" 195 0
  fake_node "$T_TMP/dev/nvidia3" 195 3
  RPORT=$(free_port)
  LD_LIBRARY_PATH=$NVD_BUILD/fakes FAKE_NVML_CONFIG=$NVD_ROOT/tests/fakes/gpus-h200.json \
    NVD_DEV_ROOT=$T_TMP/dev "$NVD_BIN/nvidia-docker-plugin" -s "$T_TMP/sockets" \
    -l "127.0.0.1:$RPORT" -d "$T_TMP/vols" -r "$T_TMP/root" -cdi= >/dev/null 2>&1 &
  t_cleanup "kill $!"
  if wait_for "nvidia-docker-plugin" curl -sf "http://127.0.0.1:$RPORT/v1.0/gpu/info/json" &&
     NVD_RECORD= NV_HOST=http://127.0.0.1:$RPORT "$NVD" run --rm "$LABELLED" true | grep -q /dev/nvidia3; then
    NV_HOST=http://127.0.0.1:$RPORT bench_compare "run, labelled, real plugin (fake NVML)" \
      "$NVD run --rm $LABELLED true" "$REC run --rm $LABELLED true" recorder
  fi
fi
echo "floor that is not ours (process that only loads the module), vs the recorder:"
bench_compare "load module, RTLD_NOW" "$LOAD $MODULE now" "$REC" recorder
bench_compare "load module, RTLD_NOW + curl_global_init" "$LOAD $MODULE now init" "$REC" recorder
bench_compare "load module, RTLD_LAZY" "$LOAD $MODULE lazy" "$REC" recorder

if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
  echo "instructions executed before the exec (callgrind; load-independent):"
  echo "  run, labelled image                    $(instructions "$NVD" run --rm "$LABELLED" true)"
  echo "  run, plain image                       $(instructions "$NVD" run --rm "$PLAIN" true)"
  echo "  load module (RTLD_NOW)                 $(instructions "$LOAD" "$MODULE" now)"
  echo "  load module + curl_global_init         $(instructions "$LOAD" "$MODULE" now init)"
  echo "  recorder alone                         $(instructions "$REC" run --rm "$PLAIN" true)"
fi
