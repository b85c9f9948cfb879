#!/bin/bash
# The Docker side checked: before running, the wrapper knows whether the local engine reaches the
# volume plugin nvidia-docker, and when it does not, says where that engine looks and where
# nvidia-docker-plugin listens, with Docker's own answer, instead of docker's "Unable to find
# image" (shown here too). Runs in private mount and network namespaces: an engine of its own
# (its /run/docker/plugins and /etc/docker are private bind mounts), the real
# nvidia-docker-plugin (FAKE NVML, FAKE driver root) on 127.0.0.1:3476 there, the real docker
# CLI. Also: an engine seen from another mount namespace (/proc/PID/root) and from another pid
# namespace (the engine confirms by creating the volume).
. "$(dirname "$0")/../lib/common.sh"

if [ "${1:-}" != --inside ]; then
  [ "$(id -u)" = 0 ] || t_skip_all "needs root (namespaces, dockerd)"
  for x in "$NVD_BIN/nvidia-docker" "$NVD_BIN/nvidia-docker-plugin" "$NVD_BUILD/fakes/libnvidia-ml.so.1"; do
    [ -e "$x" ] || t_skip_all "$x not built (make check builds it)"
  done
  command -v dockerd >/dev/null && command -v docker >/dev/null || t_skip_all "docker not installed"
  [ -d /run/docker/plugins ] || mkdir -p /run/docker/plugins
  [ -d /etc/docker ] || t_skip_all "no /etc/docker to hide"
  rm -rf "$T_TMP"; trap - EXIT
  exec unshare --mount --net --propagation private bash "$0" --inside
fi

unset NV_GPU NV_DEBUG NV_HOST DOCKER_CONTEXT NVIDIA_DISABLE_REQUIRE
ip link set lo up
NVD=$NVD_BIN/nvidia-docker PLUGIN=$NVD_BIN/nvidia-docker-plugin
W=$T_TMP/w
mkdir -p "$W/plugins" "$W/etc-docker/plugins" "$W/elsewhere" "$W/dev" "$W/vols"
chmod 755 "$T_TMP" "$W"
mount --bind "$W/plugins" /run/docker/plugins
mount --bind "$W/etc-docker" /etc/docker
export DOCKER_HOST=unix://$W/docker.sock DOCKER_CONFIG=$W/docker-config
start_engine() {
  dockerd -H "$DOCKER_HOST" --data-root "$W/data" --exec-root "$W/exec" --pidfile "$W/docker.pid" \
    --bridge=none --iptables=false --ip-masq=false \
    --containerd-namespace "nvd-reach-$$" --containerd-plugins-namespace "nvd-reach-plugins-$$" \
    >>"$W/dockerd.log" 2>&1 </dev/null &
  DPID=$!
  t_cleanup "kill $DPID; wait $DPID"
  WAIT_SECONDS=60 wait_for "the engine" docker version || { tail -n 20 "$W/dockerd.log"; return 1; }
}
start_engine || { t_fail "dockerd starts"; t_finish; }
IMG=nvd-reach-labelled
make_image "$IMG" -c 'LABEL com.nvidia.volumes.needed=nvidia_driver'

DRV=375.39 # tests/fakes/gpus-3.json
bash "$NVD_ROOT/tests/fakes/make-driver-root.sh" "$W/root" "$DRV" >"$W/root.log" 2>&1 ||
  { t_fail "fake driver root"; t_finish; }
. "$NVD_ROOT/tests/fakes/fake_env.sh"
for n in nvidiactl:195:255 nvidia-uvm:238:0 nvidia-uvm-tools:238:1 nvidia0:195:0 nvidia1:195:1 nvidia2:195:2; do
  IFS=: read -r name major minor <<<"$n"; fake_node "$W/dev/$name" "$major" "$minor"
done
PPID_=
# plugin SOCKET_DIR: the real plugin, REST on 127.0.0.1:3476 (this network namespace's own).
plugin() {
  [ -n "$PPID_" ] && { kill "$PPID_"; wait "$PPID_" 2>/dev/null; }
  rm -f "$1/nvidia-docker.sock"
  env LD_LIBRARY_PATH="$NVD_BUILD/fakes" FAKE_NVML_CONFIG="$NVD_ROOT/tests/fakes/gpus-3.json" \
    NVD_DEV_ROOT="$W/dev" "$PLUGIN" -s "$1" -l 127.0.0.1:3476 -d "$W/vols" -r "$W/root" \
    >>"$W/plugin.log" 2>&1 &
  PPID_=$!
  t_cleanup "kill $PPID_"
  wait_for "plugin REST" curl -sf http://127.0.0.1:3476/v1.0/gpu/info/json &&
    wait_for "plugin socket" test -S "$1/nvidia-docker.sock"
}
# nvd [VAR=value...] -- ARGS: the wrapper with the real docker; RC, OUT, ERR
nvd() {
  local envs=(); while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
  env "${envs[@]}" "$NVD" "$@" </dev/null >"$W/out" 2>"$W/err"
  RC=$?; OUT=$(cat "$W/out"); ERR=$(cat "$W/err")
}
containers() { docker ps -aq | wc -l; }

