#!/bin/bash
# End-to-end check of nvidia-docker-plugin on a machine with a real NVIDIA GPU and driver
# (no Docker needed, no network): starts the plugin against the real NVML on a free loopback
# port, fetches /v1.0/gpu/info/json, /gpu/info, /gpu/status/json and /docker/cli, and compares
# UUID, PCI bus ID and total memory with
#   nvidia-smi --query-gpu=uuid,pci.bus_id,memory.total --format=csv,noheader
# When a Docker engine answers (on the GPU machine: .gpu-host/start-docker.sh of its set-up,
# which also imports the image gpu-host/base), the plugin serves its volume socket where Docker looks
# (/run/docker/plugins) and the wrapper runs real containers: `NV_GPU=0 nvidia-docker run
# gpu-host/base nvidia-smi -L`, a CUDA vector addition built here with nvcc, and NV_GPU=1 (absent)
# failing with the list of valid GPUs.
# Usage: tests/gpu/e2e.sh [PLUGIN_BINARY]   (default: bin/nvidia-docker-plugin; the wrapper is
# the nvidia-docker beside it)
# Prints "e2e: N passed, N failed"; exit status 1 on any failure.
set -u
plugin=${1:-$(dirname "$0")/../../bin/nvidia-docker-plugin}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
command -v nvidia-smi >/dev/null || { echo "e2e: nvidia-smi not found; not a GPU machine?"; echo "e2e: 0 passed, 1 failed"; exit 1; }

tmp=$(mktemp -d)
. "$(dirname "$0")/../lib/mounts.sh"
port=$(( (RANDOM % 20000) + 30000 ))
wrapper=$(dirname "$plugin")/nvidia-docker
sock_dir=$tmp/sock
with_docker=false
if command -v docker >/dev/null && docker info >/dev/null 2>&1 && [ -x "$wrapper" ]; then
  with_docker=true
  sock_dir=/run/docker/plugins
fi
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  unmount_under "$tmp" # the volume's read-only bind mounts
  rm -rf "$tmp"
}
trap cleanup EXIT

# http_get PATH: body on stdout (bash /dev/tcp, HTTP/1.0, so no curl is needed).
http_get() {
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: plugin\r\n\r\n' "$1" >&3
  local reply
  reply=$(cat <&3; printf x)
  exec 3<&-
  reply=${reply%x}
  printf '%s' "${reply#*$'\r\n\r\n'}"
}

"$plugin" -l "127.0.0.1:$port" -s "$sock_dir" -d "$tmp/volumes" -cdi= 2>"$tmp/log" &
pid=$!
for _ in $(seq 1 100); do
  http_get /v1.0/gpu/info/json >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
cat "$tmp/log"
info_json=$(http_get /v1.0/gpu/info/json) || { fail "plugin answers"; echo "e2e: $passed passed, $failed failed"; exit 1; }
ok "plugin started with the real NVML"
echo "--- /v1.0/gpu/info/json"; printf '%s' "$info_json"
info_text=$(http_get /gpu/info)
echo "--- /gpu/info"; printf '%s' "$info_text"
status_json=$(http_get /gpu/status/json)
echo "--- /gpu/status/json"; printf '%s' "$status_json"
echo "--- /gpu/status"; http_get /gpu/status
echo "--- /docker/cli"; http_get /docker/cli; echo

# One "UUID bus memory" line per GPU from the plugin's JSON, in NVML order.
plugin_rows=$(printf '%s' "$info_json" | grep -o '"UUID":"[^"]*"\|"BusID":"[^"]*","BAR1"\|"Global":[0-9]*' |
  sed -E 's/"UUID":"([^"]*)"/U \1/; s/"BusID":"([^"]*)","BAR1"/B \1/; s/"Global":([0-9]*)/G \1/' |
  awk '$1=="U"{u=$2} $1=="B"{b=$2} $1=="G"{print u, b, $2}')
smi_rows=$(nvidia-smi --query-gpu=uuid,pci.bus_id,memory.total --format=csv,noheader |
  awk -F', *' '{ bus=$2; if (length(bus) > 12) bus=substr(bus, length(bus)-11); gsub(/ MiB/, "", $3); print $1, toupper(bus), $3 }')
