#!/bin/bash
# The run/create path end to end: the real front end and run module, the real Docker engine
# (image inspect over its socket or through the CLI, pulls), the fake plugin on loopback, and
# build/tools/recorder standing in for the final docker so that the exact argv can be checked.
. "$(dirname "$0")/../lib/common.sh"

NVD=$NVD_BIN/nvidia-docker
REC=$NVD_BUILD/tools/recorder
FAKE=$NVD_BUILD/fakes/fake-plugin
[ -x "$NVD" ] && [ -x "$REC" ] || t_skip_all "build first (make)"
[ -x "$FAKE" ] || t_skip_all "fake plugin not built ($FAKE)"
start_dockerd || t_skip_all "no docker engine"
command -v docker >/dev/null || t_skip_all "no docker CLI"

P=nvd-runpath-t$$
IMG_LABEL=$P-labelled IMG_PLAIN=$P-plain IMG_ENV=$P-env IMG_VOID=$P-void IMG_NEW=$P-newcuda
t_cleanup "docker rmi -f $IMG_LABEL $IMG_PLAIN $IMG_ENV $IMG_VOID $IMG_NEW"
make_image "$IMG_LABEL" -c 'LABEL com.nvidia.volumes.needed="nvidia_driver"' \
  -c 'LABEL com.nvidia.cuda.version="9.0.176"'
make_image "$IMG_PLAIN" -c 'LABEL maintainer=nobody'
make_image "$IMG_ENV" -c 'ENV NVIDIA_VISIBLE_DEVICES=all' \
  -c 'ENV NVIDIA_REQUIRE_CUDA="cuda>=12.4 brand=tesla,driver>=470,driver<471"'
make_image "$IMG_VOID" -c 'ENV NVIDIA_VISIBLE_DEVICES=void'
make_image "$IMG_NEW" -c 'LABEL com.nvidia.volumes.needed=nvidia_driver' \
  -c 'ENV NVIDIA_REQUIRE_CUDA=cuda>=14.1'

# NV_DOCKER stand-ins. `counting`: logs each call, then records. `forwarding`: logs each call,
# sends image/pull queries to the real docker and records the rest.
CALLS=$T_TMP/calls
cat > "$T_TMP/counting" <<EOS
#!/bin/sh
echo "\$*" >> "$CALLS"
exec "$REC" "\$@"
EOS
cat > "$T_TMP/forwarding" <<EOS
#!/bin/bash
echo "\$*" >> "$CALLS"
for a in "\$@"; do case \$a in image|pull) exec docker "\$@";; run|create) break;; esac; done
exec "$REC" "\$@"
EOS
# `pulling`: like forwarding, but a pull "succeeds" by tagging the labelled image under the
# wanted name (nothing can be downloaded here), printing progress on its stdout.
cat > "$T_TMP/pulling" <<EOS
#!/bin/bash
echo "\$*" >> "$CALLS"
for a in "\$@"; do case \$a in
  pull) echo "PULL-PROGRESS"; exec docker tag "$IMG_LABEL" "\${@: -1}";;
  image) exec docker "\$@";;
  run|create) break;; esac; done
exec "$REC" "\$@"
EOS
chmod +x "$T_TMP/counting" "$T_TMP/forwarding" "$T_TMP/pulling"

# start_fake NAME [fake-plugin options]: sets PORT_<NAME>; the request log is $T_TMP/NAME.log
start_fake() {
  local name=$1; shift
  "$FAKE" --port-file "$T_TMP/$name.port" --log "$T_TMP/$name.log" --max-seconds 200 "$@" \
    >"$T_TMP/$name.out" 2>&1 &
  t_cleanup "kill $!"
  wait_for "fake plugin $name" test -s "$T_TMP/$name.port" || return 1
  printf -v "PORT_$name" '%s' "$(cat "$T_TMP/$name.port")"
}
start_fake one || t_skip_all "fake plugin did not start"
start_fake two --gpus 2
start_fake old --cuda 8.0
start_fake slow --delay-ms 4000
start_fake garbage --garbage
start_fake huge --huge
# Devices and a volume that are not NVIDIA's: refused before docker runs.
start_fake e2e --status 200 \
  --body '{"VolumeDriver":"","Volumes":["'$P'-e2e:/usr/local/nvidia:ro"],"Devices":["/dev/full"]}'
