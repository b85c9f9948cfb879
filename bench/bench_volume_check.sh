#!/bin/bash
# What the Docker-side check costs (src/nvidia-docker/volume_plugin.h): `nvidia-docker run --rm
# IMAGE true` of a labelled image with the local plugin (the check runs: the engine's peer,
# /proc/PID/root, a stat and a connect to /run/docker/plugins/nvidia-docker.sock) against the
# same run with NV_HOST naming the same plugin (the check is skipped), and both against the
# recorder alone. In private mount and network namespaces: an engine of its own, the real
# nvidia-docker-plugin (FAKE NVML, FAKE driver root) on 127.0.0.1:3476 and /run/docker/plugins
# there. docker is build/tools/recorder. hyperfine -N, alternating rounds, medians; callgrind
# instruction counts (load-independent) too.
. "$(dirname "$0")/../tests/lib/common.sh"
. "$(dirname "$0")/lib.sh"
set -u
if [ "${1:-}" != --inside ]; then
  [ "$(id -u)" = 0 ] || { echo "bench_volume_check: skipped: needs root (namespaces, dockerd)"; exit 0; }
  for x in "$NVD_BIN/nvidia-docker" "$NVD_BIN/nvidia-docker-plugin" "$NVD_BUILD/tools/recorder" \
           "$NVD_BUILD/fakes/libnvidia-ml.so.1"; do
    [ -e "$x" ] || { echo "bench_volume_check: skipped: $x missing (make all check)"; exit 0; }
  done
  command -v hyperfine >/dev/null && command -v dockerd >/dev/null ||
    { echo "bench_volume_check: skipped: hyperfine or dockerd missing"; exit 0; }
  [ -d /run/docker/plugins ] || mkdir -p /run/docker/plugins
  rm -rf "$T_TMP"; trap - EXIT
  exec unshare --mount --net --propagation private bash "$0" --inside
fi
export BENCH_ROUNDS=${BENCH_ROUNDS:-10} BENCH_RUNS_PER_ROUND=${BENCH_RUNS_PER_ROUND:-30}
ip link set lo up
W=$T_TMP/w
mkdir -p "$W/plugins" "$W/dev" "$W/vols"
mount --bind "$W/plugins" /run/docker/plugins
export DOCKER_HOST=unix://$W/docker.sock
dockerd -H "$DOCKER_HOST" --data-root "$W/data" --exec-root "$W/exec" --pidfile "$W/docker.pid" \
  --bridge=none --iptables=false --ip-masq=false --containerd-namespace "nvd-bench-$$" \
  --containerd-plugins-namespace "nvd-bench-plugins-$$" >"$W/dockerd.log" 2>&1 </dev/null &
t_cleanup "kill $!; wait $!"
wait_for "the engine" docker version || { echo "bench_volume_check: dockerd did not start"; exit 1; }
IMG=nvd-bench-check-labelled
make_image "$IMG" -c 'LABEL com.nvidia.volumes.needed=nvidia_driver'
bash "$NVD_ROOT/tests/fakes/make-driver-root.sh" "$W/root" 375.39 >"$W/root.log" 2>&1 || exit 1
. "$NVD_ROOT/tests/fakes/fake_env.sh"
for n in nvidiactl:195:255 nvidia-uvm:238:0 nvidia-uvm-tools:238:1 nvidia0:195:0 nvidia1:195:1 nvidia2:195:2; do
  IFS=: read -r name major minor <<<"$n"; fake_node "$W/dev/$name" "$major" "$minor"
done
LD_LIBRARY_PATH="$NVD_BUILD/fakes" FAKE_NVML_CONFIG="$NVD_ROOT/tests/fakes/gpus-3.json" \
  NVD_DEV_ROOT="$W/dev" "$NVD_BIN/nvidia-docker-plugin" -s /run/docker/plugins -l 127.0.0.1:3476 \
  -d "$W/vols" -r "$W/root" >"$W/plugin.log" 2>&1 &
t_cleanup "kill $!"
wait_for "the plugin" test -S /run/docker/plugins/nvidia-docker.sock || exit 1

NVD=$NVD_BIN/nvidia-docker REC=$NVD_BUILD/tools/recorder
export NV_DOCKER=$REC NVD_RECORD=/dev/null
unset NV_GPU NV_DEBUG NV_HOST DOCKER_CONTEXT NVIDIA_DISABLE_REQUIRE
check=$(NV_DEBUG=1 "$NVD" run --rm "$IMG" true 2>&1)
grep -q "Debug: volume plugin: /run/docker/plugins/nvidia-docker.sock answers" <<<"$check" ||
  { echo "bench_volume_check: the check did not run:"; echo "$check"; exit 1; }
check=$(NV_DEBUG=1 NV_HOST=http://127.0.0.1:3476 "$NVD" run --rm "$IMG" true 2>&1)
grep -q "Debug: volume plugin: not checked" <<<"$check" || { echo "bench_volume_check: NV_HOST did not skip it"; exit 1; }

echo "bench_volume_check (hyperfine -N, $BENCH_ROUNDS alternating rounds of $BENCH_RUNS_PER_ROUND runs;" \
  "$(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
# Both through env(1), which only sets NV_HOST: empty (unset for the wrapper) or the plugin.
bench_compare "run, labelled: check vs no check (NV_HOST)" "env NV_HOST= $NVD run --rm $IMG true" \
  "env NV_HOST=http://127.0.0.1:3476 $NVD run --rm $IMG true" "no check"
bench_compare "run, labelled, with the check" "$NVD run --rm $IMG true" "$REC run --rm $IMG true" recorder
instructions() {
  rm -f "$T_TMP"/cg.*
  valgrind --tool=callgrind --dump-before=execvp --callgrind-out-file="$T_TMP/cg.%p" "$@" \
    >/dev/null 2>&1 || { echo "?"; return; }
  callgrind_annotate "$(ls -S "$T_TMP"/cg.* | head -n 1)" 2>/dev/null |
    awk '/PROGRAM TOTALS/ {gsub(",", "", $1); printf "%.2f M\n", $1 / 1e6}'
}
if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
  echo "instructions executed before the exec (callgrind; load-independent):"
  echo "  with the check                         $(instructions "$NVD" run --rm "$IMG" true)"
  echo "  without (NV_HOST)                      $(export NV_HOST=http://127.0.0.1:3476; instructions "$NVD" run --rm "$IMG" true)"
fi
