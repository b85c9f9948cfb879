#!/bin/bash
# nvidia-docker-plugin as a system service (FAKE NVML, tests/fakes):
#  - readiness over a real sd_notify socket: READY=1 with a STATUS naming the GPUs and the
#    driver only once both sockets answer and the GPUs are known; RELOADING=1, STOPPING=1;
#  - the APIs come up before GPU discovery: while the FAKE NVML hangs ("sleep" switch), REST
#    answers 503 with one line and the volume plugin answers Err at once, and the wrapper shows
#    that line; a hung status query does not hold other requests or the shutdown;
#  - a driver upgrade under a running plugin and a running Docker engine: the fake driver's
#    version, files and kernel-module version file are switched; the next request notices, the
#    GPUs are discovered again, the new volume is built and old volume names keep working.
. "$(dirname "$0")/../lib/common.sh"
. "$NVD_ROOT/tests/fakes/fake_env.sh"

PLUGIN=$NVD_BIN/nvidia-docker-plugin
NVD=$NVD_BIN/nvidia-docker
LISTENER=$NVD_ROOT/tests/integration/notify_listener.py
[ -e "$NVD_BUILD/fakes/libnvidia-ml.so.1" ] || t_skip_all "fake NVML not built (make fakes)"
fake_gpu_env "$T_TMP/gpus3" "$NVD_ROOT/tests/fakes/gpus-3.json" 0 1 2
WAITING='nvidia-docker-plugin is still discovering GPUs: NVML has not answered for [0-9]+ s'