t_cleanup "docker volume rm -f $P-e2e"
DOWN_PORT=$(free_port)

REC_FILE=$T_TMP/record
# nvd PORT [VAR=value...] -- args...: runs the wrapper with the recorder as docker and the
# fake plugin at PORT; stdout in $OUT, stderr in $ERR, status in $RC, record in $RECORD.
nvd() {
  local port=$1; shift
  local envs=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done
  shift
  rm -f "$REC_FILE" "$CALLS"
  env -u NV_GPU -u NV_DEBUG -u DOCKER_HOST -u NVIDIA_DISABLE_REQUIRE NV_DOCKER="$REC" \
    NVD_RECORD="$REC_FILE" NV_HOST="http://127.0.0.1:$port" DOCKER_HOST= "${envs[@]}" \
    "$NVD" "$@" >"$T_TMP/out" 2>"$T_TMP/err"
  RC=$?
  OUT=$(cat "$T_TMP/out"); ERR=$(cat "$T_TMP/err")
  RECORD=$( [ -e "$REC_FILE" ] && tr '\n' ' ' < "$REC_FILE" | sed 's/ $//')
}
lines() { if [ -z "$1" ]; then echo 0; else printf '%s\n' "$1" | wc -l; fi; }

GPU1="--device=/dev/nvidiactl --device=/dev/nvidia-uvm --device=/dev/nvidia-uvm-tools --device=/dev/nvidia0"
MOUNT="--mount=type=volume,source=nvidia_driver_580.1,target=/usr/local/nvidia,readonly,volume-driver=nvidia-docker"

# --- decisions and exact argv -------------------------------------------------------------
: > "$T_TMP/one.log"
nvd "$PORT_one" -- run --rm "$IMG_LABEL" true
t_eq "labelled image: exit 0" 0 "$RC"
t_eq "labelled image: exact argv" "$REC run --rm $GPU1 $MOUNT $IMG_LABEL true" "$RECORD"
t_eq "labelled image: nothing on stderr" "" "$ERR"
t_match "labelled image: CUDA check asked gpu/info (9.0 label)" "GET /v1.0/gpu/info/json" "$(cat "$T_TMP/one.log")"
t_match "labelled image: docker/cli asked for nvidia_driver" "GET /v1.0/docker/cli/json\?vol=nvidia_driver" "$(cat "$T_TMP/one.log")"

: > "$T_TMP/one.log"
nvd "$PORT_one" -- run --rm -it "$IMG_PLAIN" sh -c 'echo hi'
t_eq "plain image: argv unchanged" "$REC run --rm -it $IMG_PLAIN sh -c echo hi" "$RECORD"
t_eq "plain image: plugin not asked" "" "$(cat "$T_TMP/one.log")"

nvd "$PORT_one" NV_GPU=" , " -- run "$IMG_PLAIN" true
t_eq "blank NV_GPU (void) does not force GPUs on a plain image" "$REC run $IMG_PLAIN true" "$RECORD"
: > "$T_TMP/one.log"
nvd "$PORT_one" NV_GPU= -- run "$IMG_LABEL" true
t_eq "empty NV_GPU is void: a labelled image runs plain" "$REC run $IMG_LABEL true" "$RECORD"
t_eq "empty NV_GPU: the plugin is not asked" "" "$(cat "$T_TMP/one.log")"

nvd "$PORT_one" -- create "$IMG_ENV"
t_eq "NVIDIA_VISIBLE_DEVICES image (create): GPUs added" "$REC create $GPU1 $MOUNT $IMG_ENV" "$RECORD"

nvd "$PORT_one" -- run "$IMG_VOID"
t_eq "NVIDIA_VISIBLE_DEVICES=void image: unchanged" "$REC run $IMG_VOID" "$RECORD"

: > "$T_TMP/two.log"
nvd "$PORT_two" NV_GPU="1, 0" -- container run --rm "$IMG_PLAIN" true
t_eq "NV_GPU forces GPUs on a plain image, order kept" \
  "$REC container run --rm --device=/dev/nvidiactl --device=/dev/nvidia-uvm --device=/dev/nvidia-uvm-tools --device=/dev/nvidia1 --device=/dev/nvidia0 $MOUNT $IMG_PLAIN true" "$RECORD"
