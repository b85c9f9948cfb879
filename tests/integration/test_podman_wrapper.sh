#!/bin/bash
# NV_DOCKER=podman (docs/cdi.md): the real wrapper with real podman (Debian 12's 4.3, rootful,
# in the sandbox of tests/lib/podman.sh, with a /dev of its own holding the simulated nodes at
# their real paths), the real plugin (FAKE NVML, FAKE driver root) writing its CDI spec, and a
# real registry (Debian's docker-registry) on loopback for the pull. Pass-through is unchanged; run/create inspect the image through
# podman (CLI, then the service socket), pull what is missing with podman (progress on
# stderr), and give GPUs as --device nvidia.com/gpu=<name>, never docker's volume options;
# remote set-ups that cannot work are refused with one line.
. "$(dirname "$0")/../lib/podman.sh"
podman_sandbox_enter "$@"
. "$(dirname "$0")/../lib/common.sh"
. "$NVD_ROOT/tests/fakes/fake_env.sh"

NVD=$NVD_BIN/nvidia-docker
PLUGIN=$NVD_BIN/nvidia-docker-plugin
[ -x "$PLUGIN" ] && [ -x "$NVD" ] && [ -e "$NVD_BUILD/fakes/libnvidia-ml.so.1" ] || t_skip_all "build first (make check)"
podman_sandbox_setup "$T_TMP/podman" && podman_sandbox_dev 0 3 ||
  { t_fail "podman sandbox set up"; t_finish; }

VERSION=580.159.04 # tests/fakes/gpus-h200.json: GPU 0 is /dev/nvidia0, GPU 1 /dev/nvidia3
CUDA=nvd-podman/cuda-like PLAIN=nvd-podman/plain LABELLED=nvd-podman/labelled
NONE_IMG=nvd-podman/none VOID_IMG=nvd-podman/void
podman_make_image "$CUDA" -c 'ENV PATH=/usr/local/nvidia/bin:/bin' -c 'ENV NVIDIA_VISIBLE_DEVICES=all' &&
  podman_make_image "$PLAIN" &&
  podman_make_image "$NONE_IMG" -c 'ENV PATH=/usr/local/nvidia/bin:/bin' -c 'ENV NVIDIA_VISIBLE_DEVICES=none' &&
  podman_make_image "$VOID_IMG" -c 'ENV NVIDIA_VISIBLE_DEVICES=void' &&
  podman_make_image "$LABELLED" -c 'ENV PATH=/usr/local/nvidia/bin:/bin' \
    -c 'LABEL com.nvidia.volumes.needed=nvidia_driver' || { t_fail "images imported"; t_finish; }
bash "$NVD_ROOT/tests/fakes/make-driver-root.sh" "$T_TMP/root" "$VERSION" >/dev/null 2>&1 ||
  { t_fail "fake driver root made"; t_finish; }
PORT=$(free_port)
(
  fake_gpu_env "$T_TMP" "$NVD_ROOT/tests/fakes/gpus-h200.json" 0 3
  unset NVD_DEV_ROOT # the sandbox's /dev has the nodes
  exec env PATH=/usr/local/nvidia/bin:/usr/local/bin:/usr/bin:/bin "$PLUGIN" -l "127.0.0.1:$PORT" \
    -s "$T_TMP/sock" -d "$T_TMP/volumes" -r "$T_TMP/root" 2>"$T_TMP/plugin.log"
) &
PID=$!
t_cleanup "kill $PID"
wait_for "the CDI spec" test -s /var/run/cdi/nvidia-docker.json ||
  { t_fail "plugin wrote its spec"; cat "$T_TMP/plugin.log"; t_finish; }
INFO=$(curl -s "http://127.0.0.1:$PORT/v1.0/gpu/info/json")
UUID0=$(jq -r '.Devices[0].UUID' <<<"$INFO") UUID1=$(jq -r '.Devices[1].UUID' <<<"$INFO")

