#!/bin/bash
# The whole stack, no fakes between the parts: bin/nvidia-docker (real docker as NV_DOCKER), the
# real nvidia-docker-plugin (FAKE NVML from build/fakes with tests/fakes/gpus-3.json, a FAKE
# driver root from tests/fakes/make-driver-root.sh) serving REST on loopback and the volume API
# on /run/docker/plugins, and the real Docker engine, which calls the plugin for the driver
# volume. Containers are STARTED and checked from the inside: device nodes, the driver volume,
# the environment. (Misbehaving plugins -- slow, garbage, huge, odd status -- stay in
# test_run.sh with the fake responder: the real plugin cannot produce them.)
#
# Device nodes: docker needs /dev/nvidia* on the host to start a container with --device. This
# test creates the character devices the fake GPUs describe (major 195/238) only where no
# /dev/nvidia* exists at all, records them in $NODE_STATE and removes exactly those at exit (and
# leftovers of an interrupted run at the next start). On a machine with real NVIDIA nodes it
# creates nothing, points the plugin at a private dev directory and skips the container starts.
# The socket dir and /dev/nvidia* are machine-global: the whole test runs under
# /tmp/nvd-plugin-socket.lock (like test_volume_plugin.sh).
. "$(dirname "$0")/../lib/common.sh"

NVD=$NVD_BIN/nvidia-docker
PLUGIN=$NVD_BIN/nvidia-docker-plugin
MKROOT=$NVD_ROOT/tests/fakes/make-driver-root.sh
[ -x "$NVD" ] && [ -x "$PLUGIN" ] || t_skip_all "build first (make)"
[ -e "$NVD_BUILD/fakes/libnvidia-ml.so.1" ] || t_skip_all "fake NVML not built (make check builds it)"
command -v docker >/dev/null || t_skip_all "docker not installed"
command -v curl >/dev/null || t_skip_all "curl not installed"
[ "$(id -u)" = 0 ] || t_skip_all "needs root (device nodes, the plugin socket directory)"
start_dockerd || t_skip_all "no Docker engine"

. "$NVD_ROOT/tests/lib/real_plugin.sh"
A=375.39    # driver of tests/fakes/gpus-3.json (CUDA 8.0); GPUs with minors 0 1 2
B=390.48    # the "upgraded" driver: a copy of the JSON with this version
NODE_STATE=/tmp/nvd-wrapper-real-plugin.nodes # nodes this test created (for interrupted runs)
P=nvd-realstack
IMG_LABEL=$P-labelled IMG_PLAIN=$P-plain IMG_ENV=$P-env IMG_CUDA99=$P-cuda99
UVOL=$P-uservol

t_lock plugin-socket
real_plugin_nodes "$NODE_STATE" || { t_fail "device nodes made"; t_finish; }

# --- images, the plugin ------------------------------------------------------------------------
t_cleanup stop_plugin # after the containers and volumes are gone (cleanups run last first)
# Volumes only while the plugin runs: without it, docker retries the plugin for 15 s on each
# `volume rm` (even of a local or absent name). Leftovers of an interrupted run go once the
# plugin is up; after the final cleanup the exit-time one does nothing.
DOCKER_CLEAN=
cleanup_docker() {
  [ -n "$DOCKER_CLEAN" ] && return 0
  docker ps -aq --filter "name=^$P-" | xargs -r docker rm -f >/dev/null 2>&1
  [ -n "$PID" ] && docker volume rm -f "$UVOL" "nvidia_driver_$A" "nvidia_driver_$B" >/dev/null 2>&1
  return 0
}
t_cleanup cleanup_docker
t_cleanup "docker rmi -f $IMG_LABEL $IMG_PLAIN $IMG_ENV $IMG_CUDA99 >/dev/null 2>&1"
make_image "$IMG_LABEL" -c 'LABEL com.nvidia.volumes.needed=nvidia_driver' \
  -c 'LABEL com.nvidia.cuda.version=8.0'
make_image "$IMG_PLAIN" -c 'LABEL maintainer=nobody'
make_image "$IMG_ENV" -c 'ENV NVIDIA_VISIBLE_DEVICES=all'
make_image "$IMG_CUDA99" -c 'LABEL com.nvidia.volumes.needed=nvidia_driver' \
  -c 'LABEL com.nvidia.cuda.version=99.0'

bash "$MKROOT" "$T_TMP/root-$A" "$A" >"$T_TMP/root-$A.log" 2>&1 || { t_fail "fake driver root $A"; t_finish; }
bash "$MKROOT" "$T_TMP/root-$B" "$B" >"$T_TMP/root-$B.log" 2>&1 || { t_fail "fake driver root $B"; t_finish; }
sed "s/\"driver_version\": \"$A\"/\"driver_version\": \"$B\"/" \
  "$NVD_ROOT/tests/fakes/gpus-3.json" >"$T_TMP/gpus-$B.json"
