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
case_ "-e NVIDIA_DRIVER_CAPABILITIES stays as given" "gpus=1 ctl=yes vol=yes caps=video,compute" \
  -- -e NVIDIA_DRIVER_CAPABILITIES=video,compute "$IMG_ONE"

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

# --- CUDA_VISIBLE_DEVICES narrows the default when it names UUIDs --------------------------------
case_ "CUDA_VISIBLE_DEVICES=<UUID of GPU 2>: the default is GPU 2" "gpus=2 ctl=yes vol=yes $CU" \
  CUDA_VISIBLE_DEVICES="$U2" -- "$IMG_LABEL"
case_ "CUDA_VISIBLE_DEVICES=0 (an index: the caller's own numbering) is ignored" \
  "gpus=0,1,2 ctl=yes vol=yes $CU" CUDA_VISIBLE_DEVICES=0 -- "$IMG_LABEL"
case_ "CUDA_VISIBLE_DEVICES does not override an explicit choice" "gpus=1 ctl=yes vol=yes $CU" \
  CUDA_VISIBLE_DEVICES="$U2" NV_GPU=1 -- "$IMG_LABEL"

# --- docker commit keeps nothing of ours --------------------------------------------------------
nvd -- run --name "$P-c1" --network none "$IMG_ALL" true
t_eq "commit: the GPU container ran" 0 "$RC"
docker commit "$P-c1" "$P-committed" >/dev/null
t_eq "commit: the committed image has the image's environment, nothing added" \
  "$(docker image inspect -f '{{json .Config.Env}}' "$IMG_ALL")" \
  "$(docker image inspect -f '{{json .Config.Env}}' "$P-committed")"
case_ "commit: still a GPU image (all GPUs)" "gpus=0,1,2 ctl=yes vol=yes caps=compute,utility" -- "$P-committed"
case_ "commit: the same selection semantics (NV_GPU=1)" "gpus=1 ctl=yes vol=yes caps=compute,utility" NV_GPU=1 -- "$P-committed"
nvd -- run --name "$P-c2" --network none -e NVIDIA_VISIBLE_DEVICES=void "$IMG_ALL" true
docker commit "$P-c2" "$P-uservoid" >/dev/null
case_ "commit: an image the user marked void stays plain" "$NONE caps=compute,utility" -- "$P-uservoid"