# nvd ENV... -- ARGS: the wrapper with NV_DOCKER=podman and the plugin on its loopback port
# (NV_HOST; the machine's port 3476 may be another test's); $OUT, $ERR, $RC.
nvd() {
  local env=(NV_DOCKER=podman "NV_HOST=http://127.0.0.1:$PORT")
  while [ "$1" != -- ]; do env+=("$1"); shift; done
  shift
  OUT=$(env "${env[@]}" "$NVD" "$@" 2>"$T_TMP/err" </dev/null); RC=$?
  ERR=$(cat "$T_TMP/err")
}
nodes='ls /dev | grep nvidia | sort | tr "\n" " "'
containers() { podman ps -aq | wc -l; }

# --- pass-through ---------------------------------------------------------------------------
nvd -- images --format '{{.Repository}}'
t_eq "pass-through: podman images, unchanged" "$(podman images --format '{{.Repository}}')" "$OUT"
nvd -- version
t_eq "version: our banner, then podman's" "NVIDIA Docker: $(cat "$NVD_ROOT/VERSION")" "$(head -n 1 <<<"$OUT")"
t_match "version: podman's own output follows" "Version: +4\." "$OUT"

# --- run/create: image inspected through the CLI (no service yet), CDI devices ---------------
nvd NV_DEBUG=1 -- run --rm --network none "$CUDA" sh -c "$nodes; nvidia-smi"
t_eq "image asking for GPUs: exit 0" 0 "$RC"
t_match "all GPUs, the control nodes and the driver's nvidia-smi" \
  "^nvidia-uvm nvidia-uvm-tools nvidia0 nvidia3 nvidiactl FAKE nvidia-smi of a fake driver $VERSION" "$(echo $OUT)"
t_match "NV_DEBUG: the image asked through \`podman image inspect\`" \
  "engine: asking \`podman image inspect\` \(no podman service socket this user can open\)" "$ERR"
t_match "NV_DEBUG: the exec line has the CDI device (and the loaders' environment) before the image" \
  "exec: podman run --rm --network none --device=nvidia.com/gpu=all (--env=[^ ]+ )*$CUDA sh -c" "$ERR"
t_check "no docker volume or mount option" bash -c "! grep -E -- '--mount|volume-driver|nvidia_driver' <<<\"\$1\"" _ "$ERR"

nvd NV_GPU=1 -- run --rm --network none "$CUDA" sh -c "$nodes"
t_eq "NV_GPU=1: /dev/nvidia3 only" "nvidia-uvm nvidia-uvm-tools nvidia3 nvidiactl " "$OUT"
nvd NV_GPU="${UUID0:0:12}" NV_DEBUG=1 -- run --rm --network none "$CUDA" sh -c "$nodes"
t_eq "NV_GPU=<UUID prefix of GPU 0>: /dev/nvidia0" "nvidia-uvm nvidia-uvm-tools nvidia0 nvidiactl " "$OUT"
t_match "UUID prefix: the spec's full UUID name" "--device=nvidia.com/gpu=$UUID0 " "$ERR"
nvd NV_GPU="1 0,1" -- run --rm --network none "$CUDA" sh -c "$nodes"
t_eq "NV_GPU='1 0,1': both, once each" "nvidia-uvm nvidia-uvm-tools nvidia0 nvidia3 nvidiactl " "$OUT"
before=$(containers)
nvd NV_GPU=5 -- run --rm --network none "$CUDA" true
t_eq "NV_GPU=5: exit 1" 1 "$RC"
t_match "NV_GPU=5: our one line, listing this host's GPUs" \
  "Error: NV_GPU: invalid device: 5; this host has GPUs 0 \($UUID0, [^)]*\), 1 \($UUID1, [^)]*\)$" "$ERR"