t_eq "plain image with NV_GPU: no CUDA query" "" "$(grep gpu/info "$T_TMP/two.log")"

nvd "$PORT_one" NV_GPU=0 -- run --gpus all --rm "$IMG_LABEL" true
t_eq "--gpus and NV_GPU: NV_GPU wins, --gpus leaves the line" "$REC run --rm $GPU1 $MOUNT $IMG_LABEL true" "$RECORD"
t_match "--gpus and NV_GPU: warns that --gpus is ignored" "Warning: --gpus is ignored: NV_GPU chooses the GPUs" "$ERR"
nvd "$PORT_two" -- run --gpus=device=1 --rm "$IMG_PLAIN" true
t_eq "--gpus device=1: served by the plugin, --gpus removed" \
  "$REC run --rm --device=/dev/nvidiactl --device=/dev/nvidia-uvm --device=/dev/nvidia-uvm-tools --device=/dev/nvidia1 $MOUNT $IMG_PLAIN true" "$RECORD"
nvd "$PORT_two" -- run --gpus 0 --rm "$IMG_LABEL" true
t_eq "--gpus 0 is void: plain container, --gpus removed" "$REC run --rm $IMG_LABEL true" "$RECORD"
nvd "$PORT_two" -- run --gpus bogus --rm "$IMG_LABEL" true
t_eq "--gpus bogus: exit 1, docker not run" "1:" "$RC:$RECORD"
t_match "--gpus bogus: docker's kind of message, one line" 'Error: invalid argument "bogus" for "--gpus" flag: invalid count \(bogus\)' "$ERR"
t_eq "--gpus bogus: one line" 1 "$(lines "$ERR")"

nvd "$PORT_one" -- run -v myvol:/x --name "$P-x" "$IMG_LABEL" ls /x
t_eq "user's -v myvol:/x untouched, no --volume-driver" \
  "$REC run -v myvol:/x --name $P-x $GPU1 $MOUNT $IMG_LABEL ls /x" "$RECORD"

nvd "$PORT_one" -- run --rm -- "$IMG_LABEL" echo -- x
t_eq "-- before the image: options go before --" \
  "$REC run --rm $GPU1 $MOUNT -- $IMG_LABEL echo -- x" "$RECORD"

# --- the engine: socket, CLI, pulls -------------------------------------------------------
nvd "$PORT_one" NV_DOCKER="$T_TMP/counting" -- run --rm "$IMG_LABEL" true
t_eq "local daemon: inspect over the socket (one docker call: the run)" \
  "run --rm $GPU1 $MOUNT $IMG_LABEL true" "$(cat "$CALLS")"

nvd "$PORT_one" NV_DOCKER="$T_TMP/forwarding" -- -H unix:///var/run/docker.sock run --rm "$IMG_LABEL" true
t_eq "-H given: inspect through the CLI with the user's globals, then the run" \
  "-H unix:///var/run/docker.sock image inspect --format {{json .}} -- $IMG_LABEL|-H unix:///var/run/docker.sock run --rm $GPU1 $MOUNT $IMG_LABEL true" \
  "$(paste -sd'|' "$CALLS")"

nvd "$PORT_one" NV_DOCKER="$T_TMP/forwarding  --log-level  error" -- run --rm "$IMG_LABEL" true
t_eq "NV_DOCKER with several words: inspect through the CLI, the words on every call" \
  "--log-level error image inspect --format {{json .}} -- $IMG_LABEL|--log-level error run --rm $GPU1 $MOUNT $IMG_LABEL true" \
  "$(paste -sd'|' "$CALLS")"

