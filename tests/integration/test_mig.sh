#!/bin/bash
# MIG devices end to end on simulated hardware: the real nvidia-docker-plugin on the FAKE NVML
# (tests/fakes/gpus-mig.json: GPU 0 an A100 in MIG mode with MIG devices 0:0 = GPU instance 1 and
# 0:1 = GPU instance 2, GPU 1 a plain GPU) and a FAKE proc root of the driver's MIG files
# (tests/fakes/fake_env.sh). First the REST API against private dev and proc roots (every MIG
# form of `dev`, /gpu/info, the capability nodes made at start-up and per request, an NVML
# without MIG functions, missing proc files); then real containers started by the real wrapper
# (bin/nvidia-docker, real docker, the real engine, the plugin as its volume plugin) that must
# see exactly the chosen MIG device's nodes.
#
# Device nodes: docker needs the nodes on the host. As test_wrapper_real_plugin.sh does, the
# GPU nodes (/dev/nvidia0, nvidia1, nvidiactl, nvidia-uvm*) are created only where no
# /dev/nvidia* exists at all, recorded in $NODE_STATE and removed at exit; the capability nodes
# /dev/nvidia-caps/nvidia-cap* are made by the plugin itself (that is under test) and recorded
# too. On a machine with real NVIDIA nodes the container part is skipped. The socket directory
# and /dev are machine-global: the container part runs under /tmp/nvd-plugin-socket.lock.
. "$(dirname "$0")/../lib/common.sh"
. "$NVD_ROOT/tests/fakes/fake_env.sh"

NVD=$NVD_BIN/nvidia-docker
PLUGIN=$NVD_BIN/nvidia-docker-plugin
CONFIG=$NVD_ROOT/tests/fakes/gpus-mig.json
[ -x "$PLUGIN" ] || t_skip_all "build first (make)"
[ -e "$NVD_BUILD/fakes/nomig/libnvidia-ml.so.1" ] || t_skip_all "fakes not built (make fakes)"
command -v curl >/dev/null || t_skip_all "curl not installed"
command -v jq >/dev/null || t_skip_all "jq not installed (make deps)"
[ "$(id -u)" = 0 ] || t_skip_all "needs root (capability device nodes)"

DRIVER=535.183.01
GPU0=GPU-4f5e6d7c-0a1b-2c3d-4e5f-60718293a4b5
GPU1=GPU-9c8b7a6d-5e4f-3a2b-1c0d-e9f8a7b6c5d4
MIG0=MIG-5a1c3e7f-2b4d-5e6f-8a9b-0c1d2e3f4a5b # 0:0, caps 12 and 13
MIG1=MIG-5b9d2c4a-6e8f-5a1b-9c2d-3e4f5a6b7c8d # 0:1, caps 21 and 22
CAPS=/dev/nvidia-caps/nvidia-cap
MAJOR=$FAKE_CAPS_MAJOR

