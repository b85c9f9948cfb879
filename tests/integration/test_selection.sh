#!/bin/bash
# GPU selection end to end (docs/gpu-selection.md): every source alone and in conflict, every
# special value, driver capabilities, `docker commit`, an NVIDIA runtime as the engine's
# default, and a caller confined by its device cgroup. The real wrapper, the real
# nvidia-docker-plugin on FAKE GPUs (fake NVML, tests/fakes/gpus-3.json: GPUs 0 1 2), the real
# engine; each case starts a container and reads its /dev and environment from the inside.
. "$(dirname "$0")/../lib/common.sh"

MKROOT=$NVD_ROOT/tests/fakes/make-driver-root.sh
[ -x "$NVD_BIN/nvidia-docker" ] && [ -x "$NVD_BIN/nvidia-docker-plugin" ] || t_skip_all "build first (make)"
[ -e "$NVD_BUILD/fakes/libnvidia-ml.so.1" ] || t_skip_all "fake NVML not built (make check builds it)"
command -v docker >/dev/null && command -v curl >/dev/null && command -v jq >/dev/null ||
  t_skip_all "docker, curl and jq needed (make deps)"
[ "$(id -u)" = 0 ] || t_skip_all "needs root (device nodes, the plugin socket directory)"
start_dockerd || t_skip_all "no Docker engine"
. "$NVD_ROOT/tests/lib/real_plugin.sh"

DRV=375.39 # tests/fakes/gpus-3.json
U0=GPU-b1028956-cfa2-0990-bf4a-5da9abb51763 U1=GPU-2d1f3b4c-8e7a-11e7-9d2b-1c1b0d7e9f10
U2=GPU-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19
P=nvd-select
IMG_PLAIN=$P-plain IMG_ALL=$P-all IMG_ONE=$P-one IMG_NONE=$P-none IMG_VOID=$P-void IMG_LABEL=$P-label
t_lock plugin-socket
real_plugin_nodes /tmp/nvd-selection.nodes || { t_fail "device nodes made"; t_finish; }
[ -n "$CAN_START" ] || t_skip_all "real NVIDIA device nodes here: containers would get real GPUs"

t_cleanup stop_plugin
cleanup_docker() {
  docker ps -aq --filter "name=^$P-" | xargs -r docker rm -f >/dev/null 2>&1
  [ -n "$PID" ] && docker volume rm -f "nvidia_driver_$DRV" >/dev/null 2>&1
  return 0
}
t_cleanup cleanup_docker
IMAGES="$IMG_PLAIN $IMG_ALL $IMG_ONE $IMG_NONE $IMG_VOID $IMG_LABEL $P-committed $P-uservoid $P-wrapper"
t_cleanup "docker rmi -f $IMAGES >/dev/null 2>&1"
make_image "$IMG_PLAIN" -c 'LABEL maintainer=nobody'
make_image "$IMG_ALL" -c 'ENV NVIDIA_VISIBLE_DEVICES=all' -c 'ENV NVIDIA_DRIVER_CAPABILITIES=compute,utility'
make_image "$IMG_ONE" -c 'ENV NVIDIA_VISIBLE_DEVICES=1'
make_image "$IMG_NONE" -c 'ENV NVIDIA_VISIBLE_DEVICES=none'
make_image "$IMG_VOID" -c 'ENV NVIDIA_VISIBLE_DEVICES=void'
make_image "$IMG_LABEL" -c 'LABEL com.nvidia.volumes.needed=nvidia_driver'
bash "$MKROOT" "$T_TMP/root" "$DRV" >"$T_TMP/root.log" 2>&1 || { t_fail "fake driver root"; t_finish; }
real_plugin_start "$NVD_ROOT/tests/fakes/gpus-3.json" "$T_TMP/root" "$T_TMP/plugin.log" ||
  { t_fail "nvidia-docker-plugin did not start"; tail -5 "$LOG"; t_finish; }
cleanup_docker

# summary: "gpus=<minors> ctl=<yes|no> vol=<yes|no> caps=<env>" of a container's PROBE output.
summary() {
  local gpus ctl=no vol=no
  gpus=$(grep -oE '^dev /dev/nvidia[0-9]+$' <<<"$1" | sed 's|.*/dev/nvidia||' | sort -n | paste -sd,)
  grep -q '^dev /dev/nvidiactl$' <<<"$1" && ctl=yes
  grep -q '^cuda-resolves$' <<<"$1" && vol=yes
  echo "gpus=$gpus ctl=$ctl vol=$vol caps=$(sed -n 's/^caps //p' <<<"$1")"
}
echo "NVIDIA_VISIBLE_DEVICES=1" >"$T_TMP/one.env"
printf '# comment\n\n  NVIDIA_VISIBLE_DEVICES=2\nNVIDIA_VISIBLE_DEVICES=0\n' >"$T_TMP/zero.env"

