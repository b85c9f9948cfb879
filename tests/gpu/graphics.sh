#!/bin/bash
# Driver capabilities on a machine with a real NVIDIA GPU: the carried Docker engine
# (bash .gpu-host/start-docker.sh first), our plugin on the real NVML, and
# an image made here of busybox + the host's glibc + Debian's generic loaders only (.gl/deb,
# tests/gpu/pack-graphics.sh) + the probes (.gl/bin). Containers started by `nvidia-docker run`
# with NV_DRIVER_CAPABILITIES:
#   graphics,utility  headless EGL context whose GL_RENDERER names the NVIDIA GPU; Vulkan lists
#                     the NVIDIA device (vendor 0x10de);
#   video,utility     NvEncodeAPIGetMaxSupportedVersion and cuvidGetDecoderCaps answer;
#   compute,utility   no graphics file in the volume, no vendor JSON file, no loader variable;
# and the plugin's answers for each set (the REST caps= query).
# Usage: tests/gpu/graphics.sh [PLUGIN_BINARY] (default bin/nvidia-docker-plugin; the wrapper
# is the nvidia-docker beside it). Prints "graphics: N passed, N failed"; exit 1 on a failure.
set -u
plugin=${1:-$(dirname "$0")/../../bin/nvidia-docker-plugin}
wrapper=$(dirname "$plugin")/nvidia-docker
gl=${NVD_GL_DIR:-.gl}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
finish() { echo "--- plugin log"; cat "$tmp/log" 2>/dev/null; echo "graphics: $passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }
tmp=$(mktemp -d)
. "$(dirname "$0")/../lib/mounts.sh"
pid=
img=nvd-graphics-probe
cleanup() {
  docker rmi -f "$img" >/dev/null 2>&1
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  unmount_under "$tmp" # the volume's read-only bind mounts
  rm -rf "$tmp"
}
trap cleanup EXIT
command -v nvidia-smi >/dev/null || { fail "nvidia-smi not found: not a GPU machine?"; finish; }
command -v docker >/dev/null && docker info >/dev/null 2>&1 || { fail "no Docker engine (bash .gpu-host/start-docker.sh)"; finish; }
[ -x "$wrapper" ] || { fail "no wrapper at $wrapper"; finish; }
ls "$gl"/deb/*.deb >/dev/null 2>&1 && [ -x "$gl/bin/egl_probe" ] || { fail "$gl missing: run tests/gpu/pack-graphics.sh here first"; finish; }
smi_name=$(nvidia-smi --query-gpu=name --format=csv,noheader | head -n 1)
echo "--- GPU 0: $smi_name; driver $(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -n 1)"
echo "--- driver's vendor files:"; ls -R /usr/local/nvidia/share 2>/dev/null | head -40

# The plugin on the real NVML, its socket where docker looks.
port=$(( (RANDOM % 20000) + 30000 ))
mkdir -p /run/docker/plugins
"$plugin" -l "127.0.0.1:$port" -s /run/docker/plugins -d "$tmp/volumes" -cdi= 2>"$tmp/log" &
pid=$!
for _ in $(seq 1 100); do
  exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null && { exec 3<&-; break; }
  sleep 0.1
done
http_get() {
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: plugin\r\n\r\n' "$1" >&3
  local reply; reply=$(cat <&3; printf x); exec 3<&-
  reply=${reply%x}; printf '%s' "${reply#*$'\r\n\r\n'}"
}
for caps in compute,utility graphics,utility video,utility display all; do
  echo "--- /v1.0/docker/cli/json?dev=0&caps=$caps"; http_get "/v1.0/docker/cli/json?dev=0&caps=$caps"
done
ans=$(http_get "/v1.0/docker/cli/json?dev=0&caps=graphics,utility")
grep -q '"nvidia_driver-graphics-utility_' <<<"$ans" && ok "graphics,utility: its own volume" || fail "graphics,utility answer: $ans"

# The image: busybox, the host's glibc, Debian's loaders (unpacked), the probes.
root=$tmp/rootfs
mkdir -p "$root/bin" "$root/lib/x86_64-linux-gnu" "$root/lib64" "$root/tmp" "$root/etc" "$root/usr/lib/x86_64-linux-gnu"
cp "$(command -v busybox || echo /tmp/gpu-host-docker/busybox)" "$root/bin/busybox"
for a in sh ls cat echo env grep find; do ln -sf busybox "$root/bin/$a"; done
for l in libc.so.6 libm.so.6 libdl.so.2 libpthread.so.0 librt.so.1 libgcc_s.so.1 libstdc++.so.6; do
  for d in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu; do [ -e "$d/$l" ] && { cp -L "$d/$l" "$root/lib/x86_64-linux-gnu/"; break; }; done
done
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
for d in "$gl"/deb/*.deb; do dpkg-deb -x "$d" "$root" 2>/dev/null || (cd "$tmp" && ar x "$d" data.tar.xz && tar -C "$root" -xJf data.tar.xz); done
cp "$gl"/bin/* "$root/bin/"
printf '/lib/x86_64-linux-gnu\n/usr/lib/x86_64-linux-gnu\n' >"$root/etc/ld.so.conf"
ldconfig -r "$root" 2>/dev/null || true
echo "--- image's libraries:"; ls "$root/usr/lib/x86_64-linux-gnu" | tr '\n' ' '; echo
# No NVIDIA_VISIBLE_DEVICES, no LD_LIBRARY_PATH, no NVIDIA file: NV_GPU asks for the GPU.
tar -C "$root" -cf - . | docker import -c 'ENV PATH=/bin' - "$img" >/dev/null || { fail "docker import"; finish; }

run() { # run CAPS COMMAND...: output in $out, status in $rc
  local caps=$1; shift
  out=$(NV_GPU=0 NV_DRIVER_CAPABILITIES=$caps NV_DEBUG=1 NV_HOST="http://127.0.0.1:$port" \
    "$wrapper" run --rm --network none "$img" "$@" 2>&1); rc=$?
  echo "--- NV_DRIVER_CAPABILITIES=$caps nvidia-docker run ... $*"; echo "$out"
}
run graphics,utility egl_probe
[ "$rc" = 0 ] && ok "EGL: headless context (exit 0)" || fail "EGL: exit $rc"
renderer=$(sed -n 's/^egl: GL_RENDERER=//p' <<<"$out")
grep -qi nvidia <<<"$renderer" && ok "EGL: GL_RENDERER names the NVIDIA GPU ($renderer)" || fail "EGL: GL_RENDERER '$renderer'"
echo "--- libGLX_nvidia (the Vulkan ICD) needs:"; readelf -d /usr/local/nvidia/lib64/libGLX_nvidia.so.0 2>/dev/null | grep NEEDED
run graphics,utility vk_probe
[ "$rc" = 0 ] && ok "Vulkan: the NVIDIA device is listed" || fail "Vulkan: exit $rc"
[ "$rc" = 0 ] || run graphics,utility env VK_LOADER_DEBUG=error,warn,driver vk_probe
grep -q 'vendor 0x10de' <<<"$out" && ok "Vulkan: vendor 0x10de ($(sed -n 's/^vulkan: device 0: \(.*\) (vendor.*/\1/p' <<<"$out"))" || fail "Vulkan: no NVIDIA device"
run video,utility video_probe
grep -q '^video: NVENC API' <<<"$out" && ok "NVENC: NvEncodeAPIGetMaxSupportedVersion answers" || fail "NVENC"
grep -q '^video: cuvidGetDecoderCaps(H.264 4:2:0) = 0' <<<"$out" && ok "NVDEC: cuvidGetDecoderCaps answers" || fail "NVDEC"
run compute,utility sh -c 'find /usr/local/nvidia | sort; env | grep -E "EGL|XDG|LD_LIBRARY" ; ls /dev/nvidia*'
grep -qE 'libGLX_nvidia|libEGL_nvidia|glcore|share/' <<<"$out" && fail "compute,utility: graphics files present" || ok "compute,utility: no graphics file, no JSON file"
grep -q '__EGL_VENDOR_LIBRARY_DIRS' <<<"$out" && fail "compute,utility: EGL variables set" || ok "compute,utility: no EGL variable"
grep -q 'libcuda.so.1' <<<"$out" && ok "compute,utility: libcuda present" || fail "compute,utility: libcuda missing"
run compute,utility egl_probe
[ "$rc" != 0 ] && ok "compute,utility: EGL finds no NVIDIA driver (exit $rc)" || fail "compute,utility: EGL rendered"
finish