grep -q "\"$B\"" "$T_TMP/gpus-$B.json" || { t_fail "JSON for driver $B"; t_finish; }
real_plugin_start "$NVD_ROOT/tests/fakes/gpus-3.json" "$T_TMP/root-$A" "$T_TMP/plugin-a.log" ||
  { t_fail "nvidia-docker-plugin did not start"; tail -5 "$LOG"; t_finish; }
cleanup_docker # leftovers of an interrupted run

CTL="/dev/nvidia-uvm /dev/nvidia-uvm-tools"
ALL="$CTL /dev/nvidia0 /dev/nvidia1 /dev/nvidia2 /dev/nvidiactl"

# --- checks that start no container --------------------------------------------------------------
nvd NV_GPU=7 -- run --rm --network none --name "$P-gpu7" "$IMG_LABEL" true
t_eq "NV_GPU=7: exit 1" 1 "$RC"
t_eq "NV_GPU=7: one line" 1 "$(lines "$ERR")"
t_match "NV_GPU=7: names 7 and lists the plugin's GPUs (index, UUID)" \
  "7.*0.*GPU-b1028956-cfa2-0990-bf4a-5da9abb51763.*1.*GPU-2d1f3b4c.*2.*GPU-7c3e2f5a" "$ERR"
t_eq "NV_GPU=7: no container made" "" "$(docker ps -aq --filter "name=^$P-gpu7\$")"

nvd -- run --rm --network none --name "$P-cuda99" "$IMG_CUDA99" true
t_eq "CUDA 99.0 image: exit 1" 1 "$RC"
t_match "CUDA 99.0 image: driver's CUDA from the fake NVML" \
  "Error: unsupported CUDA version: driver 8\.0 < image 99\.0" "$ERR"
t_eq "CUDA 99.0 image: no container made" "" "$(docker ps -aq --filter "name=^$P-cuda99\$")"

# The rewritten line reaches the engine: create only, checked with docker inspect.
nvd -- create --name "$P-created" --network none -v "$UVOL:/data" "$IMG_LABEL" sh -c "$PROBE"
t_eq "create: exit 0" 0 "$RC"
[ "$RC" = 0 ] || echo "$ERR"
t_eq "create: devices from the plugin" "/dev/nvidiactl /dev/nvidia-uvm /dev/nvidia-uvm-tools /dev/nvidia0 /dev/nvidia1 /dev/nvidia2" \
  "$(docker inspect -f '{{range .HostConfig.Devices}}{{.PathOnHost}} {{end}}' "$P-created" 2>&1 | sed 's/ $//')"
mounts=$(docker inspect -f '{{range .Mounts}}{{.Name}}|{{.Driver}}|{{.Destination}}|{{.RW}} {{end}}' "$P-created" 2>&1)
t_match "create: driver volume through the plugin, read-only" \
  "nvidia_driver_$A\|nvidia-docker\|/usr/local/nvidia\|false" "$mounts"
t_match "create: the user's -v $UVOL stays local" "$UVOL\|local\|/data\|true" "$mounts"
t_eq "docker volume inspect: the user's volume has the local driver" local \
  "$(docker volume inspect -f '{{.Driver}}' "$UVOL" 2>&1)"
t_eq "docker volume inspect: the driver volume has nvidia-docker" nvidia-docker \
  "$(docker volume inspect -f '{{.Driver}}' "nvidia_driver_$A" 2>&1)"

if [ -z "$CAN_START" ]; then
  echo "# skipped: container starts (real /dev/nvidia* present; the fake GPUs' minors may not match)"
else
  # --- containers started through the wrapper ------------------------------------------------
  t_match "create + docker start -a: the container runs with the driver" \
    "cuda libcuda\.so\.$A" "$(docker start -a "$P-created" 2>&1)"

  nvd NV_GPU=0 -- run --rm --network none "$IMG_LABEL" sh -c "$PROBE"
  t_eq "NV_GPU=0: exit 0" 0 "$RC"
  [ "$RC" = 0 ] || echo "$ERR"
  t_eq "NV_GPU=0: /dev/nvidia0 only among the GPUs, plus the control nodes" \
    "$CTL /dev/nvidia0 /dev/nvidiactl" "$(devs "$OUT")"
  t_match "NV_GPU=0: libcuda.so.1 links into the driver volume" "cuda libcuda\.so\.$A
