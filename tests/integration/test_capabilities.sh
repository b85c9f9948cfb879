#!/bin/bash
# Driver capabilities end to end, no fakes between the parts: the real nvidia-docker-plugin
# (FAKE NVML, tests/fakes/gpus-3.json; FAKE driver root from tests/fakes/make-driver-root.sh,
# which carries graphics, video and display files and the loaders' JSON files) answers
# /v1.0/docker/cli/json?caps=...; the real Docker engine starts a container with exactly that
# answer (devices, the set's volume through the volume plugin, the environment); the container
# lists what it sees. For each set: exactly its files, the JSON copies naming libraries that
# exist inside the container, /dev/nvidia-modeset only with graphics or display, the loader
# environment only with graphics. Device nodes as in test_wrapper_real_plugin.sh: made (and
# removed) only where no /dev/nvidia* exists, including a fake /dev/nvidia-modeset (195, 254);
# the whole test runs under the plugin-socket lock.
. "$(dirname "$0")/../lib/common.sh"

PLUGIN=$NVD_BIN/nvidia-docker-plugin
MKROOT=$NVD_ROOT/tests/fakes/make-driver-root.sh
[ -x "$PLUGIN" ] || t_skip_all "build first (make)"
[ -e "$NVD_BUILD/fakes/libnvidia-ml.so.1" ] || t_skip_all "fake NVML not built (make check builds it)"
command -v docker >/dev/null || t_skip_all "docker not installed"
command -v jq >/dev/null || t_skip_all "jq not installed (make deps)"
[ "$(id -u)" = 0 ] || t_skip_all "needs root (device nodes, the plugin socket directory)"
start_dockerd || t_skip_all "no Docker engine"

A=375.39 # driver of tests/fakes/gpus-3.json
SOCK_DIR=/run/docker/plugins
SOCK=$SOCK_DIR/nvidia-docker.sock
NODE_STATE=/tmp/nvd-capabilities.nodes
P=nvd-caps-$$
IMG=nvd-caps-probe

t_lock plugin-socket

remove_created_nodes() {
  local n
  [ -f "$1" ] || return 0
  while read -r n; do
    case $n in /dev/nvidia*) ;; *) continue ;; esac
    [ -c "$n" ] || continue
    case $(stat -c %t "$n") in c3 | ee) rm -f "$n" ;; esac
  done <"$1"
  rm -f "$1"
}
remove_created_nodes "$NODE_STATE"
NODES="nvidiactl 195 255:nvidia-uvm 238 0:nvidia-uvm-tools 238 1:nvidia0 195 0:nvidia1 195 1:nvidia2 195 2:nvidia-modeset 195 254"
CAN_START=1
DEV_ENV=()
if compgen -G '/dev/nvidia*' >/dev/null; then
  CAN_START=
  echo "# /dev/nvidia* exists already: the plugin uses a private dev directory, no container starts"
  . "$NVD_ROOT/tests/fakes/fake_env.sh"
  mkdir -p "$T_TMP/dev"
  IFS=: read -ra specs <<<"$NODES"
  for spec in "${specs[@]}"; do set -- $spec; fake_node "$T_TMP/dev/$1" "$2" "$3"; done
  DEV_ENV=(NVD_DEV_ROOT="$T_TMP/dev")
else
  : >"$NODE_STATE"
  t_cleanup 'remove_created_nodes "$NODE_STATE"'
  IFS=: read -ra specs <<<"$NODES"
  for spec in "${specs[@]}"; do
    set -- $spec
    [ -e "/dev/$1" ] && continue
    mknod -m 0666 "/dev/$1" c "$2" "$3" || { t_fail "mknod /dev/$1"; t_finish; }
    echo "/dev/$1" >>"$NODE_STATE"
  done
fi