echo "--- plugin (uuid bus MiB):"; echo "$plugin_rows"
echo "--- nvidia-smi (uuid bus MiB):"; echo "$smi_rows"
n_plugin=$(printf '%s\n' "$plugin_rows" | grep -c .)
n_smi=$(printf '%s\n' "$smi_rows" | grep -c .)
[ "$n_plugin" = "$n_smi" ] && ok "GPU count $n_smi" || fail "GPU count: plugin $n_plugin, nvidia-smi $n_smi"
paste -d' ' <(printf '%s\n' "$plugin_rows") <(printf '%s\n' "$smi_rows") | while read -r pu pb pm su sb sm; do
  [ "$pu" = "$su" ] && echo "ok   - UUID $pu" || echo "FAIL - UUID: plugin $pu, nvidia-smi $su"
  [ "$pb" = "$sb" ] && echo "ok   - bus ID $pb" || echo "FAIL - bus ID: plugin $pb, nvidia-smi $sb"
  # Global comes from CUDA (cuDeviceTotalMem), nvidia-smi from NVML: allow 1% difference.
  if [ -n "$pm" ] && [ -n "$sm" ] && [ $(( (pm > sm ? pm - sm : sm - pm) * 100 )) -le "$sm" ]; then
    echo "ok   - memory $pm MiB (nvidia-smi $sm MiB)"
  else echo "FAIL - memory: plugin $pm MiB, nvidia-smi $sm MiB"; fi
done >"$tmp/cmp"
cat "$tmp/cmp"
passed=$((passed + $(grep -c '^ok' "$tmp/cmp"))); failed=$((failed + $(grep -c '^FAIL' "$tmp/cmp")))
grep -q '^Driver version: ' <<<"$info_text" && ok "text /gpu/info" || fail "text /gpu/info"
grep -q '^{"Devices":\[{"Power":' <<<"$status_json" && ok "/gpu/status/json" || fail "/gpu/status/json"
# The volume plugin protocol on the socket: build the driver volume from the real driver files
# (on the GPU hosts they sit on their own read-only file system: link-or-copy must copy).
if command -v curl >/dev/null; then
  vol() { curl -s --unix-socket "$sock_dir/nvidia-docker.sock" -H 'Accept: application/vnd.docker.plugins.v1.2+json' -X POST "http://plugin/$1" -d "${2:-}"; }
  drv=$(printf '%s' "$info_json" | sed -E 's/.*"Driver":"([^"]*)".*/\1/')
  echo "--- Plugin.Activate: $(vol Plugin.Activate)"
  start_ns=$(date +%s%N)
  created=$(vol VolumeDriver.Create "{\"Name\":\"nvidia_driver_$drv\"}")
  echo "--- VolumeDriver.Create nvidia_driver_$drv: $created ($(( ($(date +%s%N) - start_ns) / 1000000 )) ms)"
  [ "$created" = '{"Err":null}' ] && ok "volume created" || fail "volume create: $created"
  mounted=$(vol VolumeDriver.Mount "{\"Name\":\"nvidia_driver_$drv\",\"ID\":\"e2e\"}")
  echo "--- VolumeDriver.Mount: $mounted"
  mp=$(printf '%s' "$mounted" | sed -nE 's/.*"Mountpoint":"([^"]*)".*/\1/p')
  if [ -n "$mp" ] && [ -d "$mp" ]; then
    ok "volume mount point $mp"
    echo "--- volume contents"; (cd "$mp" && find . -maxdepth 2 | sort | head -80; du -sh .)
    [ -e "$mp/lib64/libcuda.so.1" ] && ok "lib64/libcuda.so.1" || fail "lib64/libcuda.so.1 missing"
    [ -e "$mp/lib64/libnvidia-ml.so.1" ] && ok "lib64/libnvidia-ml.so.1" || fail "lib64/libnvidia-ml.so.1 missing"
    if [ -x "$mp/bin/nvidia-smi" ]; then
      out=$(LD_LIBRARY_PATH="$mp/lib64" "$mp/bin/nvidia-smi" -L 2>&1)
      echo "--- nvidia-smi -L from the volume: $out"
      grep -q '^GPU 0' <<<"$out" && ok "nvidia-smi from the volume runs" || fail "nvidia-smi from the volume: $out"
    else fail "bin/nvidia-smi missing in the volume"; fi
    start_ns=$(date +%s%N)
    again=$(vol VolumeDriver.Mount "{\"Name\":\"nvidia_driver_$drv\",\"ID\":\"e2e2\"}")
    echo "--- VolumeDriver.Mount of the existing volume: $(( ($(date +%s%N) - start_ns) / 1000 )) us"
    [ "$again" = "$mounted" ] && ok "warm mount answers the same mount point" || fail "warm mount: $again"
    vol VolumeDriver.Unmount "{\"Name\":\"nvidia_driver_$drv\",\"ID\":\"e2e\"}" >/dev/null
    vol VolumeDriver.Unmount "{\"Name\":\"nvidia_driver_$drv\",\"ID\":\"e2e2\"}" >/dev/null
  else fail "volume mount: $mounted"; fi