# A CLI that answers the inspect with too much, or with something that is not JSON.
printf '#!/bin/sh\nfor a; do [ "$a" = inspect ] && exec head -c 20000000 /dev/zero; done\nexit 0\n' > "$T_TMP/bigcli"
printf '#!/bin/sh\nfor a; do [ "$a" = inspect ] && { echo "not json"; exit 0; }; done\nexit 0\n' > "$T_TMP/badcli"
chmod +x "$T_TMP/bigcli" "$T_TMP/badcli"
nvd "$PORT_one" NV_DOCKER="$T_TMP/bigcli" -- -H unix:///var/run/docker.sock run "$IMG_LABEL"
t_eq "CLI inspect answers 20 MB: exit 1" 1 "$RC"
t_match "CLI inspect answers 20 MB: size limit named" "output of .* is larger than [0-9]+ bytes" "$ERR"
nvd "$PORT_one" NV_DOCKER="$T_TMP/badcli" -- -H unix:///var/run/docker.sock run "$IMG_LABEL"
t_eq "CLI inspect answers garbage: exit 1" 1 "$RC"
t_match "CLI inspect answers garbage: says so" "cannot read the image data from the docker engine" "$ERR"

MISSING=$P-missing-image
nvd "$PORT_one" NV_DOCKER="$T_TMP/forwarding" -- run --rm "$MISSING" true
t_eq "missing image, pull fails: exit 1" 1 "$RC"
t_eq "missing image, pull fails: docker run not started" "" "$RECORD"
t_eq "missing image, pull fails: stdout clean" "" "$OUT"
t_match "missing image, pull fails: one line naming the image and docker's error" \
  "^[^|]+\| [0-9/]+ [0-9:]+ Error: cannot pull image '$MISSING': .+" "$ERR"
t_eq "missing image, pull fails: one error line (docker's pull output aside)" 1 "$(grep -c 'Error:' <<<"$ERR")"
t_eq "missing image: docker calls were inspect-free (socket) + pull" "pull -- $MISSING" "$(cat "$CALLS")"

nvd "$PORT_one" NV_DOCKER="$T_TMP/forwarding" -- run --pull=never --rm "$MISSING" true
t_eq "--pull=never, missing image: argv passed through, no pull" \
  "run --pull=never --rm $MISSING true" "$(cat "$CALLS")"

nvd "$PORT_one" NV_DOCKER="$T_TMP/forwarding" -- run --pull always "$IMG_PLAIN" true
t_eq "--pull always on a local-only image: the pull is tried first and fails" 1 "$RC"
t_match "--pull always: pull error shown" "cannot pull image '$IMG_PLAIN'" "$ERR"

PULLED=$P-pulled
t_cleanup "docker rmi -f $PULLED"
nvd "$PORT_one" NV_DOCKER="$T_TMP/pulling" -- run --rm "$PULLED" true
t_eq "missing image pulled: exit 0" 0 "$RC"
t_eq "missing image pulled: then inspected again, GPUs added" "run --rm $GPU1 $MOUNT $PULLED true" "$(tail -n 1 "$CALLS")"
t_eq "missing image pulled: calls were pull, run" "pull -- $PULLED" "$(head -n 1 "$CALLS")"
t_eq "missing image pulled: pull output on stderr, stdout clean" "PULL-PROGRESS:" "$ERR:$OUT"
nvd "$PORT_one" NV_DOCKER="$T_TMP/pulling" -- run --pull=always --platform linux/amd64 "$PULLED" true
t_eq "--pull=always --platform: pull first with the platform, then run" \
  "pull --platform linux/amd64 -- $PULLED|run --pull=always --platform linux/amd64 $GPU1 $MOUNT $PULLED true" \
  "$(paste -sd'|' "$CALLS")"

python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T_TMP/stale.sock"
nvd "$PORT_one" NV_DOCKER="$T_TMP/forwarding" DOCKER_HOST="unix://$T_TMP/stale.sock" -- run "$IMG_LABEL"
t_eq "daemon down: exit 1" 1 "$RC"
t_match "daemon down: reported as such, not as a missing image" "cannot ask the docker engine at unix://$T_TMP/stale.sock" "$ERR"
t_eq "daemon down: no pull, no run" "" "$(cat "$CALLS" 2>/dev/null)"

