#!/bin/bash
# Real podman (Debian 12's 4.3, rootful) takes GPUs from the CDI spec that nvidia-docker-plugin
# writes (docs/cdi.md): the real daemon with the FAKE NVML, a FAKE driver root and simulated
# device nodes (real character devices with NVIDIA's numbers under a scratch dev root) writes
# its spec to the default /var/run/cdi of a private mount namespace (tests/lib/podman.sh);
# `podman run --device nvidia.com/gpu=...` must give exactly the chosen GPU's node and the
# control nodes, the driver files read-only at /usr/local/nvidia with their nvidia-smi, and an
# unknown device must get podman's own error.
. "$(dirname "$0")/../lib/podman.sh"
podman_sandbox_enter "$@"
. "$(dirname "$0")/../lib/common.sh"
. "$NVD_ROOT/tests/fakes/fake_env.sh"

PLUGIN=$NVD_BIN/nvidia-docker-plugin
[ -x "$PLUGIN" ] && [ -e "$NVD_BUILD/fakes/libnvidia-ml.so.1" ] || t_skip_all "build first (make check)"
podman_sandbox_setup "$T_TMP/podman" || { t_fail "podman sandbox set up"; t_finish; }

VERSION=580.159.04 # tests/fakes/gpus-h200.json: GPU 0 is /dev/nvidia0, GPU 1 /dev/nvidia3
IMG=nvd-cdi/cuda-like
podman_make_image "$IMG" -c 'ENV PATH=/usr/local/nvidia/bin:/usr/local/bin:/usr/bin:/bin' \
  -c 'ENV LD_LIBRARY_PATH=/usr/local/nvidia/lib:/usr/local/nvidia/lib64' \
  -c 'ENV NVIDIA_VISIBLE_DEVICES=all' || { t_fail "image $IMG imported"; t_finish; }
fake_gpu_env "$T_TMP" "$NVD_ROOT/tests/fakes/gpus-h200.json" 0 3
bash "$NVD_ROOT/tests/fakes/make-driver-root.sh" "$T_TMP/root" "$VERSION" >/dev/null 2>&1 ||
  { t_fail "fake driver root made"; t_finish; }

PORT=$(free_port)
PATH=/usr/local/nvidia/bin:/usr/local/bin:/usr/bin:/bin \
  "$PLUGIN" -l "127.0.0.1:$PORT" -s "$T_TMP/sock" -d "$T_TMP/volumes" -r "$T_TMP/root" \
  2>"$T_TMP/plugin.log" &
PID=$!
t_cleanup "kill $PID"
SPEC=/var/run/cdi/nvidia-docker.json
wait_for "the CDI spec in the default directory" test -s "$SPEC" ||
  { t_fail "plugin wrote $SPEC"; cat "$T_TMP/plugin.log"; t_finish; }
UUID1=$(curl -s "http://127.0.0.1:$PORT/v1.0/gpu/info/json" | jq -r '.Devices[1].UUID')

# prun DEVICE... -- COMMAND: podman run with those CDI devices; stdout+stderr in $OUT, status $RC.
prun() {
  local args=()
  while [ "$1" != -- ]; do args+=(--device "$1"); shift; done
  shift
  OUT=$(podman run --rm --network none "${args[@]}" "$IMG" "$@" 2>&1); RC=$?
}
nodes='ls /dev | grep nvidia | sort | tr "\n" " "'

prun nvidia.com/gpu=0 -- sh -c "$nodes; nvidia-smi"
t_eq "gpu=0: exit 0" 0 "$RC"
t_match "gpu=0: its node and the control nodes, not the other GPU's" \
  "^nvidia-uvm nvidia-uvm-tools nvidia0 nvidiactl FAKE nvidia-smi of a fake driver $VERSION" "$(echo $OUT)"
prun nvidia.com/gpu=1 -- sh -c 'stat -c "%F %t:%T" /dev/nvidia3; ls /dev/nvidia0 2>&1'
t_match "gpu=1: /dev/nvidia3, a character device 195:3 (hex c3:3), no nvidia0" \
  "^character special file c3:3 .*nvidia0: No such file" "$(echo $OUT)"
