#!/bin/bash
# CDI on a machine with a real NVIDIA GPU and driver (docs/cdi.md): nvidia-docker-plugin, on
# the real NVML, writes its CDI spec to /var/run/cdi; real podman (carried by
# the GPU machine's set-up in .gpu-host/, started by its start-podman.sh, which also imports the
# image gpu-host/base) then runs
#   podman run --device nvidia.com/gpu=0 gpu-host/base nvidia-smi -L     (GPU 0's UUID, as the host's nvidia-smi)
#   podman run --device nvidia.com/gpu=0 ... /w/vector_add               (tests/gpu/vector_add.cu, built here with nvcc)
#   --device nvidia.com/gpu=all (every GPU), =none (no GPU node), =<UUID>, an unknown device,
# and NV_DOCKER=podman nvidia-docker run (the wrapper giving the same CDI devices). When the
# plugin stops, the spec is gone.
# Usage, from the project root, on the GPU machine (see tests/gpu/pack.sh, pack-podman.sh):
#   bash .gpu-podman/start-podman.sh .gpu-podman && B=/tmp/gpu-host-podman &&
#   mv $B/conmon $B/conmon.bin && printf '#!/bin/sh\nLD_LIBRARY_PATH=%s/lib exec %s/conmon.bin "$@"\n' $B $B >$B/conmon &&
#   chmod +x $B/conmon &&
#   PATH=/tmp/gpu-host-podman:$PATH LD_LIBRARY_PATH=$PWD/.gpu/syslib:/tmp/gpu-host-podman/lib \
#     bash tests/gpu/podman.sh .gpu/bin/nvidia-docker-plugin
# (podman starts conmon with an environment of its own: the wrapper gives conmon the packed
# libraries, e.g. libglib-2.0, that the GPU machine lacks.)
# (Further arguments go to the plugin, e.g. -r DRIVER_ROOT.)
# Prints "podman-gpu: N passed, N failed"; exit status 1 on any failure.
set -u
plugin=${1:-$(dirname "$0")/../../bin/nvidia-docker-plugin}
shift
plugin_args=("$@")
wrapper=$(dirname "$plugin")/nvidia-docker
image=${NVD_E2E_IMAGE:-gpu-host/base}
spec=/var/run/cdi/nvidia-docker.json
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
finish() { echo "podman-gpu: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }
command -v nvidia-smi >/dev/null || { fail "nvidia-smi found (not a GPU machine?)"; finish; }
command -v podman >/dev/null || { fail "podman found (bash .gpu-podman/start-podman.sh, then PATH)"; finish; }
conmon=$(podman info --format '{{.Host.Conmon.Path}}' 2>/dev/null)
env -i "$conmon" --version >/dev/null 2>&1 ||
  { fail "conmon ($conmon) runs without LD_LIBRARY_PATH (see the usage: the conmon wrapper)"; finish; }
podman image exists "$image" || { fail "image $image (start-podman.sh imports it)"; finish; }
[ -x "$plugin" ] || { fail "plugin at $plugin (tests/gpu/pack.sh)"; finish; }
if [ -e "$spec" ]; then
  fail "$spec exists already (another plugin or NVIDIA's toolkit?): not overwriting it"; finish
fi

tmp=$(mktemp -d)
. "$(dirname "$0")/../lib/mounts.sh"
port=$(( (RANDOM % 20000) + 30000 ))
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  # The driver trees may hold read-only bind mounts of the driver's files.
  unmount_under "$tmp" # the volume's read-only bind mounts
  rm -rf "$tmp"
}
trap cleanup EXIT
run() { timeout -k 5 180 podman run --rm --network none "$@"; }