else
  echo "(curl not found: volume protocol checks skipped)"
fi

# --- Containers through the wrapper (only where a Docker engine answers) -----------------
if $with_docker; then
  export NV_HOST="http://127.0.0.1:$port"
  image=${NVD_E2E_IMAGE:-gpu-host/base}
  smi_uuid=$(nvidia-smi --query-gpu=uuid --format=csv,noheader | head -n 1)
  echo "--- NV_GPU=0 NV_DEBUG=1 nvidia-docker run --rm --network none $image nvidia-smi -L"
  out=$(NV_GPU=0 NV_DEBUG=1 "$wrapper" run --rm --network none "$image" nvidia-smi -L 2>"$tmp/err"); rc=$?
  cat "$tmp/err"; echo "$out"
  [ "$rc" = 0 ] && ok "nvidia-docker run nvidia-smi -L: exit 0" || fail "nvidia-docker run nvidia-smi -L: exit $rc"
  grep -q "^GPU 0: .*(UUID: $smi_uuid)" <<<"$out" && ok "the container sees GPU 0 ($smi_uuid)" || fail "GPU not seen in the container"
  out=$(docker run --rm --network none "$image" nvidia-smi -L 2>&1); rc=$?
  [ "$rc" != 0 ] && ok "plain docker run of the same image has no GPU (exit $rc)" || fail "plain docker run saw a GPU: $out"
  if command -v nvcc >/dev/null; then
    if nvcc -O2 -o "$tmp/vector_add" "$(dirname "$0")/vector_add.cu" 2>"$tmp/nvcc.log"; then
      echo "--- nvidia-docker run --rm --network none -v $tmp:/w:ro $image /w/vector_add"
      out=$("$wrapper" run --rm --network none -v "$tmp:/w:ro" "$image" /w/vector_add 2>&1); rc=$?
      echo "$out"
      [ "$rc" = 0 ] && grep -q '^vector_add: OK' <<<"$out" && ok "CUDA vector addition inside the container" ||
        fail "CUDA vector addition inside the container (exit $rc)"
    else cat "$tmp/nvcc.log"; fail "nvcc could not build vector_add.cu"; fi
  else fail "nvcc not found: the CUDA test cannot run"; fi
  echo "--- NV_GPU=1 nvidia-docker run --rm --network none $image nvidia-smi -L"
  out=$(NV_GPU=1 "$wrapper" run --rm --network none "$image" nvidia-smi -L 2>&1); rc=$?
  echo "$out"
  [ "$rc" != 0 ] && ok "NV_GPU=1 (absent): exit $rc" || fail "NV_GPU=1 (absent) ran"
  grep -q "invalid device: 1" <<<"$out" && grep -q "$smi_uuid" <<<"$out" &&
    ok "NV_GPU=1: the error names the device and lists the valid GPUs" || fail "NV_GPU=1: unclear error"
  [ "$(printf '%s\n' "$out" | grep -c .)" = 1 ] && ok "NV_GPU=1: one line" || fail "NV_GPU=1: more than one line"
  docker volume rm "nvidia_driver_$drv" >/dev/null 2>&1
else
  echo "(no Docker engine: container checks skipped; start one first, e.g. .gpu-host/start-docker.sh on the GPU machine)"
fi

echo "--- plugin log"; cat "$tmp/log"
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
[ "$rc" = 0 ] && ok "SIGTERM: exit 0" || fail "SIGTERM: exit $rc"
[ ! -e "$sock_dir/nvidia-docker.sock" ] && ok "socket removed" || fail "socket left behind"
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