nvd "$PORT_one" NV_DOCKER="$T_TMP/forwarding" DOCKER_HOST="unix://$T_TMP/nonexistent.sock" -- run "$IMG_LABEL"
t_eq "socket absent: the CLI is asked and its error shown: exit 1" 1 "$RC"
t_match "socket absent: docker's own error" "cannot inspect image '$IMG_LABEL' with .*nonexistent.sock" "$ERR"
t_eq "socket absent: no pull" "" "$(grep pull "$CALLS")"

if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
  out=$(cd / && setpriv --reuid 65534 --regid 65534 --clear-groups env -u DOCKER_HOST HOME=/nonexistent \
    NV_DOCKER=docker NV_DEBUG=1 NV_HOST="http://127.0.0.1:$PORT_one" "$NVD" run --rm "$IMG_LABEL" true 2>&1)
  rc=$?
  t_eq "socket not accessible to the user: exit 1" 1 "$rc"
  t_match "socket not accessible: falls back to the CLI" "asking .docker image inspect. \(the daemon socket cannot be opened" "$out"
  t_match "socket not accessible: docker's permission error shown, not a pull" "Error: cannot inspect image .*permission denied" "$out"
  t_eq "socket not accessible: no pull tried" "" "$(grep -i pull <<<"$out")"
fi

# --- the plugin -------------------------------------------------------------------------------
nvd "$DOWN_PORT" -- run "$IMG_LABEL"
t_eq "plugin down: exit 1, docker not run" "1:" "$RC:$RECORD"
t_match "plugin down: says to start the plugin" "nvidia-docker-plugin running" "$ERR"
t_eq "plugin down: one line" 1 "$(lines "$ERR")"

start=$(date +%s%N)
nvd "$PORT_slow" NV_TIMEOUT=1 -- run "$IMG_PLAIN" 
ms=$(( ($(date +%s%N) - start) / 1000000 ))
t_eq "plain image: slow plugin not even asked" "$REC run $IMG_PLAIN" "$RECORD"
start=$(date +%s%N)
nvd "$PORT_slow" NV_TIMEOUT=1 -- run "$IMG_LABEL"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
t_eq "slow plugin, NV_TIMEOUT=1: exit 1, docker not run" "1:" "$RC:$RECORD"
t_check "slow plugin: gave up within 3 s (took ${ms} ms)" test "$ms" -lt 3000
t_eq "slow plugin: one line" 1 "$(lines "$ERR")"

nvd "$PORT_garbage" NVIDIA_DISABLE_REQUIRE=1 -- run "$IMG_LABEL"
t_eq "garbage answer: exit 1, docker not run" "1:" "$RC:$RECORD"
t_match "garbage answer: one error line" "Error: " "$ERR"
nvd "$PORT_huge" NVIDIA_DISABLE_REQUIRE=1 -- run "$IMG_LABEL"
t_eq "huge answer: exit 1, docker not run" "1:" "$RC:$RECORD"
t_eq "huge answer: one line" 1 "$(lines "$ERR")"

nvd "$PORT_two" NV_GPU="0,x y" -- run "$IMG_PLAIN"
t_eq "invalid NV_GPU syntax: exit 1, docker not run" "1:" "$RC:$RECORD"
t_match "invalid NV_GPU syntax: names the item" "NV_GPU.*'x'" "$ERR"
nvd "$PORT_two" NV_GPU=5 -- run "$IMG_PLAIN"
t_eq "NV_GPU=5 on 2 GPUs: exit 1, docker not run" "1:" "$RC:$RECORD"
t_match "NV_GPU=5: lists the valid GPUs" "5.*0.*1.*GPU-" "$ERR"
nvd "$PORT_two" NV_GPU=5 -- ps -a
t_eq "NV_GPU invalid but not a run: passed through" "$REC ps -a" "$RECORD"
nvd "$PORT_two" NV_GPU="x" NV_HOST="garbage" -- run "$IMG_PLAIN" true
t_match "invalid NV_GPU on a run: error even for a plain image" "NV_GPU" "$ERR"
nvd "$PORT_two" NV_HOST="https://h:1" -- run "$IMG_PLAIN" true
t_eq "invalid NV_HOST, plain image: the plugin is not needed, argv unchanged" "0:$REC run $IMG_PLAIN true" "$RC:$RECORD"
nvd "$PORT_two" NV_HOST="https://h:1" -- run "$IMG_LABEL" true
t_eq "invalid NV_HOST, labelled image: exit 1" "1:" "$RC:$RECORD"
t_match "invalid NV_HOST: says so" "NV_HOST" "$ERR"