start_ns=$(date +%s%N)
"$plugin" -l "127.0.0.1:$port" -s "$tmp/sock" -d "$tmp/volumes" "${plugin_args[@]}" 2>"$tmp/log" &
pid=$!
for _ in $(seq 1 300); do
  [ -s "$spec" ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
if [ -s "$spec" ]; then
  ok "plugin on the real NVML wrote $spec ($(( ($(date +%s%N) - start_ns) / 1000000 )) ms after start)"
else
  fail "plugin wrote $spec"; cat "$tmp/log"; finish
fi
echo "--- $spec (first 40 lines of $(wc -l <"$spec"))"; head -n 40 "$spec"
missing=$(grep -o '"hostPath": "[^"]*"' "$spec" | cut -d'"' -f4 | while read -r p; do [ -e "$p" ] || echo "$p"; done)
[ -z "$missing" ] && ok "every hostPath of the spec exists" || fail "missing paths: $missing"
tree=$(grep -o '"hostPath": "[^"]*", "containerPath": "/usr/local/nvidia"' "$spec" | cut -d'"' -f4)
echo "--- the spec's driver tree $tree"; (cd "$tree" && find . -maxdepth 2 | sort | head -60; du -sh .)

smi_uuid=$(nvidia-smi --query-gpu=uuid --format=csv,noheader | head -n 1)
n_gpus=$(nvidia-smi -L | grep -c '^GPU ')
echo "--- podman run --rm --network none --device nvidia.com/gpu=0 $image nvidia-smi -L"
out=$(run --device nvidia.com/gpu=0 "$image" nvidia-smi -L 2>&1); rc=$?
echo "$out"
[ "$rc" = 0 ] && ok "gpu=0: nvidia-smi -L exit 0" || fail "gpu=0: exit $rc"
grep -q "^GPU 0: .*(UUID: $smi_uuid)" <<<"$out" && ok "gpu=0: the container sees GPU 0 ($smi_uuid)" ||
  fail "gpu=0: GPU 0 not seen"
out=$(run --device nvidia.com/gpu=0 "$image" sh -c 'ls /dev | grep nvidia | tr "\n" " "; ls /usr/local/nvidia' 2>&1)
echo "--- gpu=0: /dev and /usr/local/nvidia: $out"
out=$(run --device "nvidia.com/gpu=$smi_uuid" "$image" nvidia-smi -L 2>&1)
grep -q "(UUID: $smi_uuid)" <<<"$out" && ok "gpu=<UUID>: that GPU" || fail "gpu=<UUID>: $out"
out=$(run --device nvidia.com/gpu=all "$image" nvidia-smi -L 2>&1)
echo "--- gpu=all: $out"
[ "$(grep -c '^GPU ' <<<"$out")" = "$n_gpus" ] && ok "gpu=all: $n_gpus GPU(s)" || fail "gpu=all: $out"
out=$(run --device nvidia.com/gpu=none "$image" sh -c 'ls /dev | grep nvidia | tr "\n" " "; nvidia-smi -L' 2>&1)
echo "--- gpu=none: $out"
grep -qE '(^| )nvidia[0-9]+ ' <<<"$out" && fail "gpu=none: a GPU node is there" || ok "gpu=none: no GPU node"
grep -q 'nvidiactl' <<<"$out" && ok "gpu=none: the control node is there" || fail "gpu=none: no nvidiactl"
out=$(run --device nvidia.com/gpu=99 "$image" true 2>&1); rc=$?
echo "--- gpu=99: $out"
[ "$rc" != 0 ] && grep -q "unresolvable CDI devices nvidia.com/gpu=99" <<<"$out" &&
  ok "unknown device: podman's own error" || fail "unknown device: exit $rc"

if command -v nvcc >/dev/null; then
  if nvcc -O2 -o "$tmp/vector_add" "$(dirname "$0")/vector_add.cu" 2>"$tmp/nvcc.log"; then
    echo "--- podman run --rm --network none --device nvidia.com/gpu=0 -v $tmp:/w:ro $image /w/vector_add"
    out=$(run --device nvidia.com/gpu=0 -v "$tmp:/w:ro" "$image" /w/vector_add 2>&1); rc=$?
    echo "$out"
    [ "$rc" = 0 ] && grep -q '^vector_add: OK' <<<"$out" && ok "CUDA vector addition through CDI" ||
      fail "CUDA vector addition through CDI (exit $rc)"
  else cat "$tmp/nvcc.log"; fail "nvcc could not build vector_add.cu"; fi
else fail "nvcc not found: the CUDA test cannot run"; fi

if [ -x "$wrapper" ]; then
  echo "--- NV_DOCKER=podman NV_GPU=0 NV_DEBUG=1 nvidia-docker run --rm --network none $image nvidia-smi -L"
  out=$(NV_DOCKER=podman NV_HOST="http://127.0.0.1:$port" NV_GPU=0 NV_DEBUG=1 \
    timeout -k 5 180 "$wrapper" run --rm --network none "$image" nvidia-smi -L 2>"$tmp/err"); rc=$?
  cat "$tmp/err"; echo "$out"
  [ "$rc" = 0 ] && grep -q "(UUID: $smi_uuid)" <<<"$out" && ok "the wrapper with podman: GPU 0" ||
    fail "the wrapper with podman (exit $rc)"
  grep -q -- "--device=nvidia.com/gpu=0 " "$tmp/err" && ok "the wrapper gave --device=nvidia.com/gpu=0" ||
    fail "the wrapper's podman line lacks the CDI device"
else
  fail "wrapper at $wrapper"
fi

echo "--- plugin log"; cat "$tmp/log"
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
[ "$rc" = 0 ] && ok "SIGTERM: exit 0" || fail "SIGTERM: exit $rc"
[ ! -e "$spec" ] && ok "stopped plugin: the spec is gone" || fail "stopped plugin: $spec left"
finish