# --- the plugin's socket where this engine does not look
plugin "$W/elsewhere" || { t_fail "plugin starts"; tail -n 5 "$W/plugin.log"; t_finish; }
MOUNT="--mount=type=volume,source=nvidia_driver_$DRV,target=/usr/local/nvidia,readonly,volume-driver=nvidia-docker"
out=$(docker create "$MOUNT" "$IMG" true 2>&1)
t_match "without the check, docker shows a missing image (what users saw)" "Unable to find image '$IMG:latest' locally" "$out"
nvd -- create "$IMG" true
t_eq "socket elsewhere: exit 1, no container" "1 0" "$RC $(containers)"
t_match "socket elsewhere: Docker's own answer is shown" \
  "cannot reach the volume plugin nvidia-docker \\(Docker: [^;]*error looking up volume plugin nvidia-docker: plugin \"nvidia-docker\" not found; docker run would report a missing image instead\\)" "$ERR"
t_match "socket elsewhere: where the engine looks" \
  "it looks for /run/docker/plugins/nvidia-docker.sock and for nvidia-docker.spec or .json in /etc/docker/plugins or /usr/lib/docker/plugins" "$ERR"
t_match "socket elsewhere: where ours listens, and what to do" \
  "nvidia-docker-plugin listens on $W/elsewhere/nvidia-docker.sock \\(pid $PPID_\\); start it with -s /run/docker/plugins \\(its default\\)" "$ERR"
t_eq "socket elsewhere: one line" 1 "$(printf '%s\n' "$ERR" | wc -l)"
t_eq "socket elsewhere: no missing-image text" "" "$(grep -i 'unable to find image' <<<"$ERR")"

# --- a socket file where the engine looks, but nobody listens on it
python3 -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' /run/docker/plugins/nvidia-docker.sock
nvd -- create "$IMG" true
t_eq "stale socket: exit 1, no container" "1 0" "$RC $(containers)"
t_match "stale socket: said so" "/run/docker/plugins/nvidia-docker.sock \\(there, but nothing answers\\)" "$ERR"
# docker takes the socket before any spec: a spec does not help then
echo "unix://$W/elsewhere/nvidia-docker.sock" > /etc/docker/plugins/nvidia-docker.spec
nvd -- create "$IMG" true
t_eq "stale socket and a spec: still refused (the socket comes first)" "1 0" "$RC $(containers)"
rm -f /etc/docker/plugins/nvidia-docker.spec
rm -f /run/docker/plugins/nvidia-docker.sock

# --- a spec file that names the socket elsewhere: docker uses it, and so does the check
echo "unix://$W/elsewhere/nvidia-docker.sock" > /etc/docker/plugins/nvidia-docker.spec
nvd NV_DEBUG=1 -- create "$IMG" true
t_eq "spec file: exit 0" 0 "$RC"
t_match "spec file: the check saw it" "Debug: volume plugin: spec /etc/docker/plugins/nvidia-docker.spec" "$ERR"
t_match "spec file: docker made the driver volume through the plugin" "nvidia-docker +nvidia_driver_$DRV" "$(docker volume ls)"
docker rm -f $(docker ps -aq) >/dev/null 2>&1; docker volume rm -f "nvidia_driver_$DRV" >/dev/null 2>&1
rm -f /etc/docker/plugins/nvidia-docker.spec

# The engine keeps a legacy plugin's address once it has used it: a fresh engine for the rest.
kill "$DPID"; wait "$DPID" 2>/dev/null
start_engine || { t_fail "dockerd restarts"; t_finish; }

# --- the plugin where the engine looks
plugin /run/docker/plugins || { t_fail "plugin starts on /run/docker/plugins"; t_finish; }
nvd NV_DEBUG=1 -- create "$IMG" true
t_eq "socket where docker looks: exit 0, a container" "0 1" "$RC $(containers)"
t_match "socket where docker looks: the check found it" "Debug: volume plugin: /run/docker/plugins/nvidia-docker.sock answers" "$ERR"
docker rm -f $(docker ps -aq) >/dev/null 2>&1

# --- the engine in another mount namespace than the wrapper (as a rootless engine is): the
# wrapper's own /run/docker/plugins is empty, the engine's (seen as /proc/PID/root) is not.
mkdir -p "$W/empty"
nvd NV_DEBUG=1 -- create "$IMG" true # warm: the volume exists now
ERR=$(unshare --mount --propagation private bash -c \
  'mount --bind "$1" /run/docker/plugins && NV_DEBUG=1 "$2" create "$3" true 2>&1 >/dev/null' _ "$W/empty" "$NVD" "$IMG")
t_match "engine in another mount namespace: looked up through /proc/PID/root" \
  "Debug: volume plugin: /proc/$DPID/root/run/docker/plugins/nvidia-docker.sock answers" "$ERR"
# ... and with the engine's process out of sight (another pid namespace), the engine confirms.
ERR=$(unshare --mount --pid --fork --mount-proc --propagation private bash -c \
  'mount --bind "$1" /run/docker/plugins && NV_DEBUG=1 "$2" create "$3" true 2>&1 >/dev/null' _ "$W/empty" "$NVD" "$IMG")
t_match "engine out of sight: the engine is asked and creates the volume" \
  "Debug: volume plugin: not where docker looks, but the engine created volume nvidia_driver_$DRV through it" "$ERR"
docker rm -f $(docker ps -aq) >/dev/null 2>&1

t_finish