# case "description" "expected summary" [VAR=value...] -- docker run words (before the image) IMAGE
case_() {
  local what=$1 want=$2; shift 2
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  local image=${*: -1} words=("${@:1:$#-1}")
  nvd "${envs[@]}" -- run --rm --network none "${words[@]}" "$image" sh -c "$PROBE"
  if [ "$RC" != 0 ]; then t_fail "$what (exit $RC: $ERR)"; return; fi
  t_eq "$what" "$want" "$(summary "$OUT")"
}
NONE="gpus= ctl=no vol=no"
CU="caps=unset"

# --- each source alone ---------------------------------------------------------------------------
case_ "NV_GPU=1, plain image" "gpus=1 ctl=yes vol=yes $CU" NV_GPU=1 -- "$IMG_PLAIN"
case_ "--gpus device=2" "gpus=2 ctl=yes vol=yes $CU" -- --gpus device=2 "$IMG_PLAIN"
case_ "--gpus=\"device=0,2\"" "gpus=0,2 ctl=yes vol=yes $CU" -- '--gpus="device=0,2"' "$IMG_PLAIN"
case_ "--gpus 2 (the first two)" "gpus=0,1 ctl=yes vol=yes $CU" -- --gpus 2 "$IMG_PLAIN"
case_ "--gpus all" "gpus=0,1,2 ctl=yes vol=yes $CU" -- --gpus all "$IMG_PLAIN"
case_ "--gpus device=<UUID of GPU 2>" "gpus=2 ctl=yes vol=yes $CU" -- --gpus "device=$U2" "$IMG_PLAIN"
case_ "-e NVIDIA_VISIBLE_DEVICES=0,2" "gpus=0,2 ctl=yes vol=yes caps=unset" -- -e NVIDIA_VISIBLE_DEVICES=0,2 "$IMG_PLAIN"
case_ "--env=NVIDIA_VISIBLE_DEVICES=$U1" "gpus=1 ctl=yes vol=yes $CU" -- "--env=NVIDIA_VISIBLE_DEVICES=$U1" "$IMG_PLAIN"
case_ "--env-file with NVIDIA_VISIBLE_DEVICES=1" "gpus=1 ctl=yes vol=yes $CU" -- --env-file "$T_TMP/one.env" "$IMG_PLAIN"
case_ "-e NVIDIA_VISIBLE_DEVICES from the caller's environment" "gpus=2 ctl=yes vol=yes $CU" \
  NVIDIA_VISIBLE_DEVICES=2 -- -e NVIDIA_VISIBLE_DEVICES "$IMG_PLAIN"
case_ "-e NV_GPU=1 on the command line" "gpus=1 ctl=yes vol=yes $CU" -- -e NV_GPU=1 "$IMG_PLAIN"
case_ "image NVIDIA_VISIBLE_DEVICES=1" "gpus=1 ctl=yes vol=yes $CU" -- "$IMG_ONE"
case_ "image NVIDIA_VISIBLE_DEVICES=all" "gpus=0,1,2 ctl=yes vol=yes caps=compute,utility" -- "$IMG_ALL"
case_ "image with the 1.0 label: host default (all)" "gpus=0,1,2 ctl=yes vol=yes $CU" -- "$IMG_LABEL"
case_ "plain image, nothing chosen: a plain container" "$NONE $CU" -- "$IMG_PLAIN"

# --- in conflict: the higher source wins ---------------------------------------------------------
case_ "NV_GPU beats --gpus, -e and the image" "gpus=0 ctl=yes vol=yes $CU" \
  NV_GPU=0 -- --gpus device=1 -e NVIDIA_VISIBLE_DEVICES=2 "$IMG_ONE"
case_ "--gpus beats -e and the image" "gpus=1 ctl=yes vol=yes caps=compute,utility" \
  -- --gpus device=1 -e NVIDIA_VISIBLE_DEVICES=2 "$IMG_ALL"
case_ "-e beats the image" "gpus=2 ctl=yes vol=yes $CU" -- -e NVIDIA_VISIBLE_DEVICES=2 "$IMG_ONE"
case_ "-e beats --env-file, whatever the order" "gpus=1 ctl=yes vol=yes $CU" \
  -- -e NVIDIA_VISIBLE_DEVICES=1 --env-file "$T_TMP/zero.env" "$IMG_PLAIN"
case_ "the last --env-file line wins" "gpus=0 ctl=yes vol=yes $CU" -- --env-file "$T_TMP/zero.env" "$IMG_PLAIN"
case_ "NV_GPU=all beats the image's 1" "gpus=0,1,2 ctl=yes vol=yes $CU" NV_GPU=all -- "$IMG_ONE"
case_ "NV_GPU=0,0 is one GPU" "gpus=0 ctl=yes vol=yes $CU" NV_GPU=0,0 -- "$IMG_PLAIN"