t_cleanup stop_plugin
DOCKER_CLEAN=
cleanup_docker() {
  [ -n "$DOCKER_CLEAN" ] && return 0
  docker ps -aq --filter "name=^$P-" | xargs -r docker rm -f >/dev/null 2>&1
  [ -n "$PID" ] && docker volume ls -q -f driver=nvidia-docker | grep "_$A\$" |
    xargs -r docker volume rm -f >/dev/null 2>&1
  return 0
}
t_cleanup cleanup_docker
t_cleanup "docker rmi -f $IMG >/dev/null 2>&1"
make_image "$IMG"

bash "$MKROOT" "$T_TMP/root" "$A" >"$T_TMP/root.log" 2>&1 || { t_fail "fake driver root"; t_finish; }
mkdir -p "$SOCK_DIR"
PORT=$(free_port)
rm -f "$SOCK"
env LD_LIBRARY_PATH="$NVD_BUILD/fakes" FAKE_NVML_CONFIG="$NVD_ROOT/tests/fakes/gpus-3.json" \
  "${DEV_ENV[@]}" PATH=/usr/local/bin:/usr/bin:/bin \
  "$PLUGIN" -s "$SOCK_DIR" -l "127.0.0.1:$PORT" -d "$T_TMP/volumes" -r "$T_TMP/root" -cdi= \
  2>"$T_TMP/plugin.log" &
PID=$!
wait_for "plugin REST" curl -sf "http://127.0.0.1:$PORT/v1.0/gpu/info/json" &&
  wait_for "plugin socket" test -S "$SOCK" ||
  { t_fail "nvidia-docker-plugin did not start"; tail -5 "$T_TMP/plugin.log"; t_finish; }
cleanup_docker

# What the container sees: every file and link under /usr/local/nvidia (relative, sorted), the
# libraries the JSON copies name and whether they exist there, the NVIDIA nodes, the loader env.
PROBE='cd /usr/local/nvidia && busybox find . ! -type d | busybox sort | busybox sed "s/^/file /"
for j in $(busybox find share -name "*.json" 2>/dev/null); do
  l=$(busybox sed -n "s/.*\"library_path\": *\"\([^\"]*\)\".*/\1/p" "$j")
  if [ -e "$l" ]; then echo "json $j $l exists"; else echo "json $j $l missing"; fi
done
for f in /dev/nvidia*; do [ -c "$f" ] && echo "dev $f"; done
echo "env LD_LIBRARY_PATH=${LD_LIBRARY_PATH-unset}"
echo "env __EGL_VENDOR_LIBRARY_DIRS=${__EGL_VENDOR_LIBRARY_DIRS-unset}"
echo "env XDG_DATA_DIRS=${XDG_DATA_DIRS-unset}"'

# run_caps CAPS: asks the plugin, starts the container with the answer; output in $OUT.
run_caps() {
  local answer args=()
  answer=$(curl -sf "http://127.0.0.1:$PORT/v1.0/docker/cli/json?dev=0&caps=$1") ||
    { OUT="plugin refused caps=$1"; return 1; }
  ANSWER=$answer
  while read -r d; do args+=("--device=$d"); done < <(jq -r '.Devices[]' <<<"$answer")
  while read -r v; do
    args+=("--mount=type=volume,source=${v%%:*},target=/usr/local/nvidia,readonly,volume-driver=nvidia-docker")
  done < <(jq -r '.Volumes[]' <<<"$answer")
  while read -r e; do args+=("--env=$e"); done < <(jq -r '.Environment[]' <<<"$answer")
  OUT=$(docker run --rm --network none --name "$P-run" "${args[@]}" "$IMG" sh -c "$PROBE" 2>&1)
}
files() { grep '^file ' <<<"$OUT" | cut -d' ' -f2 | grep -v '^\./lib64/.*\.so\.[0-9]*$' | tr '\n' ' '; }
has() { grep -qxF "file ./$1" <<<"$OUT"; }

# --- answers (no container) ------------------------------------------------------------------
ans=$(curl -sf "http://127.0.0.1:$PORT/v1.0/docker/cli/json?dev=0")
t_eq "no caps: 1.0's answer" \
  "{\"VolumeDriver\":\"nvidia-docker\",\"Volumes\":[\"nvidia_driver_$A:/usr/local/nvidia:ro\"],\"Devices\":[\"/dev/nvidiactl\",\"/dev/nvidia-uvm\",\"/dev/nvidia-uvm-tools\",\"/dev/nvidia0\"]}" "$ans"
