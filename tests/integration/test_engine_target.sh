#!/bin/bash
# The plugin follows the engine: a second Docker engine of this test's own in a network
# namespace (dockerd on tcp://NSIP:2375, a fake plugin on NSIP:3476 with a GPU of its own), real
# docker contexts pointing at it, and the wrapper choosing the plugin from -H/--host, --context,
# DOCKER_CONTEXT, the config's current context and DOCKER_HOST; NV_HOST still overrides.
# docker is a stand-in that sends image queries to the real CLI and records run/create.
. "$(dirname "$0")/../lib/common.sh"

[ "$(id -u)" = 0 ] || t_skip_all "needs root (ip netns, dockerd)"
NVD=$NVD_BIN/nvidia-docker REC=$NVD_BUILD/tools/recorder FAKE=$NVD_BUILD/fakes/fake-plugin
for x in "$NVD" "$REC" "$FAKE"; do [ -x "$x" ] || t_skip_all "$x not built (make check builds it)"; done
command -v dockerd >/dev/null && command -v docker >/dev/null || t_skip_all "docker not installed"
unset NV_GPU NV_DEBUG NV_HOST DOCKER_HOST DOCKER_CONTEXT NVIDIA_DISABLE_REQUIRE
export DOCKER_CONFIG=$T_TMP/docker-config # contexts go here, not into ~/.docker
mkdir -p "$DOCKER_CONFIG"

# --- the second engine and its plugin, in a network namespace of their own
NS=nvd-eng-$$ SUB=$(( $$ % 250 + 1 ))
HOSTIP=10.233.$SUB.1 NSIP=10.233.$SUB.2
ip netns add "$NS" || { t_fail "network namespace $NS created"; t_finish; }
t_cleanup "ip netns delete $NS"
ip link add "nvdea$SUB" type veth peer name "nvdeb$SUB" || { t_fail "veth pair created"; t_finish; }
t_cleanup "ip link delete nvdea$SUB"
ip link set "nvdeb$SUB" netns "$NS"
ip addr add "$HOSTIP/30" dev "nvdea$SUB" && ip link set "nvdea$SUB" up
ip netns exec "$NS" ip addr add "$NSIP/30" dev "nvdeb$SUB"
ip netns exec "$NS" ip link set "nvdeb$SUB" up
ip netns exec "$NS" ip link set lo up

E=$T_TMP/engine
mkdir -p "$E"
# --bridge=none and --iptables=false: nothing of the host's network is touched (and the
# namespace keeps the host's docker0 safe); containerd namespaces of its own. nsenter, not
# `ip netns exec`: that remounts /sys, and dockerd then finds no cgroups.
nsenter --net="/run/netns/$NS" dockerd -H "unix://$E/docker.sock" -H "tcp://$NSIP:2375" \
  --data-root "$E/data" --exec-root "$E/exec" --pidfile "$E/docker.pid" \
  --bridge=none --iptables=false --ip-masq=false --tls=false \
  --containerd-namespace "nvd-eng-$$" --containerd-plugins-namespace "nvd-eng-plugins-$$" \
  >"$E/dockerd.log" 2>&1 </dev/null &
DPID=$!
t_cleanup "kill $DPID; wait $DPID; rm -rf --one-file-system $E"
REMOTE=tcp://$NSIP:2375
# Up to 60 s: a first start (containerd of its own) under the sanitizers' load takes a while.
for _ in $(seq 1 120); do docker -H "$REMOTE" version >/dev/null 2>&1 && break; sleep 0.5; done
if ! docker -H "$REMOTE" version >/dev/null 2>&1; then
  t_fail "second dockerd starts"; tail -n 20 "$E/dockerd.log"; t_finish
fi
ip netns exec "$NS" "$FAKE" --listen "$NSIP" --port 3476 --path /dev/nvidia5 \
  --uuid GPU-eeee0000-0000-0000-0000-000000000005 --driver 535.77 --max-seconds 300 \
  --log "$T_TMP/remote-plugin.log" >/dev/null 2>&1 &
t_cleanup "kill $!"
wait_for "the remote plugin" curl -sf "http://$NSIP:3476/v1.0/gpu/info/json" || { t_fail "remote plugin starts"; t_finish; }
# The host's own plugin stand-in (NV_HOST cases), with another GPU.
"$FAKE" --port-file "$T_TMP/local.port" --path /dev/nvidia0 --driver 580.1 --max-seconds 300 >/dev/null 2>&1 &
t_cleanup "kill $!"
wait_for "the local plugin" test -s "$T_TMP/local.port" || { t_fail "local plugin starts"; t_finish; }
LOCAL_PORT=$(cat "$T_TMP/local.port")

# The same image name on both engines would hide which one was asked: the local one has its
# own name (the shared engine, as every test).
start_dockerd || { t_fail "the machine's engine answers"; t_finish; }
LOCAL_IMG=nvd-eng-t$$-local
t_cleanup "docker rmi -f $LOCAL_IMG"
make_image "$LOCAL_IMG" -c 'LABEL com.nvidia.volumes.needed=nvidia_driver'
IMG=nvd-eng-t$$-labelled
DOCKER_HOST=$REMOTE make_image "$IMG" -c 'LABEL com.nvidia.volumes.needed=nvidia_driver' ||
  { t_fail "image made on the second engine"; t_finish; }
