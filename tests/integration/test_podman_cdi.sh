#!/bin/bash
# Real podman (Debian 12's 4.3, rootful) takes GPUs from the CDI spec that nvidia-docker-plugin
# writes (docs/cdi.md): the real daemon with the FAKE NVML, a FAKE driver root and simulated
# device nodes (real character devices with NVIDIA's numbers under a scratch dev root) writes
# its spec to the default /var/run/cdi of a private mount namespace (tests/lib/podman.sh);
# `podman run --device nvidia.com/gpu=...` must give exactly the chosen GPU's node and the
# control nodes, the driver files read-only at /usr/local/nvidia with their nvidia-smi, and an
# unknown device must get podman's own error. Then a simulated MIG GPU: a MIG device gives its
# parent's node and its instances' capability nodes.
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

# MIG (tests/fakes/gpus-mig.json: GPU 0 in MIG mode with MIG devices 0:0 and 0:1, GPU 1 plain;
# the driver's MIG files in a fake proc root): a MIG device gives its parent's node and the two
# capability nodes of its GPU and compute instance, made by the plugin when missing.
MIG1=MIG-5b9d2c4a-6e8f-5a1b-9c2d-3e4f5a6b7c8d # 0:1, caps 21 and 22
fake_gpu_env "$T_TMP/mig" "$NVD_ROOT/tests/fakes/gpus-mig.json" 0 1
rm -f "$NVD_DEV_ROOT/nvidia-caps/nvidia-cap22"
MPORT=$(free_port)
"$PLUGIN" -l "127.0.0.1:$MPORT" -s "$T_TMP/sock-mig" -d "$T_TMP/volumes-mig" -r "$T_TMP/root" \
  2>"$T_TMP/plugin-mig.log" &
PID=$!
t_cleanup "kill $PID"
if wait_for "the CDI spec with MIG devices" grep -q '"name": "0:1"' "$SPEC"; then
  t_eq "MIG: the spec names 0:0, 0:1 and their UUIDs after GPU 0" \
    "0 GPU-4f5e6d7c-0a1b-2c3d-4e5f-60718293a4b5 0:0 MIG-5a1c3e7f-2b4d-5e6f-8a9b-0c1d2e3f4a5b 0:1 $MIG1 1" \
    "$(jq -r '[.devices[].name][0:7] | join(" ")' "$SPEC")"
  t_check "MIG: the missing capability node was made" test -c "$NVD_DEV_ROOT/nvidia-caps/nvidia-cap22"
  out=$(/usr/bin/python3 "$NVD_ROOT/tests/lib/cdi_schema_check.py" "$SPEC" 2>&1)
  t_eq "MIG: the spec validates against the CDI schema" "$SPEC: valid" "$out"
  caps='ls /dev | grep nvidia | sort | tr "\n" " "; ls /dev/nvidia-caps | tr "\n" " "'
  prun nvidia.com/gpu=0:1 -- sh -c "$caps"
  t_eq "gpu=0:1: the parent's node and the caps of its instances" \
    "nvidia-caps nvidia-uvm nvidia-uvm-tools nvidia0 nvidiactl nvidia-cap21 nvidia-cap22 " "$OUT"
  prun "nvidia.com/gpu=$MIG1" -- sh -c "$caps"
  t_eq "gpu=<MIG UUID>: the same" \
    "nvidia-caps nvidia-uvm nvidia-uvm-tools nvidia0 nvidiactl nvidia-cap21 nvidia-cap22 " "$OUT"
  prun nvidia.com/gpu=0:0 nvidia.com/gpu=1 -- sh -c "$caps"
  t_eq "gpu=0:0 and gpu=1: both, the caps of 0:0 only" \
    "nvidia-caps nvidia-uvm nvidia-uvm-tools nvidia0 nvidia1 nvidiactl nvidia-cap12 nvidia-cap13 " "$OUT"
  # The wrapper with podman: MIG names resolved against the plugin's list, as docker's are.
  OUT=$(NV_DOCKER=podman NV_HOST="http://127.0.0.1:$MPORT" NV_GPU=MIG-5b \
    "$NVD_BIN/nvidia-docker" run --rm --network none "$IMG" sh -c "$caps" 2>&1)
  t_eq "NV_DOCKER=podman NV_GPU=MIG-5b (a prefix): that MIG device" \
    "nvidia-caps nvidia-uvm nvidia-uvm-tools nvidia0 nvidiactl nvidia-cap21 nvidia-cap22 " "$OUT"
  OUT=$(NV_DOCKER=podman NV_HOST="http://127.0.0.1:$MPORT" NV_GPU=0:7 \
    "$NVD_BIN/nvidia-docker" run --rm --network none "$IMG" true 2>&1)
  t_match "NV_DOCKER=podman NV_GPU=0:7: our line, listing the MIG devices" \
    "NV_GPU: invalid device: 0:7; this host has GPUs .*; MIG devices 0:0 \(MIG-5a1c[^)]*\), 0:1 \($MIG1\)" "$OUT"
else
  t_fail "plugin wrote a spec with MIG devices"; diag() { sed 's/^/# /'; }; diag <"$T_TMP/plugin-mig.log"
fi
kill "$PID"; wait "$PID"

t_finish