# --- CUDA --------------------------------------------------------------------------------
nvd "$PORT_old" -- run "$IMG_LABEL"
t_eq "CUDA too old: exit 1, docker not run" "1:" "$RC:$RECORD"
t_match "CUDA too old: 1.0's text" "Error: unsupported CUDA version: driver 8.0 < image 9.0" "$ERR"
nvd "$PORT_one" -- run "$IMG_NEW"
t_match "NVIDIA_REQUIRE_CUDA=cuda>=14.1 vs driver 13.0" "unsupported CUDA version: driver 13.0 < image 14.1" "$ERR"
nvd "$PORT_old" NVIDIA_DISABLE_REQUIRE=1 NV_DEBUG=1 -- run "$IMG_LABEL"
t_eq "NVIDIA_DISABLE_REQUIRE: runs" "0" "$RC"
t_match "NVIDIA_DISABLE_REQUIRE: said under NV_DEBUG" "CUDA check skipped: NVIDIA_DISABLE_REQUIRE" "$ERR"
nvd "$PORT_garbage" -- run "$IMG_LABEL"
t_match "driver query fails: says it failed, never driver 0.0" "CUDA requirement 9.0.*driver query failed" "$ERR"
t_eq "driver query fails: no 'driver 0.0'" "" "$(grep 'driver 0.0' <<<"$ERR")"

# --- docker missing, NV_DEBUG ---------------------------------------------------------------
nvd "$PORT_one" NV_DOCKER=/nonexistent/docker -- run "$IMG_LABEL"
t_eq "docker binary missing: exit 1" 1 "$RC"
t_match "docker binary missing: says so" "/nonexistent/docker.*No such file" "$ERR"

nvd "$PORT_one" NV_DEBUG=1 -- run --rm "$IMG_LABEL" true
t_eq "NV_DEBUG: stdout clean" "" "$OUT"
t_match "NV_DEBUG: why GPUs are added" "Debug: GPUs added: the host default \(the image has label com.nvidia.volumes.needed\) chooses all" "$ERR"
t_match "NV_DEBUG: which plugin" "Debug: plugin: http://127.0.0.1:$PORT_one \(from NV_HOST\)" "$ERR"
t_match "NV_DEBUG: which devices" "Debug: GPUs asked for: all; devices: /dev/nvidiactl.*/dev/nvidia0" "$ERR"
t_match "NV_DEBUG: the final argv" "Debug: exec: $REC run --rm --device=/dev/nvidiactl .* $IMG_LABEL true" "$ERR"
t_eq "NV_DEBUG: every line prefixed like the log module" "" "$(grep -v '^[^ ]* | [0-9/]* [0-9:]* Debug: ' <<<"$ERR")"
nvd "$PORT_one" NV_DEBUG=1 -- run "$IMG_PLAIN"
t_match "NV_DEBUG: why GPUs are not added" "Debug: GPUs not added: " "$ERR"

# --- a real docker with an answer that is not NVIDIA's ----------------------------------------
# The fake names /dev/full and a local volume: refused before docker runs (test_plugin_trust.sh
# has the other hostile answers; the whole stack below runs docker with a real plugin's answer).
out=$(env -u DOCKER_HOST -u NV_DOCKER NV_GPU=0 NV_HOST="http://127.0.0.1:$PORT_e2e" \
  "$NVD" run --rm --network none "$IMG_PLAIN" true 2>&1)
t_eq "real docker, non-NVIDIA answer: exit 1" 1 "$?"
t_match "real docker, non-NVIDIA answer: refused with the reason" "is not the driver volume|is not an NVIDIA device node" "$out"