PID= PORT= SOCK=
diag() { sed 's/^/# /'; } # text shown after a failure, as TAP comments
# start_plugin NAME [ENV=value...]: the plugin on a free port, socket dir $T_TMP/NAME, log
# $T_TMP/NAME.log; returns when it answers (1 if it exited).
start_plugin() {
  local name=$1; shift
  PORT=$(free_port)
  SOCK=$T_TMP/$name/nvidia-docker.sock
  env "$@" "$PLUGIN" -l "127.0.0.1:$PORT" -s "$T_TMP/$name" -d "$T_TMP/volumes" -cdi= \
    2>"$T_TMP/$name.log" &
  PID=$!
  local i
  for i in $(seq 1 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/gpu/info/json" && return 0
    kill -0 "$PID" 2>/dev/null || return 1 # exited (a start-up error)
    sleep 0.1
  done
  return 1
}
t_cleanup stop_plugin
# get PATH: sets CODE and BODY (exact, trailing newlines kept).
get() {
  CODE=$(curl -s -o "$T_TMP/body" -w '%{http_code}' "http://127.0.0.1:$PORT$1")
  BODY=$(cat "$T_TMP/body"; printf x); BODY=${BODY%x}
}
cli() { # cli QUERY: the text /docker/cli answer's devices, one line
  get "/v1.0/docker/cli?$1"
  [ "$CODE" = 200 ] && tr ' ' '\n' <<<"$BODY" | sed -n 's/^--device=//p' | tr '\n' ' ' | sed 's/ $//' ||
    printf '%s %s' "$CODE" "$BODY"
}

# ---- REST, private dev and proc roots ----------------------------------------------------------
fake_gpu_env "$T_TMP/env" "$CONFIG" 0 1
DEV=$NVD_DEV_ROOT
rm "$DEV/nvidia-caps/nvidia-cap22" # made by the plugin at start-up
start_plugin main || { t_fail "plugin with a MIG GPU did not start"; diag <"$T_TMP/main.log"; t_finish; }

DEV0='{"UUID":"'$GPU0'","Path":"/dev/nvidia0","Model":"NVIDIA A100-SXM4-40GB","Power":400,"CPUAffinity":0,"PCI":{"BusID":"0000:07:00.0","BAR1":65536,"Bandwidth":31504},"Clocks":{"Cores":1410,"Memory":1215},"Topology":null,"Family":null,"Arch":"8.0","Cores":null,"Memory":{"ECC":true,"Global":40536,"Shared":164,"Constant":64,"L2Cache":40960,"Bandwidth":1555200}'
DEV0_MIG=',"MIG":[{"UUID":"'$MIG0'","Index":"0:0","GPUInstance":1,"ComputeInstance":0,"Memory":19968,"Devices":["'${CAPS}12'","'${CAPS}13'"]},{"UUID":"'$MIG1'","Index":"0:1","GPUInstance":2,"ComputeInstance":0,"Memory":19968,"Devices":["'${CAPS}21'","'${CAPS}22'"]}]'
DEV1='{"UUID":"'$GPU1'","Path":"/dev/nvidia1","Model":"Tesla T4","Power":70,"CPUAffinity":0,"PCI":{"BusID":"0000:0A:00.0","BAR1":256,"Bandwidth":15760},"Clocks":{"Cores":1590,"Memory":5001},"Topology":null,"Family":null,"Arch":"7.5","Cores":null,"Memory":{"ECC":true,"Global":15109,"Shared":64,"Constant":64,"L2Cache":4096,"Bandwidth":320064}}'
INFO_HEAD='{"Version":{"Driver":"'$DRIVER'","CUDA":"12.2"},"Devices":['
get /v1.0/gpu/info/json
t_eq "/gpu/info/json: MIG devices on the MIG GPU only, plain GPU unchanged" \
  "$INFO_HEAD$DEV0$DEV0_MIG},$DEV1]}"$'\n' "$BODY"
get /gpu/info
MIG_TEXT="  P2P Available:  None
  MIG Devices
    Device 0:0
      UUID:              $MIG0
      GPU Instance:      1
      Compute Instance:  0
      Memory:            19968 MiB
      Devices:           ${CAPS}12 ${CAPS}13
    Device 0:1
      UUID:              $MIG1
      GPU Instance:      2
      Compute Instance:  0
      Memory:            19968 MiB
      Devices:           ${CAPS}21 ${CAPS}22

Device #1
"
[[ "$BODY" == *"$MIG_TEXT"* ]] && t_ok "/gpu/info: MIG devices listed under GPU 0" ||
  { t_fail "/gpu/info: MIG devices listed under GPU 0"; diag <<<"$BODY"; }
t_eq "/gpu/info: one MIG block" 1 "$(grep -c 'MIG Devices' <<<"$BODY")"

CTL="/dev/nvidiactl /dev/nvidia-uvm /dev/nvidia-uvm-tools"
t_eq "dev=0:1: parent, its two cap nodes, control nodes" \
  "$CTL /dev/nvidia0 ${CAPS}21 ${CAPS}22" "$(cli dev=0:1)"
t_eq "dev=$MIG0" "$CTL /dev/nvidia0 ${CAPS}12 ${CAPS}13" "$(cli "dev=$MIG0")"
t_eq "dev=MIG-5b (unique prefix)" "$CTL /dev/nvidia0 ${CAPS}21 ${CAPS}22" "$(cli dev=MIG-5b)"
t_eq "dev=0:0+0:1+1: both MIG devices, the parent once, then GPU 1" \
  "$CTL /dev/nvidia0 ${CAPS}12 ${CAPS}13 ${CAPS}21 ${CAPS}22 /dev/nvidia1" "$(cli 'dev=0:0+0:1+1')"
t_eq "dev=none: control nodes only" "$CTL" "$(cli dev=none)"
t_eq "dev absent: the GPU nodes as in 1.0" "$CTL /dev/nvidia0 /dev/nvidia1" "$(cli '')"
t_eq "dev=MIG-5: ambiguous, candidates named" \
  "400 invalid device: MIG-5 (ambiguous: $MIG0, $MIG1)" "$(cli dev=MIG-5)"
t_eq "dev=1:0: GPU 1 is no MIG GPU" "400 invalid device: 1:0 (GPU 1 is not in MIG mode)" "$(cli dev=1:0)"
t_eq "dev=0:2: the MIG devices listed" "400 invalid device: 0:2 (GPU 0 has the MIG devices 0:0, 0:1)" \
  "$(cli dev=0:2)"
t_eq "dev=MIG-ffff" "400 invalid device: MIG-ffff" "$(cli dev=MIG-ffff)"
get "/docker/cli/json?dev=0:0"
t_eq "/docker/cli/json dev=0:0" \
  '{"VolumeDriver":"nvidia-docker","Volumes":["nvidia_driver_'$DRIVER':/usr/local/nvidia:ro"],"Devices":["/dev/nvidiactl","/dev/nvidia-uvm","/dev/nvidia-uvm-tools","/dev/nvidia0","'${CAPS}12'","'${CAPS}13'"]}'$'\n' "$BODY"

t_match "start-up made the missing cap node, logged" \
  "Created ${CAPS}22 \(c $MAJOR:22, mode 0444\) for MIG device $MIG1 \(0:1\)" "$(cat "$T_TMP/main.log")"
IFS='|' read -r type maj min mode owner < <(stat -c '%F|%t|%T|%a|%u:%g' "$DEV/nvidia-caps/nvidia-cap22")
t_eq "the node made: character device $MAJOR:22, mode 0444, root" \
  "character special file $MAJOR 22 444 0:0" "$type $((0x$maj)) $((0x$min)) $mode $owner"
rm "$DEV/nvidia-caps/nvidia-cap13"
t_eq "a cap node removed while running: the request makes it again" \
  "$CTL /dev/nvidia0 ${CAPS}12 ${CAPS}13" "$(cli dev=0:0)"
t_check "  ... as the character device $MAJOR:13" test -c "$DEV/nvidia-caps/nvidia-cap13"
stop_plugin

# The driver leaves device files to the administrator (DeviceFileModify: 0) and cap 22 is
# missing: start-up warns, MIG device 0:1 is refused with the command to run, 0:0 still works.
ACCESS22=$NVD_PROC_ROOT/driver/nvidia/capabilities/gpu0/mig/gi2/ci0/access
cp "$ACCESS22" "$T_TMP/access22"
printf 'DeviceFileMinor: 22\nDeviceFileMode: 292\nDeviceFileModify: 0\n' >"$ACCESS22"
rm "$DEV/nvidia-caps/nvidia-cap22"
start_plugin modify0 || t_fail "plugin with DeviceFileModify: 0 did not start"
t_match "DeviceFileModify: 0, node missing: a start-up warning" \
  "Warning: MIG device $MIG1 \(0:1\): /dev/nvidia-caps/nvidia-cap22 .* is missing, and the NVIDIA driver leaves its device files to the administrator" \
  "$(cat "$T_TMP/modify0.log")"
t_check "  ... and the node is not made" test ! -e "$DEV/nvidia-caps/nvidia-cap22"
t_match "  ... dev=0:1 refused with the command to run" \
  "^400 MIG device $MIG1: /dev/nvidia-caps/nvidia-cap22 .*create it: mknod -m 444 /dev/nvidia-caps/nvidia-cap22 c $MAJOR 22" \
  "$(cli dev=0:1)"
t_eq "  ... dev=0:0 still served" "$CTL /dev/nvidia0 ${CAPS}12 ${CAPS}13" "$(cli dev=0:0)"
stop_plugin
cp "$T_TMP/access22" "$ACCESS22"

# The access files hidden: the numbers come from mig-minors.
mv "$NVD_PROC_ROOT/driver/nvidia/capabilities" "$T_TMP/capabilities"
start_plugin minors || t_fail "plugin with mig-minors only did not start"
get /gpu/info/json
t_eq "mig-minors only: same MIG devices and nodes" "$INFO_HEAD$DEV0$DEV0_MIG},$DEV1]}"$'\n' "$BODY"
stop_plugin
# Neither access files nor mig-minors: a start-up error that names both.
mv "$NVD_PROC_ROOT/driver/nvidia-caps/mig-minors" "$T_TMP/mig-minors"
start_plugin noproc
t_eq "no capability file at all: the plugin exits 1" 1 "$(wait "$PID"; echo $?)"
PID=
t_match "  ... naming the MIG device and both files" \
  "Error: MIG device $MIG0 \(0:0\): no capability minor: cannot open $NVD_PROC_ROOT/driver/nvidia/capabilities/gpu0/mig/gi1/access: No such file or directory; and $NVD_PROC_ROOT/driver/nvidia-caps/mig-minors has no minor for it" \
  "$(cat "$T_TMP/noproc.log")"
mv "$T_TMP/capabilities" "$NVD_PROC_ROOT/driver/nvidia/capabilities"
mv "$T_TMP/mig-minors" "$NVD_PROC_ROOT/driver/nvidia-caps/mig-minors"

# A driver without NVML's MIG functions (before R450): every answer as without MIG.
start_plugin nomig LD_LIBRARY_PATH="$NVD_BUILD/fakes/nomig:$LD_LIBRARY_PATH" ||
  t_fail "plugin on an NVML without MIG did not start"
get /gpu/info/json
t_eq "NVML without MIG: no MIG field, the device as before" "$INFO_HEAD$DEV0},$DEV1]}"$'\n' "$BODY"
t_eq "NVML without MIG: dev=0:0 refused" "400 invalid device: 0:0 (GPU 0 is not in MIG mode)" \
  "$(cli dev=0:0)"
t_eq "NVML without MIG: dev=$MIG0 refused" "400 invalid device: $MIG0" "$(cli "dev=$MIG0")"
stop_plugin
t_check "no sanitizer report in the plugin logs" \
  bash -c "! grep -lE 'Sanitizer|runtime error' '$T_TMP'/*.log"

# ---- real containers through the wrapper -------------------------------------------------------
command -v docker >/dev/null || { echo "# docker not installed: container part skipped"; t_finish; }
[ -x "$NVD" ] || { t_fail "bin/nvidia-docker missing"; t_finish; }
start_dockerd || { echo "# no Docker engine: container part skipped"; t_finish; }
t_lock plugin-socket
NODE_STATE=/tmp/nvd-mig.nodes # what this test made in /dev (for interrupted runs)
# remove_created FILE: removes the listed nodes that are still NVIDIA character devices (majors
# 195, 238, $MAJOR), then an empty /dev/nvidia-caps this test made, then FILE.
remove_created() {
  local n
  [ -f "$1" ] || return 0
  while read -r n; do
    case $n in
    /dev/nvidia-caps) continue ;;
    /dev/nvidia*) [ -c "$n" ] || continue
      case $((0x$(stat -c %t "$n"))) in 195 | 238 | "$MAJOR") rm -f "$n" ;; esac ;;
    esac
  done <"$1"
  grep -qx /dev/nvidia-caps "$1" && rmdir /dev/nvidia-caps 2>/dev/null
  rm -f "$1"
}
remove_created "$NODE_STATE"
if compgen -G '/dev/nvidia*' >/dev/null; then
  echo "# /dev/nvidia* exists already (a real GPU machine?): container part skipped"
  t_finish