cuda-resolves" "$OUT"
  t_match "NV_GPU=0: /usr/local/nvidia read-only" "mount ro" "$OUT"
  t_match "NV_GPU=0: no NVIDIA_VISIBLE_DEVICES of ours inside" "env unset" "$OUT"
  t_eq "NV_GPU=0: nothing on stderr (wrapper, docker)" "" "$ERR"

  nvd NV_GPU='1,0' -- run --rm --network none "$IMG_LABEL" sh -c "$PROBE"
  t_eq "NV_GPU=1,0: both GPUs" "$CTL /dev/nvidia0 /dev/nvidia1 /dev/nvidiactl" "$(devs "$OUT")"

  nvd -- run --rm --network none "$IMG_LABEL" sh -c "$PROBE"
  t_eq "NV_GPU unset: all GPUs" "$ALL" "$(devs "$OUT")"

  nvd -- run --rm --network none "$IMG_LABEL" sh -c 'echo x >/usr/local/nvidia/x'
  t_match "writing into the driver volume fails" "Read-only file system" "$ERR"

  nvd -- run --rm --network none -v "$UVOL:/data" "$IMG_LABEL" sh -c "$PROBE; echo hi >/data/f && echo data-rw"
  t_eq "-v $UVOL:/data: exit 0" 0 "$RC"
  t_match "-v $UVOL:/data: writable, GPUs too" "dev /dev/nvidia0.*data-rw" "$(echo $OUT)"
  t_eq "-v $UVOL:/data: still the local driver" local "$(docker volume inspect -f '{{.Driver}}' "$UVOL" 2>&1)"

  nvd -- run --rm --network none "$IMG_ENV" sh -c "$PROBE"
  t_eq "image with ENV NVIDIA_VISIBLE_DEVICES=all: all GPUs" "$ALL" "$(devs "$OUT")"
  t_match "image with ENV NVIDIA_VISIBLE_DEVICES=all: driver volume, the image's env as it is" \
    "cuda libcuda\.so\.$A.*env all" "$(echo $OUT)"

  nvd -- run --rm --network none "$IMG_PLAIN" sh -c "$PROBE"
  t_eq "plain image: exit 0" 0 "$RC"
  t_eq "plain image: no NVIDIA device" "" "$(devs "$OUT")"
  t_match "plain image: no driver volume, no env" "cuda 
mount 
env unset" "$OUT"

  nvd NVIDIA_DISABLE_REQUIRE=1 -- run --rm --network none "$IMG_CUDA99" sh -c "$PROBE"
  t_eq "CUDA 99.0 image with NVIDIA_DISABLE_REQUIRE=1: runs" 0 "$RC"
  t_match "CUDA 99.0 image with NVIDIA_DISABLE_REQUIRE=1: gets the driver" "cuda libcuda\.so\.$A" "$OUT"

  nvd -- run --rm --network none "$IMG_LABEL" sh -c 'exit 3'
  t_eq "the container's exit status comes back" 3 "$RC"

  # --- a container created before a driver upgrade ---------------------------------------------
  nvd NV_GPU=2 -- create --name "$P-old" --network none "$IMG_LABEL" sh -c "$PROBE"
  t_eq "create on driver $A: exit 0" 0 "$RC"
  stop_plugin
  real_plugin_start "$T_TMP/gpus-$B.json" "$T_TMP/root-$B" "$T_TMP/plugin-b.log" ||
    t_fail "nvidia-docker-plugin did not restart with driver $B"
  out=$(docker start -a "$P-old" 2>&1)
  t_eq "after the upgrade: the old container starts" 0 "$?"
  t_match "after the upgrade: it sees driver $B's files" "cuda libcuda\.so\.$B" "$out"
  t_eq "after the upgrade: its own GPU" "$CTL /dev/nvidia2 /dev/nvidiactl" "$(devs "$out")"
  t_match "the plugin logged the mapping" \
    "Serving volume 'nvidia_driver_$A' with the running driver's volume" "$(cat "$LOG")"
  nvd NV_GPU=1 -- run --rm --network none "$IMG_LABEL" sh -c "$PROBE"
  t_match "a new run after the upgrade gets driver $B" "cuda libcuda\.so\.$B" "$OUT"
  t_eq "a new run after the upgrade: NV_GPU=1" "$CTL /dev/nvidia1 /dev/nvidiactl" "$(devs "$OUT")"
fi

cleanup_docker
DOCKER_CLEAN=1
stop_plugin
t_check "no sanitizer report in the plugin logs" \
  bash -c "! grep -lE 'Sanitizer|runtime error' '$T_TMP'/plugin-*.log"
t_finish