# --- the whole stack: the real nvidia-docker-plugin (fake NVML, FAKE driver root) ------------
# docker/cli from the real plugin, and docker creating the driver volume through the plugin's
# volume API because of the rewritten --mount (scoped to that one mount: the user's own -v
# volume stays with the local driver). `create` only here; containers STARTED through the
# whole stack (simulated /dev/nvidia* nodes) are in test_wrapper_real_plugin.sh.
STACK_ROOT=$NVD_ROOT/tests/fakes/make-driver-root.sh
if [ -x "$NVD_BIN/nvidia-docker-plugin" ] && [ -e "$NVD_BUILD/fakes/libnvidia-ml.so.1" ] &&
   [ -e "$STACK_ROOT" ]; then
  DRV=580.159.04 # tests/fakes/gpus-h200.json
  W=$T_TMP/stack
  mkdir -p "$W/dev" "$W/vols" /run/docker/plugins
  exec 8>/tmp/nvd-plugin-socket.lock # the plugin socket path is machine-global
  flock -w 600 8 || t_fail "lock /tmp/nvd-plugin-socket.lock taken"
  bash "$STACK_ROOT" "$W/root" "$DRV" >"$W/root.log" 2>&1
  . "$NVD_ROOT/tests/fakes/fake_env.sh" # fake_node: NVIDIA's device numbers under $W/dev
  fake_node "$W/dev/nvidiactl" 195 255
  fake_node "$W/dev/nvidia-uvm" 238 0
  fake_node "$W/dev/nvidia-uvm-tools" 238 1
  fake_node "$W/dev/nvidia0" 195 0
  fake_node "$W/dev/nvidia3" 195 3
  SPORT=$(free_port)
  LD_LIBRARY_PATH=$NVD_BUILD/fakes FAKE_NVML_CONFIG=$NVD_ROOT/tests/fakes/gpus-h200.json \
    NVD_DEV_ROOT=$W/dev "$NVD_BIN/nvidia-docker-plugin" -s /run/docker/plugins \
    -l "127.0.0.1:$SPORT" -d "$W/vols" -r "$W/root" -cdi= 2>"$W/plugin.log" &
  SPID=$!
  t_cleanup "kill $SPID; rm -f /run/docker/plugins/nvidia-docker.sock"
  t_cleanup "docker rm -f $P-stack >/dev/null 2>&1; docker volume rm -f nvidia_driver_$DRV $P-uservol"
  if wait_for "nvidia-docker-plugin" curl -sf "http://127.0.0.1:$SPORT/v1.0/gpu/info/json" &&
     wait_for "plugin socket" test -S /run/docker/plugins/nvidia-docker.sock; then
    out=$(env -u NV_GPU -u DOCKER_HOST -u NV_DOCKER NV_HOST="http://127.0.0.1:$SPORT" \
      "$NVD" create --name "$P-stack" --network none -v "$P-uservol:/x" "$IMG_LABEL" true 2>&1)
    t_eq "real plugin + real docker: create accepted" 0 "$?"
    [[ "$out" =~ ^[0-9a-f]{64}$ ]] || echo "$out"
    mounts=$(docker inspect -f '{{range .Mounts}}{{.Name}}|{{.Driver}}|{{.Destination}}|{{.RW}} {{end}}' "$P-stack")
    t_match "driver volume made through the plugin's volume API, read-only" \
      "nvidia_driver_$DRV\|nvidia-docker\|/usr/local/nvidia\|false" "$mounts"
    t_match "the user's own -v volume stays with the local driver" "$P-uservol\|local\|/x\|true" "$mounts"
    t_eq "devices from the plugin" "/dev/nvidiactl /dev/nvidia-uvm /dev/nvidia-uvm-tools /dev/nvidia0 /dev/nvidia3" \
      "$(docker inspect -f '{{range .HostConfig.Devices}}{{.PathOnHost}} {{end}}' "$P-stack" | sed 's/ $//')"
    t_eq "nothing of ours in the container's env (docker commit would keep it)" "" \
      "$(docker inspect -f '{{json .Config.Env}}' "$P-stack" | grep -o 'NVIDIA_[A-Z_]*=[^"]*')"
    t_check "the plugin provisioned the driver files" test -d "$W/vols/nvidia_driver/$DRV"
  else
    t_fail "nvidia-docker-plugin did not start"; tail -5 "$W/plugin.log"
  fi
  flock -u 8
else
  echo "# full-stack section skipped: nvidia-docker-plugin or its fakes not built"
fi

t_finish