t_eq "NV_GPU=5: podman not started" "$before" "$(containers)"
nvd -- run --rm --network none "$PLAIN" sh -c "$nodes"
t_eq "plain image, no NV_GPU: unchanged, no GPU" "" "$OUT"
nvd NV_GPU=0 -- run --rm --network none "$PLAIN" sh -c "$nodes"
t_eq "plain image, NV_GPU=0: GPU 0" "nvidia-uvm nvidia-uvm-tools nvidia0 nvidiactl " "$OUT"
nvd -- run --rm --network none "$LABELLED" sh -c "$nodes"
t_eq "1.0 label: all GPUs" "nvidia-uvm nvidia-uvm-tools nvidia0 nvidia3 nvidiactl " "$OUT"
nvd NV_GPU=1 -- create --network none --name nvd-podman-created "$CUDA" sh -c "$nodes"
t_cleanup "podman rm -f nvd-podman-created"
t_eq "create: exit 0" 0 "$RC"
t_eq "create, then start: GPU 1" "nvidia-uvm nvidia-uvm-tools nvidia3 nvidiactl " "$(podman start -a nvd-podman-created 2>&1)"
if command -v sudo >/dev/null; then
  nvd 'NV_DOCKER=sudo podman' NV_GPU=0 -- run --rm --network none "$CUDA" sh -c "$nodes"
  t_eq "NV_DOCKER='sudo podman': GPU 0" "nvidia-uvm nvidia-uvm-tools nvidia0 nvidiactl " "$OUT"
else
  t_fail "sudo installed (make deps)"
fi
nvd -- run --rm --network none --root "$T_TMP/podman/storage" "$CUDA" true
t_eq "a storage option after run: exit 1" 1 "$RC"
t_match "a storage option after run: says to move it" \
  "podman's --root after \`run\` chooses where images are: put it before \`run\`" "$ERR"
nvd -- --root "$T_TMP/podman/storage" run --rm --network none "$CUDA" sh -c "$nodes"
t_eq "a storage option before run: repeated, GPUs given" "nvidia-uvm nvidia-uvm-tools nvidia0 nvidia3 nvidiactl " "$OUT"

# --- the selection (docs/gpu-selection.md) holds with podman --------------------------------
ctl="nvidia-uvm nvidia-uvm-tools nvidiactl"
nvd NV_GPU=none -- run --rm --network none "$CUDA" sh -c "$nodes; nvidia-smi -L"
t_eq "NV_GPU=none: control nodes and the driver, no GPU" "$ctl GPU 0: FAKE NVIDIA GPU (UUID: GPU-00000000-fake-fake-fake-000000000000)" "$(echo $OUT)"
nvd NV_GPU=void NV_DEBUG=1 -- run --rm --network none "$CUDA" sh -c "$nodes; ls /usr/local/nvidia 2>&1"
t_match "NV_GPU=void: a plain container (no node, no driver)" "^ls: /usr/local/nvidia: No such file or directory$" "$OUT"
t_match "NV_GPU=void: no CDI device on the line" "exec: podman run --rm --network none $CUDA " "$ERR"
nvd NV_DEBUG=1 -- run --rm --network none --gpus device=1 "$PLAIN" sh -c "$nodes"
t_eq "--gpus device=1: GPU 1" "nvidia-uvm nvidia-uvm-tools nvidia3 nvidiactl " "$OUT"
t_match "--gpus is taken off podman's line" "exec: podman run --rm --network none --device=nvidia.com/gpu=1 (--env=[^ ]+ )*$PLAIN " "$ERR"
nvd -- run --rm --network none --gpus all "$PLAIN" sh -c "$nodes"
t_eq "--gpus all: every GPU" "nvidia-uvm nvidia-uvm-tools nvidia0 nvidia3 nvidiactl " "$OUT"
nvd -- run --rm --network none --gpus 1 "$PLAIN" sh -c "$nodes"
t_eq "--gpus 1 (a count): the first GPU" "nvidia-uvm nvidia-uvm-tools nvidia0 nvidiactl " "$OUT"
nvd NV_GPU=0 -- run --rm --network none --gpus device=1 "$PLAIN" sh -c "$nodes"
t_eq "NV_GPU over --gpus" "nvidia-uvm nvidia-uvm-tools nvidia0 nvidiactl " "$OUT"
nvd -- run --rm --network none -e NVIDIA_VISIBLE_DEVICES=1 "$CUDA" sh -c "$nodes; echo \$NVIDIA_VISIBLE_DEVICES"
t_eq "-e NVIDIA_VISIBLE_DEVICES=1: GPU 1 (the CDI spec voids the variable for NVIDIA's hook)" \
  "nvidia-uvm nvidia-uvm-tools nvidia3 nvidiactl void" "$(echo $OUT)"