fi
: >"$NODE_STATE"
t_cleanup 'remove_created "$NODE_STATE"'
for spec in "nvidiactl 195 255" "nvidia-uvm 238 0" "nvidia-uvm-tools 238 1" "nvidia0 195 0" \
  "nvidia1 195 1"; do
  set -- $spec
  mknod -m 0666 "/dev/$1" c "$2" "$3" || { t_fail "mknod /dev/$1"; t_finish; }
  echo "/dev/$1" >>"$NODE_STATE"
done
# The plugin makes /dev/nvidia-caps and the four cap nodes: recorded before it starts.
printf '%s\n' /dev/nvidia-caps "${CAPS}12" "${CAPS}13" "${CAPS}21" "${CAPS}22" >>"$NODE_STATE"

P=nvd-mig-$$
IMG=$P-cuda
t_cleanup "docker ps -aq --filter name=^$P- | xargs -r docker rm -f; docker rmi -f $IMG"
make_image "$IMG" -c 'LABEL com.nvidia.volumes.needed=nvidia_driver' -c 'LABEL com.nvidia.cuda.version=8.0'
bash "$NVD_ROOT/tests/fakes/make-driver-root.sh" "$T_TMP/root" "$DRIVER" >"$T_TMP/root.log" 2>&1 ||
  { t_fail "fake driver root"; t_finish; }
