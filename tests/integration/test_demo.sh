#!/bin/bash
# `make demo`'s script: on this machine (no NVIDIA GPU) it must say so, run a real container
# with the simulated GPU nodes and driver volume through nvidia-docker, end with its summary,
# and leave nothing behind; without a mount namespace it must still show the docker command.
. "$(dirname "$0")/../lib/common.sh"
[ "$(id -u)" = 0 ] || t_skip_all "needs root (mount namespace, device nodes)"
[ -f "$NVD_BUILD/fakes/libnvidia-ml.so.1" ] || t_skip_all "simulated GPUs not built (make fakes)"
command -v dockerd >/dev/null || t_skip_all "dockerd not installed (make deps)"

real=0
if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then real=1; fi
before=$(ls -d /tmp/nvd-demo.* 2>/dev/null)
# On a GPU machine the simulated GPUs are asked for; here, the demo must find out by itself.
sim=()
[ "$real" = 1 ] && sim=(DEMO_SIMULATE=1)

# The demo must leave the machine as it found it: its engine (--bridge=none) runs in a network
# namespace of its own, or it would delete the host's docker0 bridge.
had_bridge=false; ip link show docker0 >/dev/null 2>&1 && had_bridge=true
out=$(env "${sim[@]}" NVD_BIN="$NVD_BIN" NVD_BUILD="$NVD_BUILD" timeout 300 "$NVD_ROOT/demo/demo.sh" 2>&1); rc=$?
if $had_bridge; then t_check "the host's docker0 bridge is still there" ip link show docker0; fi
t_check "/dev/null is still the null device" test -c /dev/null
t_eq "demo exits 0" 0 "$rc"
[ "$rc" = 0 ] || echo "$out" | tail -n 30
if [ "$real" = 0 ]; then
  t_match "says plainly there is no GPU here" 'This machine has NO NVIDIA GPU' "$out"
fi
t_match "labels the GPUs as simulated" 'SIMULATED' "$out"
t_match "the plugin reports the simulated driver" 'Driver version: +580\.159\.04' "$out"
t_match "shows the rewritten command" 'docker run --rm --network none --device=/dev/nvidiactl .*--mount=type=volume,source=nvidia_driver_580\.159\.04,target=/usr/local/nvidia,readonly,volume-driver=nvidia-docker nvd-demo/gpu-base' "$out"
t_match "the container lists the simulated GPU nodes" 'c[rw-]+ +1 root +[^ ]+ +195, +1 [^\n]*/dev/nvidia1' "$out"
t_match "the container sees the driver volume's libraries" $'\nlibcuda\\.so\\.580\\.159\\.04\n' "$out"
t_match "the container runs the driver's nvidia-smi from the volume" 'GPU 0: FAKE NVIDIA GPU' "$out"
section=$(sed -n '/NV_GPU=0 nvidia-docker run/,/^== /p' <<<"$out")
t_match "NV_GPU=0 gives /dev/nvidia0" '/dev/nvidia0' "$section"
if grep -q '/dev/nvidia1' <<<"$section"; then t_fail "NV_GPU=0 leaves /dev/nvidia1 out"; else t_ok "NV_GPU=0 leaves /dev/nvidia1 out"; fi
t_match "Docker lists the driver volume" 'nvidia-docker +nvidia_driver_580\.159\.04' "$out"
t_match "ends with what it showed" 'What this demo showed[^$]*a real container ran' "$out"
t_eq "temporary directory removed" "$before" "$(ls -d /tmp/nvd-demo.* 2>/dev/null)"
t_check "no simulated node left in /dev" test ! -e /dev/nvidia1 -o "$real" = 1
t_eq "no demo engine left" "" "$(pgrep -af 'dockerd --host unix:///tmp/nvd-demo' || true)"

out=$(NVD_BIN="$NVD_BIN" NVD_BUILD="$NVD_BUILD" DEMO_SIMULATE=1 DEMO_NO_NAMESPACE=1 timeout 120 "$NVD_ROOT/demo/demo.sh" 2>&1); rc=$?
t_eq "without a namespace: exits 0" 0 "$rc"
t_match "without a namespace: shows the rewritten command" 'docker run --rm --network none --device=/dev/nvidiactl .*volume-driver=nvidia-docker nvd-demo/gpu-base nvidia-smi -L' "$out"
t_match "without a namespace: says only the command was shown" 'no Docker engine could be started here' "$out"
t_eq "without a namespace: temporary directory removed" "$before" "$(ls -d /tmp/nvd-demo.* 2>/dev/null)"
t_finish