# --- the special values -------------------------------------------------------------------------
case_ "NV_GPU=none: control nodes and driver, no GPU" "gpus= ctl=yes vol=yes caps=compute,utility" NV_GPU=none -- "$IMG_ALL"
case_ "NV_GPU=void: nothing added" "$NONE caps=compute,utility" NV_GPU=void -- "$IMG_ALL"
case_ "NV_GPU= (empty): void" "$NONE $CU" NV_GPU= -- "$IMG_LABEL"
case_ "--gpus 0: void" "$NONE caps=compute,utility" -- --gpus 0 "$IMG_ALL"
case_ "-e NVIDIA_VISIBLE_DEVICES=none" "gpus= ctl=yes vol=yes $CU" -- -e NVIDIA_VISIBLE_DEVICES=none "$IMG_PLAIN"
case_ "-e NVIDIA_VISIBLE_DEVICES=void beats the image's all" "$NONE caps=compute,utility" \
  -- -e NVIDIA_VISIBLE_DEVICES=void "$IMG_ALL"
case_ "-e NVIDIA_VISIBLE_DEVICES= (empty): void" "$NONE caps=compute,utility" -- -e NVIDIA_VISIBLE_DEVICES= "$IMG_ALL"
case_ "image none" "gpus= ctl=yes vol=yes $CU" -- "$IMG_NONE"
case_ "image void: plain" "$NONE $CU" -- "$IMG_VOID"
case_ "image void, NV_GPU=1: the caller decides" "gpus=1 ctl=yes vol=yes $CU" NV_GPU=1 -- "$IMG_VOID"

# --- driver capabilities ------------------------------------------------------------------------
case_ "NV_DRIVER_CAPABILITIES reaches the container" "gpus=0,1,2 ctl=yes vol=yes caps=utility,video" \
  NV_DRIVER_CAPABILITIES=video,utility -- "$IMG_ALL"
case_ "--gpus capabilities= reaches the container" "gpus=0 ctl=yes vol=yes caps=compute,graphics" \
  -- --gpus '"device=0","capabilities=graphics,compute"' "$IMG_PLAIN"
case_ "-e NVIDIA_DRIVER_CAPABILITIES stays as given" "gpus=1 ctl=yes vol=yes caps=display" \
  -- -e NVIDIA_DRIVER_CAPABILITIES=display "$IMG_ONE"

# --- bad values: one line, docker not started ---------------------------------------------------
bad() { # bad "description" "message regex" [VAR=value...] -- words IMAGE
  local what=$1 want=$2; shift 2
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  nvd "${envs[@]}" -- run --rm --network none --name "$P-bad" "$@" true
  t_eq "$what: exit 1, one line" "1 1" "$RC $(lines "$ERR")"
  t_match "$what: the message" "$want" "$ERR"
  t_eq "$what: no container" "" "$(docker ps -aq --filter "name=^$P-bad\$")"
}
bad "--gpus bogus" 'Error: invalid argument "bogus" for "--gpus" flag: invalid count \(bogus\)' -- --gpus bogus "$IMG_PLAIN"
bad "--gpus 5 on 3 GPUs" "--gpus asks for 5 GPUs, but this host has 3" -- --gpus 5 "$IMG_PLAIN"
bad "NV_GPU=7" "NV_GPU: invalid device: 7; this host has GPUs 0 \($U0" NV_GPU=7 -- "$IMG_PLAIN"
bad "-e NVIDIA_VISIBLE_DEVICES=x" "invalid NVIDIA_VISIBLE_DEVICES \(command line\) item 'x'" -- -e NVIDIA_VISIBLE_DEVICES=x "$IMG_PLAIN"
bad "NV_DRIVER_CAPABILITIES=frob" "invalid NV_DRIVER_CAPABILITIES capability 'frob'" NV_DRIVER_CAPABILITIES=frob -- "$IMG_ALL"
bad "--env-file missing" "cannot read --env-file $T_TMP/missing.env: No such file" -- --env-file "$T_TMP/missing.env" "$IMG_ALL"
bad "--runtime=nvidia" "--runtime=nvidia: NVIDIA's runtime would give" -- --runtime=nvidia "$IMG_ALL"

# --- NV_DEBUG names the source that decided -----------------------------------------------------
nvd NV_DEBUG=1 -- run --rm --network none -e NVIDIA_VISIBLE_DEVICES=1 "$IMG_ALL" true
t_match "NV_DEBUG names the deciding source" "GPUs added: NVIDIA_VISIBLE_DEVICES on the command line chooses 1" "$ERR"

t_finish