SOCK_DIR=/run/docker/plugins
mkdir -p "$SOCK_DIR"
PORT=$(free_port)
SOCK=$SOCK_DIR/nvidia-docker.sock
rm -f "$SOCK"
env -u NVD_DEV_ROOT PATH=/usr/local/nvidia/bin:/usr/local/bin:/usr/bin:/bin "$PLUGIN" -s "$SOCK_DIR" \
  -l "127.0.0.1:$PORT" -d "$T_TMP/volumes-real" -r "$T_TMP/root" 2>"$T_TMP/real.log" &
PID=$!
wait_for "plugin REST" curl -sf "http://127.0.0.1:$PORT/v1.0/gpu/info/json" &&
  wait_for "plugin socket" test -S "$SOCK" ||
  { t_fail "plugin on the real /dev did not start"; diag <"$T_TMP/real.log"; t_finish; }
# The driver volume goes while the plugin runs (without it docker retries the plugin for 15 s).
remove_volume() { [ -n "$PID" ] && docker volume rm -f "nvidia_driver_$DRIVER" >/dev/null 2>&1; }
t_cleanup remove_volume
t_eq "the plugin made /dev/nvidia-caps/nvidia-cap{12,13,21,22}" "12 13 21 22" \
  "$(for m in 12 13 21 22; do [ -c "$CAPS$m" ] && printf '%d ' $((0x$(stat -c %T "$CAPS$m"))); done | sed 's/ $//')"