PID= SOCK= PORT= SOCK_DIR= LOG= LISTENER_PID=
# start NAME [ENV...]: the plugin on a free port, socket dir $T_TMP/NAME, log $T_TMP/NAME.log.
start() {
  local name=$1; shift
  PORT=$(free_port) SOCK_DIR=$T_TMP/$name LOG=$T_TMP/$name.log
  SOCK=$SOCK_DIR/nvidia-docker.sock
  mkdir -p "$SOCK_DIR"
  env "$@" "$PLUGIN" -l "127.0.0.1:$PORT" -s "$SOCK_DIR" -d "$T_TMP/volumes-$name" -cdi= 2>"$LOG" &
  PID=$!
  t_cleanup "kill $PID 2>/dev/null"
  wait_for "plugin socket" test -S "$SOCK"
}
# listen NAME: an sd_notify socket (a path, or @abstract) and its log $T_TMP/notify-*.log.
listen() {
  NOTIFY_LOG=$T_TMP/notify-${1//[@\/]/_}.log
  python3 "$LISTENER" "$1" "$NOTIFY_LOG" "http://127.0.0.1:$PORT" "$SOCK" &
  LISTENER_PID=$!
  t_cleanup "kill $LISTENER_PID 2>/dev/null"
  wait_for "notify listener" grep -q listening "$NOTIFY_LOG"
}
# get URL_PATH: CODE, BODY (first line), SECONDS_TAKEN of a REST request (at most 5 s).
get() {
  local t0 out
  t0=$(date +%s%N)
  out=$(curl -s -m 5 -w '\n%{http_code}' "http://127.0.0.1:$PORT$1")
  SECONDS_TAKEN=$(( ($(date +%s%N) - t0) / 1000000 ))
  CODE=${out##*$'\n'} BODY=${out%$'\n'*}
  BODY=${BODY%$'\n'}
}
vol() { curl -s -m 5 --unix-socket "$SOCK" -X POST "http://plugin/$1" -d "${2:-{\}}"; }

# ---- readiness: sd_notify over a real datagram socket ------------------------------------------
PORT=$(free_port) SOCK_DIR=$T_TMP/ready SOCK=$T_TMP/ready/nvidia-docker.sock
listen "$T_TMP/notify.sock"
python3 -c "
import json; c=json.load(open('$FAKE_NVML_CONFIG')); c['sleep']={'nvmlInit_v2': 2}
json.dump(c, open('$T_TMP/slow-init.json','w'))"
mkdir -p "$SOCK_DIR"
NOTIFY_SOCKET=$T_TMP/notify.sock FAKE_NVML_CONFIG=$T_TMP/slow-init.json \
  "$PLUGIN" -l "127.0.0.1:$PORT" -s "$SOCK_DIR" -d "$T_TMP/volumes" -cdi= 2>"$T_TMP/ready.log" &
PID=$!
t_cleanup "kill $PID 2>/dev/null"
wait_for "plugin socket" test -S "$SOCK"
get /v1.0/docker/cli/json
t_match "NVML still initialising: 503 with the reason" "^503 $WAITING\$" "$CODE $BODY"
t_eq "... and systemd was not told READY yet" "" "$(grep READY "$NOTIFY_LOG")"
wait_for "READY=1" grep -q "READY=1" "$NOTIFY_LOG"
t_match "STATUS while discovering" "^STATUS=Discovering the GPUs\$" "$(sed -n 2p "$NOTIFY_LOG")"
t_eq "READY=1 names the GPUs and the driver" \
  "READY=1|STATUS=Serving 3 GPUs (0: Tesla P100-PCIE-16GB, 1: Tesla P100-PCIE-16GB, 2: GPU-7c3e2f5a-44b1-6f0e-3a9d-5b8e0c6d2a19), driver 375.39, CUDA 8.0" \
  "$(grep READY "$NOTIFY_LOG")"
wait_for "probe" grep -q "^probe" "$NOTIFY_LOG"
t_eq "right after READY=1 both sockets answer" "probe rest=200 volume=200" "$(grep '^probe' "$NOTIFY_LOG")"
kill -HUP "$PID"
wait_for "reload" bash -c "test \$(grep -c READY=1 '$NOTIFY_LOG') = 2"
t_match "SIGHUP: RELOADING=1, then READY=1 again" \
  "RELOADING=1\|STATUS=Discovering the GPUs again .*READY=1\|STATUS=Serving 3 GPUs" "$(tr '\n' ' ' <"$NOTIFY_LOG")"
kill -TERM "$PID"; wait "$PID"
t_eq "SIGTERM: exit 0" 0 $?
t_eq "SIGTERM: STOPPING=1 last" "STOPPING=1|STATUS=Stopping" "$(tail -n 1 "$NOTIFY_LOG")"

# An abstract socket (@name); the variable is not passed to the plugin's children
# (nvidia-modprobe, run here because nvidia-uvm is missing, records its environment).
mkdir -p "$T_TMP/bin" "$T_TMP/dev-nouvm"
cp -a "$NVD_DEV_ROOT/." "$T_TMP/dev-nouvm/" && rm -f "$T_TMP/dev-nouvm/nvidia-uvm"
printf '#!/bin/sh\nenv >"%s/modprobe.env"\n: >"$NVD_DEV_ROOT/nvidia-uvm"\n' "$T_TMP" >"$T_TMP/bin/nvidia-modprobe"
chmod +x "$T_TMP/bin/nvidia-modprobe"
PORT=$(free_port) SOCK_DIR=$T_TMP/abstract SOCK=$T_TMP/abstract/nvidia-docker.sock
listen "@nvd-svc-notify-$$"
start abstract NOTIFY_SOCKET="@nvd-svc-notify-$$" NVD_DEV_ROOT="$T_TMP/dev-nouvm" PATH="$T_TMP/bin:$PATH"
wait_for "READY=1 on @name" grep -q "READY=1" "$NOTIFY_LOG"
t_match "abstract NOTIFY_SOCKET: READY=1" "READY=1\|STATUS=Serving 3 GPUs" "$(cat "$NOTIFY_LOG")"
t_check "nvidia-modprobe ran" test -s "$T_TMP/modprobe.env"
t_eq "children do not inherit NOTIFY_SOCKET" "" "$(grep NOTIFY_SOCKET "$T_TMP/modprobe.env")"
stop_plugin
NOTIFY_SOCKET=relative/path "$PLUGIN" -l "127.0.0.1:$(free_port)" -s "$T_TMP/badnotify" -d "$T_TMP/volumes" -cdi= 2>"$T_TMP/bad.log"
t_eq "a malformed NOTIFY_SOCKET: exit 1" 1 $?
t_match "... saying why" "NOTIFY_SOCKET=relative/path: expected an absolute path or @name" "$(cat "$T_TMP/bad.log")"

# ---- a hung NVML: at start, and in a status query ------------------------------------------------
python3 -c "
import json; c=json.load(open('$FAKE_NVML_CONFIG')); c['sleep']={'nvmlInit_v2': 120}
json.dump(c, open('$T_TMP/hung-init.json','w'))"
start hung-init FAKE_NVML_CONFIG="$T_TMP/hung-init.json"
sleep 1.2 # so that NVML has hung for over a second: answers come at once, without waiting
for path in /v1.0/docker/cli/json /docker/cli /gpu/info/json /mesos/cli /gpu/status; do
  get "$path"
  t_match "hung nvmlInit: $path answers 503 with the reason" "^503 $WAITING\$" "$CODE $BODY"
  echo "#   answered in $SECONDS_TAKEN ms"
done
get /v1.0/nosuchroute; t_eq "hung nvmlInit: an unknown route is still 404" 404 "$CODE"
t_match "hung nvmlInit: volume Mount answers Err with the reason" \
  "^\{\"Mountpoint\":null,\"Err\":\"$WAITING\"\}\$" "$(vol VolumeDriver.Mount '{"Name":"nvidia_driver_375.39","ID":"x"}')"
t_match "hung nvmlInit: volume Create answers Err" "^\{\"Err\":\"$WAITING\"\}\$" \
  "$(vol VolumeDriver.Create '{"Name":"nvidia_driver_375.39"}')"
t_eq "hung nvmlInit: Plugin.Activate answers" '{"Implements":["VolumeDriver"]}' "$(vol Plugin.Activate)"
t_eq "hung nvmlInit: List answers" '{"Volumes":null,"Err":null}' "$(vol VolumeDriver.List)"
# The wrapper's plugin client shows the plugin's line instead of "connection refused" (the
# whole wrapper against a real engine: in the last part).
env -u DOCKER_HOST NV_HOST="http://127.0.0.1:$PORT" NV_GPU=0 "$NVD_BUILD/tools/plugin_query" cli \
  >/dev/null 2>"$T_TMP/err"
t_eq "plugin client: exit 1" 1 "$?"
t_match "plugin client: the plugin's reason as it is" "^error: $WAITING\$" "$(cat "$T_TMP/err")"
HUNG_PORT=$PORT
HUNG_PID=$PID # stopped after the wrapper's check below

python3 -c "
import json; c=json.load(open('$FAKE_NVML_CONFIG')); c['sleep']={'nvmlDeviceGetTemperature': 30}
json.dump(c, open('$T_TMP/hung-status.json','w'))"
start hung-status FAKE_NVML_CONFIG="$T_TMP/hung-status.json"
wait_for "discovery" curl -sf "http://127.0.0.1:$PORT/gpu/info/json"
get /gpu/status/json
t_match "hung status query: 503 with the reason" "^503 $WAITING\$" "$CODE $BODY"
echo "#   answered in $SECONDS_TAKEN ms"
get /v1.0/docker/cli/json
t_eq "hung status query: /docker/cli still answers" 200 "$CODE"
get /gpu/info/json
t_eq "hung status query: /gpu/info still answers" 200 "$CODE"
get /gpu/status
t_match "hung status query, again: 503 at once" "^503 $WAITING\$" "$CODE $BODY"
echo "#   answered in $SECONDS_TAKEN ms"
kill -TERM "$PID"; wait "$PID"
t_eq "SIGTERM with a status query hung: exit 0" 0 $?
PID=

# ---- a driver upgrade under a running plugin and a running engine -------------------------------
command -v docker >/dev/null || { echo "# docker not installed: upgrade part skipped"; t_finish; }
start_dockerd || { echo "# no Docker engine: upgrade part skipped"; t_finish; }
[ "$(id -u)" = 0 ] || { echo "# not root: upgrade part skipped"; t_finish; }
# The wrapper, a local image, the real engine, and the plugin whose NVML hangs.
make_image nvd-svc-busybox
env -u NV_GPU -u DOCKER_HOST -u NV_DOCKER NV_HOST="http://127.0.0.1:$HUNG_PORT" NV_GPU=0 \
  "$NVD" run --rm --network none nvd-svc-busybox true >"$T_TMP/out" 2>"$T_TMP/err"
t_eq "wrapper with the plugin's NVML hung: exit 1" 1 "$?"
t_match "wrapper: one line, the plugin's reason" "^[^ ]*nvidia-docker \| [0-9/]+ [0-9:]+ Error: $WAITING\$" "$(cat "$T_TMP/err")"
kill -TERM "$HUNG_PID"; wait "$HUNG_PID"
t_eq "SIGTERM with nvmlInit hung: exit 0" 0 "$?"
t_match "... after saying it does not wait for NVML" \
  "NVML has not answered for [0-9]+ s; exiting without waiting for it" "$(cat "$T_TMP/hung-init.log")"

t_lock plugin-socket
A=470.1.1 B=535.2.2 C=550.3.3 # versions of this test alone (global volume names in the engine)
IMAGE=nvd-svc-busybox
t_cleanup "docker rmi -f $IMAGE >/dev/null 2>&1"
SOCK_DIR=/run/docker/plugins SOCK=/run/docker/plugins/nvidia-docker.sock
mkdir -p "$SOCK_DIR"
cleanup_docker() {
  docker rm -f nvd-svc-old nvd-svc-old2 >/dev/null 2>&1
  [ -S "$SOCK" ] && docker volume rm -f "nvidia_driver_$A" "nvidia_driver_$B" "nvidia_driver_$C" >/dev/null 2>&1
  return 0
}
t_cleanup stop_plugin
t_cleanup cleanup_docker
for v in $A $B $C; do
  bash "$NVD_ROOT/tests/fakes/make-driver-root.sh" "$T_TMP/root-$v" "$v" >/dev/null 2>&1 || { t_fail "fake driver root $v"; t_finish; }
done
# switch VERSION: the fake driver is now VERSION: NVML's answer, the files, the module's file.
switch() {
  python3 -c "
import json; c=json.load(open('$NVD_ROOT/tests/fakes/gpus-3.json')); c['driver_version']='$1'
json.dump(c, open('$T_TMP/driver.json.new','w'))" && mv "$T_TMP/driver.json.new" "$T_TMP/driver.json"
  ln -sfn "$T_TMP/root-$1" "$T_TMP/root"
  mkdir -p "$T_TMP/proc/driver/nvidia"
  echo "NVRM version: NVIDIA UNIX x86_64 Kernel Module  $1  Release Build  (FAKE)" >"$T_TMP/proc/driver/nvidia/version.new"
  mv "$T_TMP/proc/driver/nvidia/version.new" "$T_TMP/proc/driver/nvidia/version"
}
switch $A
PORT=$(free_port)
listen "$T_TMP/notify-upgrade.sock"
# start_upgrade LOG: the plugin on the engine's socket directory, the switchable fake driver.
start_upgrade() {
  rm -f "$SOCK"
  NOTIFY_SOCKET=$T_TMP/notify-upgrade.sock FAKE_NVML_CONFIG=$T_TMP/driver.json NVD_PROC_ROOT=$T_TMP/proc \
    PATH=/usr/local/nvidia/bin:/usr/local/bin:/usr/bin:/bin \
    "$PLUGIN" -l "127.0.0.1:$PORT" -s "$SOCK_DIR" -d "$T_TMP/upgrade-volumes" -r "$T_TMP/root" -cdi= 2>"$1" &
  PID=$!
  LOG=$1
}
start_upgrade "$T_TMP/upgrade.log"
wait_for "READY=1" grep -q "READY=1" "$NOTIFY_LOG" || { t_fail "plugin not ready"; cat "$LOG"; t_finish; }
cleanup_docker # leftovers of an interrupted run
mnt() { echo "type=volume,source=nvidia_driver_$1,target=/usr/local/nvidia,readonly,volume-driver=nvidia-docker"; }
libcuda() { docker run --rm --network none --mount "$(mnt "$1")" "$IMAGE" readlink /usr/local/nvidia/lib64/libcuda.so.1 2>&1; }
t_eq "driver $A: a container gets its files" "libcuda.so.$A" "$(libcuda $A)"
docker create --name nvd-svc-old --network none --mount "$(mnt $A)" "$IMAGE" readlink /usr/local/nvidia/lib64/libcuda.so.1 >/dev/null

switch $B # the upgrade: nothing restarted
get /v1.0/docker/cli/json
t_eq "the next request names the new driver's volume" \
  '200 {"VolumeDriver":"nvidia-docker","Volumes":["nvidia_driver_535.2.2:/usr/local/nvidia:ro"],"Devices":["/dev/nvidiactl","/dev/nvidia-uvm","/dev/nvidia-uvm-tools","/dev/nvidia0","/dev/nvidia1","/dev/nvidia2"]}' \
  "$CODE $BODY"
echo "#   answered in $SECONDS_TAKEN ms (the GPUs discovered again in between)"
t_match "the plugin logged the change" "Driver changed from $A to $B" "$(cat "$LOG")"
wait_for "new volume" grep -q "Driver volume nvidia_driver_$B ready" "$LOG"
t_match "the new driver's volume is built at once" "Driver volume nvidia_driver_$B ready \(built in [0-9]+ ms\)" "$(cat "$LOG")"
t_match "systemd heard RELOADING=1, then READY=1 with the new driver" \
  "RELOADING=1\|STATUS=The NVIDIA kernel module changed \(now $B\).* READY=1\|STATUS=Serving 3 GPUs .*driver $B" "$(tr '\n' ' ' <"$NOTIFY_LOG")"
t_eq "driver $B: a new container gets the new files" "libcuda.so.$B" "$(libcuda $B)"
t_eq "the container created on driver $A starts with driver $B's files" "libcuda.so.$B" \
  "$(docker start -a nvd-svc-old 2>&1)"
t_match "... and the plugin logged the mapping" "Serving volume 'nvidia_driver_$A' with the running driver's volume" "$(cat "$LOG")"

switch $C # noticed by the volume plugin alone: no REST request in between
t_eq "driver $C, noticed at a Mount: the old name gets the newest files" "libcuda.so.$C" "$(libcuda $A)"
t_match "the plugin logged the second change" "Driver changed from $B to $C" "$(cat "$LOG")"

# A mounted volume is never deleted, not even after a restart of the plugin (which used to
# forget the mounts), nor one mounted without an ID.
docker run -d --name nvd-svc-old2 --network none --mount "$(mnt $C)" "$IMAGE" sleep 300 >/dev/null
stop_plugin
start_upgrade "$T_TMP/upgrade2.log"
wait_for "restarted plugin" test -S "$SOCK"
vol() { curl -s -m 5 --unix-socket "$SOCK" -X POST "http://plugin/$1" -d "$2"; }
# (docker itself refuses `volume rm` while a container uses the volume: ask the plugin.)
t_match "after a plugin restart: Remove of the volume a running container uses is refused" \
  "volume nvidia_driver_$C is in use by 1 mount" "$(vol VolumeDriver.Remove "{\"Name\":\"nvidia_driver_$C\"}")"
t_check "... its files are still there" test -L "$T_TMP/upgrade-volumes/nvidia_driver/$C/lib64/libcuda.so.1"
docker rm -f nvd-svc-old2 >/dev/null
t_eq "once the container is gone (docker unmounted it): rm works" "nvidia_driver_$C" \
  "$(docker volume rm "nvidia_driver_$C" 2>&1)"
vol VolumeDriver.Mount "{\"Name\":\"nvidia_driver_$C\"}" >/dev/null
t_match "a Mount without an ID: Remove refused" "is in use by 1 mount" \
  "$(vol VolumeDriver.Remove "{\"Name\":\"nvidia_driver_$C\"}")"
vol VolumeDriver.Unmount "{\"Name\":\"nvidia_driver_$C\"}" >/dev/null
t_eq "... until an Unmount without one" '{"Err":null}' "$(vol VolumeDriver.Remove "{\"Name\":\"nvidia_driver_$C\"}")"
cleanup_docker
stop_plugin
t_check "no sanitizer report in the plugin logs" \
  bash -c "! grep -lE 'Sanitizer|runtime error' '$T_TMP'/*.log"
t_finish