ans=$(curl -sf "http://127.0.0.1:$PORT/v1.0/docker/cli/json?dev=0&caps=")
t_eq "caps= (empty): utility,compute" "nvidia_driver-compute-utility_$A:/usr/local/nvidia:ro" \
  "$(jq -r '.Volumes[0]' <<<"$ans")"
t_eq "caps=graphics: modeset among the devices" "/dev/nvidia-modeset" \
  "$(curl -sf "http://127.0.0.1:$PORT/v1.0/docker/cli/json?dev=0&caps=graphics" | jq -r '.Devices[-1]')"
code=$(curl -s -o "$T_TMP/bad" -w '%{http_code}' "http://127.0.0.1:$PORT/v1.0/docker/cli/json?caps=a%2Fb")
t_eq "caps=a/b: 400" 400 "$code"
t_eq "caps=a/b: one line" "invalid capability: a/b" "$(cat "$T_TMP/bad")"

if [ -z "$CAN_START" ]; then
  echo "# skipped: container starts (real /dev/nvidia* present)"
else
  V=$A
  # utility,compute (NVIDIA's default): CUDA and NVML only.
  run_caps "utility,compute"
  t_eq "utility,compute: exactly its files" \
    "./bin/nvidia-cuda-mps-control ./bin/nvidia-debugdump ./bin/nvidia-smi ./lib64/libcuda.so ./lib64/libcuda.so.$V ./lib64/libnvidia-cfg.so.$V ./lib64/libnvidia-gpucomp.so.$V ./lib64/libnvidia-ml.so.$V ./lib64/libnvidia-ptxjitcompiler.so.$V " \
    "$(files)"
  t_match "utility,compute: soname links" "file ./lib64/libcuda.so.1
(.|
)*file ./lib64/libnvidia-ml.so.1" "$OUT"
  t_check "utility,compute: no modeset" bash -c "! grep -q 'dev /dev/nvidia-modeset' <<<'$OUT'"
  t_match "utility,compute: no LD_LIBRARY_PATH added (CUDA images have theirs)" "env LD_LIBRARY_PATH=unset
