#!/bin/bash
# The Docker Compose recipe of docs/faq.md, as written, with the real docker-compose (Debian 12's
# 1.29), the real engine and the real plugin (FAKE NVML, FAKE driver root): the plugin prints
# the Compose file for a service (GET /v1.0/docker/compose), docker-compose runs the service
# with it next to the user's own file, and the container sees the devices and the driver.
# Compose's project-prefixed volume name is never produced; the plugin explains it if met.
# /run/docker/plugins and /dev/nvidia* are machine-global: run under the plugin-socket lock;
# device nodes are made only where none exist (removed at exit): tests/lib/real_plugin.sh.
. "$(dirname "$0")/../lib/common.sh"

PLUGIN=$NVD_BIN/nvidia-docker-plugin
command -v docker-compose >/dev/null || t_skip_all "docker-compose not installed (make deps)"
command -v docker >/dev/null || t_skip_all "docker not installed"
[ -e "$NVD_BUILD/fakes/libnvidia-ml.so.1" ] || t_skip_all "fake NVML not built (make check builds it)"
[ "$(id -u)" = 0 ] || t_skip_all "needs root (device nodes, the plugin socket directory)"
start_dockerd || t_skip_all "no Docker engine"
t_lock plugin-socket

. "$NVD_ROOT/tests/lib/real_plugin.sh"
VERSION=375.39 # tests/fakes/gpus-3.json
VOL=nvidia_driver_$VERSION
PROJECT=nvdcompose$$
IMAGE=nvd-compose-busybox

real_plugin_nodes /tmp/nvd-compose.nodes || { t_fail "device nodes for the fake GPUs"; t_finish; }
bash "$NVD_ROOT/tests/fakes/make-driver-root.sh" "$T_TMP/root" "$VERSION" >/dev/null 2>&1 ||
  { t_fail "fake driver root"; t_finish; }
t_cleanup stop_plugin
real_plugin_start "$NVD_ROOT/tests/fakes/gpus-3.json" "$T_TMP/root" "$T_TMP/plugin.log" ||
  { t_fail "plugin did not start"; cat "$T_TMP/plugin.log"; t_finish; }
cleanup_docker() {
  (cd "$T_TMP/app" 2>/dev/null && docker-compose -p "$PROJECT" -f docker-compose.yml \
    -f docker-compose.gpu.yml down --remove-orphans >/dev/null 2>&1)
  [ -S "$SOCK" ] && docker volume rm -f "$VOL" "${PROJECT}_$VOL" >/dev/null 2>&1
  return 0
}
t_cleanup cleanup_docker
t_cleanup "docker rmi -f $IMAGE >/dev/null 2>&1"
make_image "$IMAGE"

# The recipe (docs/faq.md, "docker compose"): the user's file, then the plugin's, then up.
mkdir -p "$T_TMP/app" && cd "$T_TMP/app" || exit 1
cat >docker-compose.yml <<YAML
version: "3.8"
services:
  cuda:
    image: $IMAGE
    network_mode: none
    command: sh -c 'readlink /usr/local/nvidia/lib64/libcuda.so.1; for f in /dev/nvidia*; do [ -c \$\$f ] && echo \$\$f; done; echo env=\$\$NVIDIA_VISIBLE_DEVICES'
YAML
curl -sf -o docker-compose.gpu.yml "http://127.0.0.1:$PORT/v1.0/docker/compose?service=cuda&dev=0"
t_eq "GET /v1.0/docker/compose: the file for service cuda, GPU 0" "# nvidia-docker-plugin: GPUs 0 and the NVIDIA driver $VERSION for the Compose service \"cuda\".
# Use it next to your file: docker-compose -f docker-compose.yml -f <this file> up
services:
  cuda:
    devices:
      - /dev/nvidiactl
      - /dev/nvidia-uvm
      - /dev/nvidia-uvm-tools
      - /dev/nvidia0
    volumes:
      - $VOL:/usr/local/nvidia:ro
    environment:
      NVIDIA_VISIBLE_DEVICES: void
volumes:
  $VOL:
    name: $VOL
    driver: nvidia-docker" "$(cat docker-compose.gpu.yml)"
config=$(docker-compose -p "$PROJECT" -f docker-compose.yml -f docker-compose.gpu.yml config 2>&1)
t_match "docker-compose accepts the two files" "name: $VOL" "$config"
if [ -n "$CAN_START" ]; then
  out=$(docker-compose -p "$PROJECT" -f docker-compose.yml -f docker-compose.gpu.yml run --rm cuda 2>&1)
  t_eq "docker-compose run: exit 0" 0 "$?"
  t_match "the service sees the driver volume" "libcuda\.so\.$VERSION" "$out"
  t_match "... GPU 0 and the control nodes only" "/dev/nvidia-uvm
/dev/nvidia-uvm-tools
/dev/nvidia0
/dev/nvidiactl" "$out"
  t_check "... not GPU 1" bash -c "! grep -q nvidia1 <<<'$out'"
  t_match "... and NVIDIA_VISIBLE_DEVICES=void" "env=void" "$out"
fi
t_eq "the volume has the name the plugin serves (no project prefix)" "nvidia-docker" \
  "$(docker volume inspect -f '{{.Driver}}' "$VOL" 2>&1)"
t_eq "no project-prefixed volume was made" "" "$(docker volume ls -q -f "name=${PROJECT}_")"

# Misuse is explained: a Compose file without `name:`, and a bad service.
out=$(curl -s --unix-socket "$SOCK" -X POST http://plugin/VolumeDriver.Create -d "{\"Name\":\"${PROJECT}_$VOL\"}")
t_match "a project-prefixed name: refused, saying what to write" \
  "unsupported volume: ${PROJECT}_$VOL; Docker Compose put its project name in front: give the volume .name: $VOL. in the Compose file" "$out"
code=$(curl -s -o "$T_TMP/body" -w '%{http_code}' "http://127.0.0.1:$PORT/v1.0/docker/compose?service=a%20b")
t_eq "a bad service name: 400 naming it" "400 invalid service: a b; name the Compose service that gets the GPUs: /v1.0/docker/compose?service=NAME&dev=0" "$code $(cat "$T_TMP/body")"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/docker/compose?service=x")
t_eq "the route exists under /v1.0 only" 404 "$code"
cd "$NVD_ROOT" || exit 1
cleanup_docker
stop_plugin
t_check "no sanitizer report in the plugin log" bash -c "! grep -qE 'Sanitizer|runtime error' '$T_TMP/plugin.log'"
t_finish