# nvd VAR=value... -- ARGS: the wrapper with the real docker; OUT, ERR, RC.
nvd() {
  local envs=()
  while [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  env -u NV_GPU -u NV_DEBUG -u NV_DOCKER -u DOCKER_HOST NV_HOST="http://127.0.0.1:$PORT" \
    "${envs[@]}" "$NVD" "$@" >"$T_TMP/out" 2>"$T_TMP/err"
  RC=$?
  OUT=$(cat "$T_TMP/out"); ERR=$(cat "$T_TMP/err")
}
# What the container sees: every NVIDIA character device with its numbers, sorted.
PROBE='for f in /dev/nvidia* /dev/nvidia-caps/*; do [ -c "$f" ] && echo "$f $(stat -c %t:%T "$f")"; done | sort'
hex() { printf '%x' "$1"; }
node() { echo "$1 $(hex "$2"):$(hex "$3")"; }
CTL_NODES="$(node /dev/nvidia-uvm 238 0)
$(node /dev/nvidia-uvm-tools 238 1)"
expect() { # expect CAP_GI CAP_CI: sorted nodes a container of that MIG device must see
  printf '%s\n' "$(node "$CAPS$1" "$MAJOR" "$1")" "$(node "$CAPS$2" "$MAJOR" "$2")" "$CTL_NODES" \
    "$(node /dev/nvidia0 195 0)" "$(node /dev/nvidiactl 195 255)" | sort
}

nvd NV_GPU="$MIG1" -- run --rm --network none --name "$P-mig1" "$IMG" sh -c "$PROBE"
t_eq "NV_GPU=$MIG1: exit 0" 0 "$RC"
[ "$RC" = 0 ] || diag <<<"$ERR"
t_eq "NV_GPU=$MIG1: exactly /dev/nvidia0, caps 21 and 22, the control nodes" "$(expect 21 22)" "$OUT"
t_eq "NV_GPU=$MIG1: nothing on stderr" "" "$ERR"

nvd NV_GPU=MIG-5a -- run --rm --network none --name "$P-mig0" "$IMG" sh -c "$PROBE"
t_eq "NV_GPU=MIG-5a (prefix): exactly /dev/nvidia0, caps 12 and 13, the control nodes" \
  "$(expect 12 13)" "$OUT"

nvd NV_GPU=0:1 -- run --rm --network none --name "$P-index" "$IMG" sh -c "$PROBE"
t_eq "NV_GPU=0:1 (G:M): exactly /dev/nvidia0, caps 21 and 22, the control nodes" \
  "$(expect 21 22)" "$OUT"
nvd -- run --rm --network none --name "$P-gpus" --gpus device=0:0 "$IMG" sh -c "$PROBE"
t_eq "--gpus device=0:0: exactly /dev/nvidia0, caps 12 and 13, the control nodes" \
  "$(expect 12 13)" "$OUT"
nvd -- run --rm --network none --name "$P-env" -e "NVIDIA_VISIBLE_DEVICES=$MIG1" "$IMG" sh -c "$PROBE"
t_eq "-e NVIDIA_VISIBLE_DEVICES=$MIG1: caps 21 and 22" "$(expect 21 22)" "$OUT"
nvd NV_GPU="0:0,0:1,1" -- run --rm --network none --name "$P-both" "$IMG" sh -c "$PROBE"
t_eq "NV_GPU=0:0,0:1,1: both MIG devices' caps, /dev/nvidia0 once, and GPU 1" \
  "$(printf '%s\n' "$(expect 12 13)" "$(node "${CAPS}21" "$MAJOR" 21)" "$(node "${CAPS}22" "$MAJOR" 22)" \
    "$(node /dev/nvidia1 195 1)" | sort)" "$OUT"
nvd NV_GPU=none -- run --rm --network none --name "$P-none" "$IMG" sh -c "$PROBE"
t_eq "NV_GPU=none: the control nodes only" \
  "$(printf '%s\n' "$CTL_NODES" "$(node /dev/nvidiactl 195 255)" | sort)" "$OUT"
nvd NV_GPU=1:0 -- run --rm --network none --name "$P-notmig" "$IMG" true
t_eq "NV_GPU=1:0: exit 1" 1 "$RC"
t_match "NV_GPU=1:0: GPU 1 is not in MIG mode" "invalid device: 1:0 \(GPU 1 is not in MIG mode\)" "$ERR"

nvd NV_GPU=MIG-5 -- run --rm --network none --name "$P-ambiguous" "$IMG" true
t_eq "NV_GPU=MIG-5: exit 1" 1 "$RC"
t_match "NV_GPU=MIG-5: ambiguous, both candidates named" \
  "invalid device: MIG-5 \(ambiguous: $MIG0, $MIG1\)" "$ERR"
t_eq "NV_GPU=MIG-5: no container made" "" "$(docker ps -aq --filter "name=^$P-ambiguous\$")"

remove_volume
stop_plugin
t_check "no sanitizer report in the real-/dev plugin log" \
  bash -c "! grep -lE 'Sanitizer|runtime error' '$T_TMP/real.log'"
t_finish