prun "nvidia.com/gpu=$UUID1" -- sh -c "$nodes"
t_eq "gpu=<UUID of GPU 1>: its node" "nvidia-uvm nvidia-uvm-tools nvidia3 nvidiactl " "$OUT"
prun nvidia.com/gpu=all -- sh -c "$nodes"
t_eq "gpu=all: every GPU" "nvidia-uvm nvidia-uvm-tools nvidia0 nvidia3 nvidiactl " "$OUT"
prun nvidia.com/gpu=0 nvidia.com/gpu=1 -- sh -c "$nodes"
t_eq "gpu=0 and gpu=1: both" "nvidia-uvm nvidia-uvm-tools nvidia0 nvidia3 nvidiactl " "$OUT"
prun nvidia.com/gpu=none -- sh -c "$nodes; nvidia-smi -L"
t_eq "gpu=none: control nodes and the driver, no GPU node" \
  "nvidia-uvm nvidia-uvm-tools nvidiactl GPU 0: FAKE NVIDIA GPU (UUID: GPU-00000000-fake-fake-fake-000000000000)" "$(echo $OUT)"
prun nvidia.com/gpu=0 -- sh -c 'echo $NVIDIA_VISIBLE_DEVICES; ls /usr/local/nvidia; touch /usr/local/nvidia/lib64/x 2>&1; readlink /usr/local/nvidia/lib64/libcuda.so.1'
t_match "driver files read-only at /usr/local/nvidia, NVIDIA_VISIBLE_DEVICES=void" \
  "^void bin lib lib64 (share )?touch: /usr/local/nvidia/lib64/x: Read-only file system libcuda.so.$VERSION\$" "$(echo $OUT)"
prun nvidia.com/gpu=7 -- true
t_match "unknown device: podman's own error" "unresolvable CDI devices nvidia.com/gpu=7" "$OUT"
t_check "unknown device: non-zero exit" test "$RC" -ne 0

# CDI edits are not committed: the image keeps its own NVIDIA_VISIBLE_DEVICES.
podman run --name nvd-cdi-commit --network none --device nvidia.com/gpu=0 "$IMG" true >/dev/null 2>&1
podman commit nvd-cdi-commit nvd-cdi/committed >/dev/null 2>&1 && podman rm nvd-cdi-commit >/dev/null 2>&1
t_eq "podman commit keeps the image's NVIDIA_VISIBLE_DEVICES=all" "NVIDIA_VISIBLE_DEVICES=all" \
  "$(podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' nvd-cdi/committed | grep NVIDIA_VISIBLE)"

# Read-only bind mounts inside the driver tree (a driver on another file system) reach the
# container through the spec's recursive bind: a hand-made spec of a test kind shows it.
mkdir -p "$T_TMP/bindtree/lib64" "$T_TMP/bindsrc"
echo "bound driver file" >"$T_TMP/bindsrc/libx.so.1"; : >"$T_TMP/bindtree/lib64/libx.so.1"
t_cleanup "umount $T_TMP/bindtree/lib64/libx.so.1"
mount --bind "$T_TMP/bindsrc/libx.so.1" "$T_TMP/bindtree/lib64/libx.so.1" &&
  mount -o remount,bind,ro "$T_TMP/bindtree/lib64/libx.so.1"
cat >/var/run/cdi/nvd-test-rbind.json <<JSON
{"cdiVersion": "0.5.0", "kind": "nvd-test.example/tree", "devices": [{"name": "t",
 "containerEdits": {"env": ["X=1"]}}], "containerEdits": {"mounts": [{"hostPath": "$T_TMP/bindtree",
 "containerPath": "/usr/local/nvidia", "options": ["ro", "nosuid", "nodev", "rbind"]}]}}
JSON
prun nvd-test.example/tree=t -- cat /usr/local/nvidia/lib64/libx.so.1
t_eq "a bind-mounted file in the tree is seen in the container" "bound driver file" "$OUT"
rm -f /var/run/cdi/nvd-test-rbind.json

# The plugin stops: its spec goes, and podman says the device is unknown.
kill "$PID"; wait "$PID"
t_check "stopped plugin: no spec" test ! -e "$SPEC"
prun nvidia.com/gpu=0 -- true
t_match "stopped plugin: podman cannot resolve the device" "unresolvable CDI devices nvidia.com/gpu=0" "$OUT"

t_finish
