#!/bin/bash
# Rootless Docker, set up the Debian way (docker.io's dockerd-rootless.sh, rootlesskit, uidmap)
# for a throwaway user: the wrapper's check says why the engine cannot reach a plugin started
# the naive way, and the README's way (the plugin in the engine's user and mount namespaces)
# works: the engine makes the driver volume through the plugin. The real nvidia-docker-plugin
# (FAKE NVML, FAKE driver root) and the real docker CLI; all in private mount and network
# namespaces (a tmpfs on /run/user, the plugin's REST API on that namespace's 127.0.0.1:3476).
# rootlesskit runs with --net=host (DOCKERD_ROOTLESS_ROOTLESSKIT_NET=host): slirp4netns needs a
# /dev/net/tun the user may open, which some machines (this CI's VMs) do not give; the
# network does not matter for finding plugins.
. "$(dirname "$0")/../lib/common.sh"

ROOTLESS_SH=$(command -v dockerd-rootless.sh || echo /usr/share/docker.io/contrib/dockerd-rootless.sh)
if [ "${1:-}" != --inside ]; then
  [ "$(id -u)" = 0 ] || t_skip_all "needs root (a test user, namespaces)"
  for x in "$NVD_BIN/nvidia-docker" "$NVD_BIN/nvidia-docker-plugin" "$NVD_BUILD/fakes/libnvidia-ml.so.1"; do
    [ -e "$x" ] || t_skip_all "$x not built (make check builds it)"
  done
  for x in rootlesskit newuidmap newgidmap dockerd docker setpriv nsenter; do
    command -v "$x" >/dev/null || t_skip_all "$x not installed (make deps: rootlesskit uidmap)"
  done
  [ -x "$ROOTLESS_SH" ] || t_skip_all "dockerd-rootless.sh not found (Debian's docker.io ships it)"
  rm -rf "$T_TMP"; trap - EXIT
  exec unshare --mount --net --propagation private bash "$0" --inside
fi

unset NV_GPU NV_DEBUG NV_HOST DOCKER_HOST DOCKER_CONTEXT NVIDIA_DISABLE_REQUIRE CI
ip link set lo up
t_account nvdrl || { t_fail "test account"; t_finish; }
U=$T_ACCOUNT UID_=$(id -u "$T_ACCOUNT")
grep -q "^$U:" /etc/subuid && grep -q "^$U:" /etc/subgid ||
  { t_fail "useradd gave $U subordinate ids (/etc/subuid, /etc/subgid)"; t_finish; }
chmod 755 "$T_TMP"
H=$T_TMP/home
mkdir -p "$H" /run/user
mount -t tmpfs -o mode=755 tmpfs /run/user # this namespace's own
mkdir -m 700 "/run/user/$UID_"
chown "$U:$U" "$H" "/run/user/$UID_"
XDG=/run/user/$UID_
# "${AS[@]}" COMMAND...: runs as the test user, in a login-like environment (one process:
# setpriv and env exec, so that $! of a background "${AS[@]}" is the command's pid).
AS=(setpriv --reuid="$U" --regid="$U" --init-groups env -i HOME="$H" USER="$U" XDG_RUNTIME_DIR="$XDG"
  PATH="$(dirname "$ROOTLESS_SH"):/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
  DOCKER_HOST="unix://$XDG/docker.sock")
as() { "${AS[@]}" "$@"; }

"${AS[@]}" DOCKERD_ROOTLESS_ROOTLESSKIT_NET=host DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=none \
  "$ROOTLESS_SH" --data-root "$H/data" --bridge=none --iptables=false >"$T_TMP/dockerd.log" 2>&1 </dev/null &
KIT=$!
t_cleanup "kill $KIT; wait $KIT"
if ! WAIT_SECONDS=60 wait_for "the rootless engine" as docker version; then
  t_fail "rootless dockerd starts"; tail -n 20 "$T_TMP/dockerd.log"; t_finish
fi
DPID=$(cat "$XDG/docker.pid")
t_cleanup "kill $DPID"
t_match "the engine is rootless" "rootless" "$(as docker info --format '{{.SecurityOptions}}')"

R=$T_TMP/image-root
mkdir -p "$R/bin" && cp /bin/busybox "$R/bin/" && ln -s busybox "$R/bin/true"
IMG=nvd-rootless/labelled
tar -C "$R" -cf - . | as docker import -c 'LABEL com.nvidia.volumes.needed=nvidia_driver' - "$IMG" >/dev/null ||
  { t_fail "image imported"; t_finish; }