t_check "the image is on the second engine only" bash -c "! docker image inspect $IMG >/dev/null 2>&1"

docker context create "nvd-ctx-$$" --docker "host=$REMOTE" >/dev/null 2>&1 ||
  { t_fail "docker context created"; t_finish; }
t_check "docker wrote the context where the wrapper looks" \
  test -s "$DOCKER_CONFIG/contexts/meta/$(printf %s "nvd-ctx-$$" | sha256sum | cut -d' ' -f1)/meta.json"

# docker: image queries and pulls to the real CLI (with the global options the wrapper
# repeats), run/create recorded.
cat > "$T_TMP/docker" <<EOS
#!/bin/bash
for a in "\$@"; do case \$a in image|pull) exec docker "\$@";; run|create) break;; esac; done
exec "$REC" "\$@"
EOS
chmod +x "$T_TMP/docker"
# wrap [VAR=value...] -- ARGS: RC, ERR, RECORD
wrap() {
  local envs=(); while [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift
  rm -f "$T_TMP/rec"
  env NV_DOCKER="$T_TMP/docker" NVD_RECORD="$T_TMP/rec" "${envs[@]}" "$NVD" "$@" \
    </dev/null >/dev/null 2>"$T_TMP/err"
  RC=$?; ERR=$(cat "$T_TMP/err")
  RECORD=$([ -e "$T_TMP/rec" ] && tr '\n' ' ' <"$T_TMP/rec")
}
REMOTE_GPU="--device=/dev/nvidia5 .*source=nvidia_driver_535.77,"
# remote LABEL [VAR=value...] -- ARGS: the run must get the second engine's plugin's GPU
remote() {
  local label=$1; shift
  : > "$T_TMP/remote-plugin.log"
  wrap "$@"
  t_eq "$label: exit 0" 0 "$RC"
  t_match "$label: the GPU and driver volume of the engine's own plugin" "$REMOTE_GPU" "$RECORD"
  t_check "$label: that plugin was asked" test -s "$T_TMP/remote-plugin.log"
  [ "$RC" = 0 ] || echo "$ERR"
}

remote "--context NAME" -- --context "nvd-ctx-$$" run --rm "$IMG" true
t_match "--context: the global option is passed on" "^$REC --context nvd-ctx-$$ run " "$RECORD"
remote "-c NAME" -- -c "nvd-ctx-$$" run --rm "$IMG" true
remote "DOCKER_CONTEXT" DOCKER_CONTEXT="nvd-ctx-$$" -- run --rm "$IMG" true
remote "-H tcp://..." -- -H "$REMOTE" run --rm "$IMG" true
remote "--host=tcp://..." -- "--host=$REMOTE" container run --rm "$IMG" true
remote "DOCKER_HOST" DOCKER_HOST="$REMOTE" -- run --rm "$IMG" true
docker context use "nvd-ctx-$$" >/dev/null 2>&1
remote "the config's current context (docker context use)" -- run --rm "$IMG" true
wrap NV_DEBUG=1 -- run --rm "$IMG" true
t_match "NV_DEBUG names the engine and what chose it" \
  "Debug: engine: $REMOTE \\(from docker context 'nvd-ctx-$$'\\)" "$ERR"
t_match "NV_DEBUG names the plugin and what chose it" \
  "Debug: plugin: http://$NSIP:3476 \\(from docker context 'nvd-ctx-$$' host\\)" "$ERR"

# NV_HOST still overrides the engine's plugin.
wrap NV_HOST="http://127.0.0.1:$LOCAL_PORT" -- --context "nvd-ctx-$$" run --rm "$IMG" true
t_eq "NV_HOST with a context: exit 0" 0 "$RC"
t_match "NV_HOST with a context: NV_HOST's plugin" "--device=/dev/nvidia0 .*source=nvidia_driver_580.1," "$RECORD"

# DOCKER_HOST beats the current context (docker's order): the local engine, the local plugin.
wrap NV_DEBUG=1 DOCKER_HOST=unix:///var/run/docker.sock -- run --rm "$LOCAL_IMG" true
t_match "DOCKER_HOST=unix:// over the current context: the local engine" \
  "Debug: engine: asking the Engine API at unix:///var/run/docker.sock" "$ERR"
t_match "DOCKER_HOST=unix:// over the current context: the local plugin" \
  "Debug: plugin: http://127.0.0.1:3476 \\(from DOCKER_HOST\\)" "$ERR"
wrap NV_DEBUG=1 -- --context default run --rm "$LOCAL_IMG" true
t_match "--context default: the local plugin" "Debug: plugin: http://127.0.0.1:3476 \\(from default\\)" "$ERR"
docker context use default >/dev/null 2>&1

# A context that does not exist: docker's own message, docker run never reached.
wrap DOCKER_CONTEXT="nvd-no-such-$$" -- run --rm "$IMG" true
t_eq "unknown context: exit 1, nothing run" "1:" "$RC:$RECORD"
t_match "unknown context: the message names it" "nvd-no-such-$$" "$ERR"

docker context rm -f "nvd-ctx-$$" >/dev/null 2>&1
t_finish