env __EGL" "$OUT"
  t_match "utility,compute: no EGL environment" "env __EGL_VENDOR_LIBRARY_DIRS=unset" "$OUT"

  # graphics: the vendor libraries, the JSON files (naming libraries that exist), modeset.
  run_caps "graphics"
  t_eq "graphics: exactly its files" \
    "./lib64/libEGL.so.$V ./lib64/libEGL_nvidia.so.$V ./lib64/libGLESv2_nvidia.so.$V ./lib64/libGLX_nvidia.so.$V ./lib64/libnvidia-egl-wayland.so.1.1.13 ./lib64/libnvidia-eglcore.so.$V ./lib64/libnvidia-glcore.so.$V ./lib64/libnvidia-glsi.so.$V ./lib64/libnvidia-gpucomp.so.$V ./lib64/libnvidia-tls.so.$V ./lib64/libnvoptix.so.$V ./share/egl/egl_external_platform.d/10_nvidia_wayland.json ./share/glvnd/egl_vendor.d/10_nvidia.json ./share/nvidia/nvoptix.bin ./share/vulkan/icd.d/nvidia_icd.json ./share/vulkan/implicit_layer.d/nvidia_layers.json " \
    "$(files)"
  t_match "graphics: the EGL vendor file names libEGL_nvidia inside the volume" \
    "json share/glvnd/egl_vendor.d/10_nvidia.json /usr/local/nvidia/lib64/libEGL_nvidia.so.$V exists" "$OUT"
  t_match "graphics: the Vulkan ICD file names libGLX_nvidia inside the volume" \
    "json share/vulkan/icd.d/nvidia_icd.json /usr/local/nvidia/lib64/libGLX_nvidia.so.$V exists" "$OUT"
  t_check "graphics: every JSON library exists" bash -c "! grep -q '^json .* missing' <<<'$OUT'"
  t_match "graphics: /dev/nvidia-modeset" "dev /dev/nvidia-modeset" "$OUT"
  t_check "graphics: no CUDA" bash -c "! grep -q 'libcuda' <<<'$OUT'"
  t_match "graphics: GLVND looks in the volume first" \
    "env __EGL_VENDOR_LIBRARY_DIRS=/usr/local/nvidia/share/glvnd/egl_vendor.d:/etc/glvnd/egl_vendor.d:/usr/share/glvnd/egl_vendor.d" "$OUT"
  t_match "graphics: the Vulkan loader looks in the volume first" \
    "env XDG_DATA_DIRS=/usr/local/nvidia/share:/usr/local/share:/usr/share" "$OUT"

  # video: the codecs and CUDA, no graphics.
  run_caps "video"
  t_eq "video: exactly its files (compute included)" \
    "./bin/nvidia-cuda-mps-control ./lib64/libcuda.so ./lib64/libcuda.so.$V ./lib64/libnvcuvid.so.$V ./lib64/libnvidia-encode.so.$V ./lib64/libnvidia-gpucomp.so.$V ./lib64/libnvidia-opticalflow.so.$V ./lib64/libnvidia-ptxjitcompiler.so.$V " \
    "$(files)"
  t_check "video: no modeset" bash -c "! grep -q 'dev /dev/nvidia-modeset' <<<'$OUT'"

  # display: graphics plus the X modules.
  run_caps "display"
  t_check "display: the X driver" has lib64/xorg/modules/drivers/nvidia_drv.so
  t_check "display: the GLX module" has lib64/xorg/modules/extensions/libglxserver_nvidia.so
  t_check "display: the X configuration" has share/X11/xorg.conf.d/10-nvidia.conf
  t_check "display: graphics too" has "lib64/libGLX_nvidia.so.$V"
  t_match "display: /dev/nvidia-modeset" "dev /dev/nvidia-modeset" "$OUT"

  # all: 1.0's volume name, everything (32-bit too).
  run_caps "all"
  t_eq "all: 1.0's volume" "nvidia_driver_$A:/usr/local/nvidia:ro" "$(jq -r '.Volumes[0]' <<<"$ANSWER")"
  t_check "all: 32-bit libraries" has "lib/libcuda.so.$V"
  t_check "all: JSON files" has share/glvnd/egl_vendor.d/10_nvidia.json
  t_match "all: the ICD file keeps the bare name (a 32-bit libGLX_nvidia is there too)" \
    "json share/vulkan/icd.d/nvidia_icd.json libGLX_nvidia.so.0 " "$OUT"
  t_match "all: LD_LIBRARY_PATH with lib" "env LD_LIBRARY_PATH=/usr/local/nvidia/lib64:/usr/local/nvidia/lib
env __EGL" "$OUT"

  # compute,utility,compat32: the 32-bit copies, no graphics.
  run_caps "compute,utility,compat32"
  t_check "compat32: lib/libnvidia-ml" has "lib/libnvidia-ml.so.$V"
  t_check "compat32: no graphics" bash -c "! grep -q 'GLX' <<<'$OUT'"

  t_eq "the engine lists one volume per set used" \
    "nvidia_driver-compat32-compute-utility_$A nvidia_driver-compute-utility_$A nvidia_driver-compute-video_$A nvidia_driver-display-graphics_$A nvidia_driver-graphics_$A nvidia_driver_$A" \
    "$(docker volume ls -q -f driver=nvidia-docker | grep "_$A\$" | sort | tr '\n' ' ' | sed 's/ $//')"
fi

cleanup_docker
DOCKER_CLEAN=1
stop_plugin
t_check "no sanitizer report in the plugin log" bash -c "! grep -qE 'Sanitizer|runtime error' '$T_TMP/plugin.log'"
t_finish