DRV=375.39 # tests/fakes/gpus-3.json
bash "$NVD_ROOT/tests/fakes/make-driver-root.sh" "$T_TMP/root" "$DRV" >"$T_TMP/root.log" 2>&1 ||
  { t_fail "fake driver root"; t_finish; }
chmod -R a+rX "$T_TMP/root"
mkdir -p "$T_TMP/dev" && chmod 755 "$T_TMP/dev"
for n in nvidiactl nvidia-uvm nvidia-uvm-tools nvidia0 nvidia1 nvidia2; do : >"$T_TMP/dev/$n"; done
PLUGIN_ENV=(LD_LIBRARY_PATH="$NVD_BUILD/fakes" FAKE_NVML_CONFIG="$NVD_ROOT/tests/fakes/gpus-3.json"
  NVD_DEV_ROOT="$T_TMP/dev")
PID=
# start_plugin [nsenter...] -- SOCKET_DIR: the plugin as the test user, REST on 127.0.0.1:3476.
start_plugin() {
  local pre=(); while [ "$1" != "--" ]; do pre+=("$1"); shift; done; shift
  [ -n "$PID" ] && { kill "$PID"; wait "$PID" 2>/dev/null; }
  "${AS[@]}" "${PLUGIN_ENV[@]}" "${pre[@]}" "$NVD_BIN/nvidia-docker-plugin" -s "$1" -l 127.0.0.1:3476 \
    -d "$H/.local/share/nvidia-docker/volumes" -r "$T_TMP/root" >>"$T_TMP/plugin.log" 2>&1 &
  PID=$!
  t_cleanup "kill $PID"
  wait_for "the plugin" curl -sf http://127.0.0.1:3476/v1.0/gpu/info/json
}
# nvd [VAR=value...] -- ARGS: the wrapper as the test user; RC, ERR
nvd() {
  local envs=(); while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
  as env "${envs[@]}" "$NVD_BIN/nvidia-docker" "$@" </dev/null >"$T_TMP/out" 2>"$T_TMP/err"
  RC=$?; ERR=$(cat "$T_TMP/err")
}

# --- the naive way: the plugin as the user, its socket in the user's runtime directory
start_plugin -- "$XDG/docker/plugins" || { t_fail "plugin starts"; tail -n 5 "$T_TMP/plugin.log"; t_finish; }
nvd -- create "$IMG" true
t_eq "plugin outside the engine's namespaces: exit 1, no container" "1 0" "$RC $(as docker ps -aq | wc -l)"
t_match "... Docker's answer" "\\(Docker: [^;]*error looking up volume plugin nvidia-docker" "$ERR"
t_match "... where the rootless engine looks" \
  "it \\(rootless, pid $DPID\\) looks in its own mount namespace for /run/docker/plugins/nvidia-docker.sock" "$ERR"
t_match "... where ours listens" "nvidia-docker-plugin listens on $XDG/docker/plugins/nvidia-docker.sock \\(pid [0-9]+\\)" "$ERR"
t_match "... what to do" \
  "start one in the engine's namespaces: nsenter -U --preserve-credentials -m -t $DPID nvidia-docker-plugin -s /run/docker/plugins -d DIR \\(README: Rootless Docker\\)" "$ERR"

# --- the README's way: in the engine's user and mount namespaces
start_plugin nsenter -U --preserve-credentials -m -t "$DPID" -- /run/docker/plugins ||
  { t_fail "plugin starts in the engine's namespaces"; tail -n 5 "$T_TMP/plugin.log"; t_finish; }
nvd NV_DEBUG=1 -- create --name nvd-rootless-c "$IMG" true
t_eq "plugin in the engine's namespaces: exit 0" 0 "$RC"
[ "$RC" = 0 ] || echo "$ERR"
t_match "... the check looked into the engine's mount namespace" \
  "Debug: volume plugin: /proc/$DPID/root/run/docker/plugins/nvidia-docker.sock answers" "$ERR"
t_match "... the rootless engine made the driver volume through the plugin, read-only" \
  "nvidia_driver_$DRV\\|nvidia-docker\\|/usr/local/nvidia\\|false" \
  "$(as docker inspect -f '{{range .Mounts}}{{.Name}}|{{.Driver}}|{{.Destination}}|{{.RW}} {{end}}' nvd-rootless-c)"
t_check "... the plugin provisioned the files in the user's directory" \
  test -d "$H/.local/share/nvidia-docker/volumes/nvidia_driver/$DRV"

t_finish
