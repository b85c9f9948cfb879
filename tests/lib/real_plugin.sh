# The real nvidia-docker-plugin on FAKE GPUs for tests that start containers on the real engine.
# Source after common.sh. Needs root (host device nodes, the plugin socket directory) and holds
# /tmp/nvd-plugin-socket.lock for the whole test (the socket directory and /dev/nvidia* are
# machine-global).
#
#   real_plugin_nodes STATE       the character devices of the fake GPUs (tests/fakes/gpus-3.json:
#                                 nvidiactl, nvidia-uvm[-tools], nvidia0..2) in /dev where no
#                                 /dev/nvidia* exists, listed in STATE and removed at exit; on a
#                                 machine with real nodes nothing is created, the plugin gets a
#                                 private dev directory and CAN_START is left empty (containers
#                                 would get the real GPUs: callers skip starting them).
#   real_plugin_start JSON ROOT LOG [VAR=value...]
#                                 starts the plugin (fake NVML configured by JSON, driver root
#                                 ROOT, volumes under $T_TMP/volumes) on a free port ($PORT, PID
#                                 in $PID, socket $SOCK), with extra environment VAR=value.
#   nvd [VAR=value...] -- ARGS    the wrapper (real docker, that plugin): $OUT, $ERR, $RC.
#   PROBE / devs                  what a container reports of itself / its /dev/nvidia* nodes.
SOCK_DIR=/run/docker/plugins
SOCK=$SOCK_DIR/nvidia-docker.sock
CAN_START=1
DEV_ENV=()
PID= PORT= LOG=

# remove_created_nodes FILE: removes the nodes listed in FILE if they are still NVIDIA character
# devices (what a test made), then FILE.
remove_created_nodes() {
  local n
  [ -f "$1" ] || return 0
  while read -r n; do
    case $n in /dev/nvidia*) ;; *) continue ;; esac
    [ -c "$n" ] || continue
    case $(stat -c %t "$n") in c3 | ee) rm -f "$n" ;; esac # majors 195 and 238 (hex)
  done <"$1"
  rm -f "$1"
}

real_plugin_nodes() {
  local state=$1 spec
  local specs=("nvidiactl 195 255" "nvidia-uvm 238 0" "nvidia-uvm-tools 238 1"
    "nvidia0 195 0" "nvidia1 195 1" "nvidia2 195 2")
  remove_created_nodes "$state" # leftovers of an interrupted run
  if compgen -G '/dev/nvidia*' >/dev/null; then
    CAN_START=
    echo "# /dev/nvidia* exists already (a real GPU machine?): no node is created or touched;"
    echo "# the plugin uses a private dev directory and the container-start checks are skipped"
    . "$NVD_ROOT/tests/fakes/fake_env.sh"
    mkdir -p "$T_TMP/dev"
    for spec in "${specs[@]}"; do set -- $spec; fake_node "$T_TMP/dev/$1" "$2" "$3"; done
    DEV_ENV=(NVD_DEV_ROOT="$T_TMP/dev")
    return 0
  fi
  : >"$state"
  t_cleanup "remove_created_nodes '$state'"
  for spec in "${specs[@]}"; do
    set -- $spec
    [ -e "/dev/$1" ] && continue
    mknod -m 0666 "/dev/$1" c "$2" "$3" || return 1
    echo "/dev/$1" >>"$state"
  done
  echo "# created for this test (removed at exit): $(tr '\n' ' ' <"$state")"
}

real_plugin_start() {
  local json=$1 root=$2
  LOG=$3
  shift 3
  PORT=$(free_port)
  mkdir -p "$SOCK_DIR"
  rm -f "$SOCK"
  env LD_LIBRARY_PATH="$NVD_BUILD/fakes" FAKE_NVML_CONFIG="$json" "${DEV_ENV[@]}" \
    PATH=/usr/local/nvidia/bin:/usr/local/bin:/usr/bin:/bin "$@" \
    "$NVD_BIN/nvidia-docker-plugin" -s "$SOCK_DIR" -l "127.0.0.1:$PORT" -d "$T_TMP/volumes" \
    -r "$root" -cdi= 2>"$LOG" &
  PID=$!
  wait_for "plugin REST" curl -sf "http://127.0.0.1:$PORT/v1.0/gpu/info/json" &&
    wait_for "plugin socket" test -S "$SOCK"
}

nvd() {
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  env -u NV_GPU -u NV_DEBUG -u NV_DOCKER -u DOCKER_HOST -u NVIDIA_DISABLE_REQUIRE \
    -u NV_DRIVER_CAPABILITIES -u CUDA_VISIBLE_DEVICES -u NVIDIA_VISIBLE_DEVICES \
    NV_HOST="http://127.0.0.1:$PORT" "${envs[@]}" "$NVD_BIN/nvidia-docker" "$@" \
    >"$T_TMP/out" 2>"$T_TMP/err"
  RC=$?
  OUT=$(cat "$T_TMP/out"); ERR=$(cat "$T_TMP/err")
}
lines() { if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi; }
# What a container reports about itself (busybox sh builtins and applets only): the NVIDIA
# character devices, the driver library link, the mount options of /usr/local/nvidia, the env.
PROBE='for f in /dev/nvidia*; do [ -c "$f" ] && echo "dev $f"; done
echo "cuda $(readlink /usr/local/nvidia/lib64/libcuda.so.1)"
test -e /usr/local/nvidia/lib64/libcuda.so.1 && echo "cuda-resolves"
grep " /usr/local/nvidia " /proc/mounts | { read -r _ _ _ o _; echo "mount ${o%%,*}"; }
echo "env ${NVIDIA_VISIBLE_DEVICES-unset}"
echo "caps ${NVIDIA_DRIVER_CAPABILITIES-unset}"'
devs() { grep '^dev ' <<<"$1" | cut -d' ' -f2 | tr '\n' ' ' | sed 's/ $//'; }