printf 'NVIDIA_VISIBLE_DEVICES=%s\n' "$UUID1" >"$T_TMP/gpu.env"
nvd -- run --rm --network none --env-file "$T_TMP/gpu.env" "$PLAIN" sh -c "$nodes"
t_eq "--env-file naming a UUID: that GPU" "nvidia-uvm nvidia-uvm-tools nvidia3 nvidiactl " "$OUT"
nvd NV_GPU=0 -- run --rm --network none -e NVIDIA_VISIBLE_DEVICES=1 "$CUDA" sh -c "$nodes"
t_eq "NV_GPU over -e NVIDIA_VISIBLE_DEVICES" "nvidia-uvm nvidia-uvm-tools nvidia0 nvidiactl " "$OUT"
nvd -- run --rm --network none -e NVIDIA_VISIBLE_DEVICES=void "$CUDA" sh -c "$nodes"
t_eq "-e NVIDIA_VISIBLE_DEVICES=void over the image's all: plain" "" "$OUT"
nvd -- run --rm --network none "$NONE_IMG" sh -c "$nodes; nvidia-smi >/dev/null && echo smi"
t_eq "image NVIDIA_VISIBLE_DEVICES=none: control nodes and the driver" "$ctl smi" "$(echo $OUT)"
nvd -- run --rm --network none "$VOID_IMG" sh -c "$nodes"
t_eq "image NVIDIA_VISIBLE_DEVICES=void: plain" "" "$OUT"
nvd CUDA_VISIBLE_DEVICES="$UUID1" -- run --rm --network none "$CUDA" sh -c "$nodes"
t_eq "CUDA_VISIBLE_DEVICES=<UUID of GPU 1> narrows the image's all" "nvidia-uvm nvidia-uvm-tools nvidia3 nvidiactl " "$OUT"
nvd NV_DRIVER_CAPABILITIES=utility NV_GPU=0 -- run --rm --network none "$PLAIN" sh -c 'echo $NVIDIA_DRIVER_CAPABILITIES'
t_eq "NV_DRIVER_CAPABILITIES reaches the container" "utility" "$OUT"
# A caller that does not see /dev/nvidia3 (as a confined job would not): the default narrows to
# GPU 0, and asking for GPU 1 is refused, naming it.
mv /dev/nvidia3 /dev/nvidia3.hidden
nvd -- run --rm --network none "$CUDA" sh -c "$nodes"
t_eq "confined caller: the image's all narrows to the GPU it may open" "nvidia-uvm nvidia-uvm-tools nvidia0 nvidiactl " "$OUT"
mv /dev/nvidia3.hidden /dev/nvidia3
# A caller whose device cgroup denies /dev/nvidia3 (cgroup v1 devices controller, where this
# machine has one): asking for GPU 1 is refused, naming it; the default is GPU 0.
CG=/sys/fs/cgroup/devices/nvd-podman-$$
if mkdir "$CG" 2>/dev/null && echo 'c 195:3 rwm' >"$CG/devices.deny"; then
  t_cleanup "rmdir $CG"
  confined() { sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG" "$@"; }
  OUT=$(confined env NV_DOCKER=podman NV_HOST="http://127.0.0.1:$PORT" NV_GPU=1 "$NVD" run --rm \
    --network none "$CUDA" true 2>&1); RC=$?
  t_eq "device cgroup denies GPU 1: NV_GPU=1 exits 1" 1 "$RC"
  t_match "device cgroup denies GPU 1: refused, naming the GPU" \
    "NV_GPU chooses the GPU at /dev/nvidia3 \($UUID1\), which this process may not open" "$OUT"
  OUT=$(confined env NV_DOCKER=podman NV_HOST="http://127.0.0.1:$PORT" NV_DEBUG=1 "$NVD" run --rm \
    --network none "$CUDA" true 2>&1)
  t_match "device cgroup denies GPU 1: the image's all is GPU 0" \
    "exec: podman run --rm --network none --device=nvidia.com/gpu=$UUID0 (--env=[^ ]+ )*$CUDA true" "$OUT"
else
  echo "# (no cgroup v1 devices controller to write here: the device cgroup cases are not run)"
fi
# Driver capabilities: the spec's driver directory has every capability's files; the loaders'
# environment of the chosen ones comes with the line, as for docker.
nvd NV_DRIVER_CAPABILITIES=graphics,utility NV_GPU=0 -- run --rm --network none "$PLAIN" sh -c \
  'echo "$NVIDIA_DRIVER_CAPABILITIES|$__EGL_VENDOR_LIBRARY_DIRS|$LD_LIBRARY_PATH"; ls /usr/local/nvidia/share/glvnd/egl_vendor.d'
t_match "graphics: the loaders find the driver's vendor files" \
  "^graphics,utility\|/usr/local/nvidia/share/glvnd/egl_vendor.d:[^|]*\|/usr/local/nvidia/lib64[^ ]* 10_nvidia.json$" "$(echo $OUT)"
nvd -- run --rm --network none --runtime nvidia "$CUDA" true
t_match "--runtime naming NVIDIA's: refused" "NVIDIA's runtime would give the container every GPU" "$ERR"
# Nothing of ours is committed: the image stays a GPU image with its own selection.
nvd NV_GPU=1 -- run --name nvd-podman-commit --network none "$CUDA" true
podman commit nvd-podman-commit nvd-podman/committed >/dev/null 2>&1
podman rm nvd-podman-commit >/dev/null 2>&1
t_eq "podman commit: the image's NVIDIA_VISIBLE_DEVICES=all, nothing of ours" "NVIDIA_VISIBLE_DEVICES=all" \
  "$(podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' nvd-podman/committed | grep NVIDIA)"
nvd -- run --rm --network none nvd-podman/committed sh -c "$nodes"
t_eq "the committed image still gets every GPU" "nvidia-uvm nvidia-uvm-tools nvidia0 nvidia3 nvidiactl " "$OUT"

# --- a missing image is pulled with podman, from a real registry ----------------------------
RPORT=$(free_port)
cat >"$T_TMP/registry.yml" <<YML
version: 0.1
storage:
  filesystem:
    rootdirectory: $T_TMP/registry
http:
  addr: 127.0.0.1:$RPORT
YML
docker-registry serve "$T_TMP/registry.yml" >"$T_TMP/registry.log" 2>&1 &
t_cleanup "kill $!"
printf '[[registry]]\nlocation = "127.0.0.1:%s"\ninsecure = true\n' "$RPORT" >>/etc/containers/registries.conf
REMOTE=127.0.0.1:$RPORT/nvd/cuda-like
if wait_for "registry" curl -sf "http://127.0.0.1:$RPORT/v2/" && podman push -q "$CUDA" "$REMOTE" 2>/dev/null; then
  podman rmi "$REMOTE" >/dev/null 2>&1
  nvd NV_GPU=1 -- run --rm --network none "$REMOTE" sh -c "$nodes"
  t_eq "missing image: pulled, then run with GPU 1 (stdout: the container's only)" \
    "nvidia-uvm nvidia-uvm-tools nvidia3 nvidiactl " "$OUT"
  t_match "missing image: podman's pull progress on stderr" "(Copying blob|Writing manifest)" "$ERR"
else
  t_fail "local registry up and image pushed"; tail -3 "$T_TMP/registry.log"
fi
nvd -- run --rm --network none "127.0.0.1:$RPORT/nvd/no-such-image" true
t_eq "unknown image: exit 1" 1 "$RC"
t_match "unknown image: one line naming it and podman's error" \
  "Error: cannot pull image '127.0.0.1:$RPORT/nvd/no-such-image': " "$ERR"

# --- the service socket ---------------------------------------------------------------------
mkdir -p /run/podman
podman system service --time=0 unix:///run/podman/podman.sock >"$T_TMP/service.log" 2>&1 &
t_cleanup "kill $!"
if wait_for "podman service" test -S /run/podman/podman.sock; then
  nvd NV_DEBUG=1 NV_GPU=0 -- run --rm --network none "$CUDA" sh -c "$nodes"
  t_eq "service running: GPU 0" "nvidia-uvm nvidia-uvm-tools nvidia0 nvidiactl " "$OUT"
  t_match "service running: the image asked over its socket" \
    "engine: asking the Engine API at unix:///run/podman/podman.sock" "$ERR"
  nvd NV_DEBUG=1 -- run --rm --network none "$PLAIN" sh -c "$nodes"
  t_eq "service running: plain image, no GPU" "" "$OUT"
  # A remote-mode podman through the local service: the same machine, the local plugin. (A
  # remote client does not apply containers.conf's default_ulimits: the sandbox's limits are
  # given on the line.)
  LIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
  nvd NV_GPU=1 -- --remote --url unix:///run/podman/podman.sock run --rm --network none "${LIMITS[@]}" "$CUDA" sh -c "$nodes"
  t_eq "podman --remote --url unix://: GPU 1" "nvidia-uvm nvidia-uvm-tools nvidia3 nvidiactl " "$OUT"
  nvd CONTAINER_HOST=unix:///run/podman/podman.sock NV_GPU=1 NV_DEBUG=1 -- run --rm --network none "${LIMITS[@]}" "$CUDA" sh -c "$nodes"
  t_eq "CONTAINER_HOST=unix://: GPU 1" "nvidia-uvm nvidia-uvm-tools nvidia3 nvidiactl " "$OUT"
  t_match "CONTAINER_HOST=unix://: the image asked through the CLI (a service)" \
    "podman runs the containers through a service" "$ERR"
  # A named connection (podman's own configuration, here in a scratch HOME) says no machine.
  HOME=$T_TMP/home podman system connection add nvd-conn unix:///run/podman/podman.sock >/dev/null 2>&1
  nvd HOME="$T_TMP/home" NV_HOST= -- -c nvd-conn run --rm --network none "$CUDA" true
  t_eq "podman -c CONNECTION without NV_HOST: exit 1" 1 "$RC"
  t_match "podman -c CONNECTION: names it, says to set NV_HOST" \
    "podman runs the containers through the connection 'nvd-conn', and nvidia-docker cannot tell on which machine: set NV_HOST" "$ERR"
  nvd HOME="$T_TMP/home" NV_GPU=0 -- -c nvd-conn run --rm --network none "${LIMITS[@]}" "$CUDA" sh -c "$nodes"
  t_eq "podman -c CONNECTION with NV_HOST: GPU 0" "nvidia-uvm nvidia-uvm-tools nvidia0 nvidiactl " "$OUT"
else
  t_fail "podman service started"; tail -3 "$T_TMP/service.log"
fi

# --- a local podman with another machine's plugin is refused -------------------------------
nvd NV_HOST=ssh://alice@gpu9: -- run --rm --network none "$CUDA" true
t_eq "local podman, NV_HOST of another machine: exit 1" 1 "$RC"
t_match "local podman, NV_HOST of another machine: says why" \
  "NV_HOST names the nvidia-docker-plugin of another machine, but podman runs the containers on this one" "$ERR"

t_finish
