#!/bin/bash
# A caller confined by its device cgroup, on the GPU machine (cgroup v2 there; the CPU-only
# suite's tests/integration/test_selection.sh covers v1): the real wrapper runs inside a
# container started by the carried engine, with the engine's socket, the host's libraries
# read-only, and a device cgroup that allows or denies /dev/nvidia0. Our plugin runs on the host
# with the real NVML.
# Usage (after bash .gpu-host/start-docker.sh, from the project root):
#   LD_LIBRARY_PATH=$PWD/.gpu/syslib PATH=/tmp/gpu-host-docker:$PATH bash tests/gpu/confined.sh .gpu/bin/nvidia-docker-plugin
# Prints "confined: N passed, N failed".
set -u
plugin=${1:-$(dirname "$0")/../../bin/nvidia-docker-plugin}
gpu=$(cd "$(dirname "$plugin")/.." && pwd) # .gpu: bin/, lib/nvidia-docker/, syslib/
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
tmp=$(mktemp -d)
. "$(dirname "$0")/../lib/mounts.sh"
port=$(((RANDOM % 20000) + 30000))
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  unmount_under "$tmp" # the volume's read-only bind mounts
  rm -rf "$tmp"
}
trap cleanup EXIT
uuid0=$(nvidia-smi --query-gpu=uuid --format=csv,noheader | head -n 1)
echo "--- cgroup: $(stat -fc %T /sys/fs/cgroup); GPU 0: $uuid0"
mkdir -p /run/docker/plugins
"$plugin" -l "127.0.0.1:$port" -s /run/docker/plugins -d "$tmp/volumes" -cdi= 2>"$tmp/log" &
pid=$!
sleep 2
docker_bin=$(command -v docker)
# inside RULE COMMAND: the wrapper in a container whose device cgroup has RULE added.
inside() {
  docker run --rm --network host -v /var/run/docker.sock:/var/run/docker.sock \
    -v "$gpu:/nvd:ro" -v "$docker_bin:/usr/bin/docker:ro" \
    -v /usr/lib/x86_64-linux-gnu:/hostlib:ro -v /lib/x86_64-linux-gnu:/hostlib2:ro \
    -e LD_LIBRARY_PATH=/nvd/syslib:/hostlib:/hostlib2 -e NV_HOST="http://127.0.0.1:$port" \
    -e HOME=/tmp --device-cgroup-rule "$1" gpu-host/base \
    sh -c "mknod /dev/nvidia0 c 195 0; mknod /dev/nvidiactl c 195 255; $2" 2>&1
}
out=$(inside 'c 195:255 rw' '/nvd/bin/nvidia-docker run --rm --network none gpu-host/base nvidia-smi -L; echo "status $?"')
echo "$out"
grep -q "may use none of the 1 GPUs" <<<"$out" && grep -q "status 1" <<<"$out" &&
  ok "GPU 0 denied by the device cgroup: the default (all) gets no GPU, a clear error" ||
  fail "GPU 0 denied: default"
out=$(inside 'c 195:255 rw' 'NV_GPU=0 /nvd/bin/nvidia-docker run --rm --network none gpu-host/base nvidia-smi -L; echo "status $?"')
echo "$out"
grep -q "NV_GPU chooses the GPU at /dev/nvidia0 ($uuid0), which this process may not open" <<<"$out" &&
  ok "GPU 0 denied: NV_GPU=0 refused, naming it" || fail "GPU 0 denied: NV_GPU=0"
out=$(inside 'c 195:* rw' '/nvd/bin/nvidia-docker run --rm --network none gpu-host/base nvidia-smi -L; echo "status $?"')
echo "$out"
grep -q "UUID: $uuid0" <<<"$out" && grep -q "status 0" <<<"$out" &&
  ok "GPU 0 allowed by the device cgroup: the container gets it" || fail "GPU 0 allowed"
echo "--- plugin log"; cat "$tmp/log"
echo "confined: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