# --- an NVIDIA runtime as the engine's default cannot widen the selection ------------------------
# A FAKE of NVIDIA's container runtime (its toolkit cannot be installed here): runc behind a
# script that, like NVIDIA's runtime in its legacy mode, gives the container every GPU node when
# its environment says NVIDIA_VISIBLE_DEVICES=all. A second engine has it as default runtime.
RT_DIR=$T_TMP/toolkit
mkdir -p "$RT_DIR"
cat >"$RT_DIR/nvidia-container-runtime" <<EOS
#!/bin/bash
# FAKE nvidia-container-runtime for tests: runc, plus every /dev/nvidia<N> for NVIDIA_VISIBLE_DEVICES=all.
bundle=
for ((i = 1; i <= \$#; i++)); do [ "\${!i}" = --bundle ] && { j=\$((i + 1)); bundle=\${!j}; }; done
if [ -n "\$bundle" ] && jq -e '.process.env | index("NVIDIA_VISIBLE_DEVICES=all")' "\$bundle/config.json" >/dev/null 2>&1; then
  jq '.linux.devices += [range(0;3) | {path: "/dev/nvidia\(.)", type: "c", major: 195, minor: ., fileMode: 438, uid: 0, gid: 0}]
      | .linux.resources.devices += [{allow: true, type: "c", major: 195, access: "rwm"}]' \
     "\$bundle/config.json" >"\$bundle/config.json.new" && mv "\$bundle/config.json.new" "\$bundle/config.json"
fi
exec runc "\$@"
EOS
chmod +x "$RT_DIR/nvidia-container-runtime"
E2=$T_TMP/engine2
mkdir -p "$E2"
cat >"$E2/daemon.json" <<EOS
{"runtimes": {"nvidia": {"path": "$RT_DIR/nvidia-container-runtime"}}, "default-runtime": "nvidia",
 "bridge": "none", "iptables": false, "ip-masq": false}
EOS
spawn_detached "$E2/dockerd.log" dockerd --config-file "$E2/daemon.json" -H "unix://$E2/docker.sock" \
  --data-root "$E2/data" --exec-root "$E2/exec" --pidfile "$E2/dockerd.pid"
t_cleanup "kill \$(cat '$E2/dockerd.pid' 2>/dev/null) 2>/dev/null; sleep 1"
if WAIT_SECONDS=60 wait_for "second engine" docker -H "unix://$E2/docker.sock" version; then
  docker save "$IMG_ALL" | docker -H "unix://$E2/docker.sock" load >/dev/null
  out=$(docker -H "unix://$E2/docker.sock" run --rm --network none "$IMG_ALL" sh -c 'ls /dev | grep -c "^nvidia[0-9]"' 2>&1)
  t_eq "the fake NVIDIA runtime does widen a plain docker run (the hazard is real)" 3 "$out"
  # A plugin that sees NVIDIA's toolkit on its host (the fake runtime on its PATH).
  MAIN_PORT=$PORT MAIN_PID=$PID
  PORT=$(free_port)
  env LD_LIBRARY_PATH="$NVD_BUILD/fakes" FAKE_NVML_CONFIG="$NVD_ROOT/tests/fakes/gpus-3.json" \
    PATH="$RT_DIR:/usr/bin:/bin" "$NVD_BIN/nvidia-docker-plugin" -s "$T_TMP/sock2" \
    -l "127.0.0.1:$PORT" -d "$T_TMP/volumes2" -r "$T_TMP/root" -cdi= 2>"$T_TMP/plugin2.log" &
  PID2=$!
  t_cleanup "kill $PID2"
  wait_for "second plugin" curl -sf "http://127.0.0.1:$PORT/v1.0/gpu/info/json"
  t_match "the plugin reports NVIDIA's toolkit" '"NvidiaRuntime":true' \
    "$(curl -s "http://127.0.0.1:$PORT/v1.0/docker/cli/json?dev=none")"
  nvd DOCKER_HOST="unix://$E2/docker.sock" NV_GPU=1 -- run --rm --network none "$IMG_ALL" sh -c "$PROBE"
  t_eq "NVIDIA runtime as default, image says all, NV_GPU=1: only GPU 1" \
    "gpus=1 ctl=yes vol=yes caps=compute,utility" "$(summary "$OUT")"
  [ "$RC" = 0 ] || echo "$ERR"
  nvd DOCKER_HOST="unix://$E2/docker.sock" NV_GPU=void -- run --rm --network none "$IMG_ALL" sh -c "$PROBE"
  t_eq "NVIDIA runtime as default, image says all, NV_GPU=void: no GPU" "$NONE caps=compute,utility" "$(summary "$OUT")"
  nvd DOCKER_HOST="unix://$E2/docker.sock" NV_DEBUG=1 NV_GPU=0 -- run --rm --network none "$IMG_ALL" true
  t_match "NV_DEBUG says why --runtime=runc" "NVIDIA's container runtime is on the engine's host: --runtime=runc" "$ERR"
  PORT=$MAIN_PORT PID=$MAIN_PID
else
  t_fail "second engine started"; tail -5 "$E2/dockerd.log"
fi

# --- a caller confined by its device cgroup ------------------------------------------------------
# The wrapper runs inside a container started by the real engine, with the engine's socket and
# a device cgroup that allows GPU 1 (195:1) and denies GPUs 0 and 2, whose nodes it has.
W=$T_TMP/wrapper-root
mkdir -p "$W/bin" "$W/lib/nvidia-docker" "$W/usr/bin" "$W/tmp" "$W/etc" "$W/dev"
cp "$NVD_BIN/nvidia-docker" "$W/bin/"
cp "$NVD_BIN/../lib/nvidia-docker/nvidia-docker-run.so" "$W/lib/nvidia-docker/"
cp "$(command -v docker)" "$W/usr/bin/docker"
cp /bin/busybox "$W/bin/busybox"
for a in sh ls mknod grep cat; do ln -sf busybox "$W/bin/$a"; done
for f in "$W/bin/nvidia-docker" "$W/lib/nvidia-docker/nvidia-docker-run.so" "$W/usr/bin/docker"; do
  ldd "$f" | grep -oE '/[^ ]+' | while read -r l; do mkdir -p "$W$(dirname "$l")"; cp -L "$l" "$W$l"; done
done
echo 'root:x:0:0:root:/root:/bin/sh' >"$W/etc/passwd"
tar -C "$W" -cf - . | docker import - "$P-wrapper" >/dev/null
confined() { # confined "inner command": runs it in the confined wrapper container
  docker run --rm --network host -v /var/run/docker.sock:/var/run/docker.sock \
    --device-cgroup-rule 'c 195:1 rwm' -e NV_HOST="http://127.0.0.1:$PORT" -e HOME=/tmp \
    "$P-wrapper" sh -c "mknod /dev/nvidia0 c 195 0; mknod /dev/nvidia1 c 195 1; mknod /dev/nvidia2 c 195 2;
      mknod /dev/nvidiactl c 195 255; $1" 2>&1
}
out=$(confined "nvidia-docker run --rm --network none $IMG_ALL sh -c 'ls /dev | grep ^nvidia[0-9]'")
t_eq "confined caller, image says all: only the GPU it may open" "nvidia1" "$out"
out=$(confined "NV_GPU=0 nvidia-docker run --rm --network none $IMG_ALL true; echo status \$?")
t_match "confined caller, NV_GPU=0: refused, naming the GPU" \
  "NV_GPU chooses the GPU at /dev/nvidia0 \($U0\), which this process may not open.*status 1" "$out"
out=$(confined "nvidia-docker run --rm --network none --gpus 2 $IMG_PLAIN true; echo status \$?")
t_match "confined caller, --gpus 2: only one GPU usable" "--gpus asks for 2 GPUs, but this process may use only 1.*status 1" "$out"
out=$(confined "NV_GPU=1 nvidia-docker run --rm --network none $IMG_PLAIN sh -c 'ls /dev | grep ^nvidia[0-9]'")
t_eq "confined caller, NV_GPU=1: allowed" "nvidia1" "$out"
out=$(confined "ls -l /dev/nvidia0 >/dev/null && cat /dev/nvidia0 2>&1 | grep -o 'Operation not permitted'")
t_eq "(the container's device cgroup really denies GPU 0)" "Operation not permitted" "$out"

t_finish
