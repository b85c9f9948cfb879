#!/bin/bash
# The plugin as a service on a machine with a real NVIDIA GPU and driver (no Docker needed):
#  - readiness over a real sd_notify socket (a Python datagram listener as systemd): READY=1
#    with a STATUS naming the real GPUs and the driver nvidia-smi reports, and how long the real
#    NVML took to get there;
#  - the driver watch reads the real /proc/driver/nvidia/version: SIGHUP (RELOADING=1) goes
#    through a second NVML initialisation and READY=1 again, with the same driver;
#  - /v1.0/docker/compose names the real devices and the running driver's volume;
#  - SIGTERM: STOPPING=1, exit 0.
# Usage: tests/gpu/service.sh [PLUGIN_BINARY]   (default: bin/nvidia-docker-plugin)
# Prints "service: N passed, N failed"; exit status 1 on any failure.
set -u
plugin=${1:-$(dirname "$0")/../../bin/nvidia-docker-plugin}
listener=$(dirname "$0")/../integration/notify_listener.py
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
fail() { failed=$((failed + 1)); echo "FAIL - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
command -v nvidia-smi >/dev/null || { echo "service: nvidia-smi not found"; echo "service: 0 passed, 1 failed"; exit 1; }
command -v python3 >/dev/null || { echo "service: python3 not found"; echo "service: 0 passed, 1 failed"; exit 1; }
tmp=$(mktemp -d)
. "$(dirname "$0")/../lib/mounts.sh"
port=$(( (RANDOM % 20000) + 30000 ))
pid= lpid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "$lpid" ] && kill "$lpid" 2>/dev/null
  unmount_under "$tmp" # the volume's read-only bind mounts
  rm -rf "$tmp"
}
trap cleanup EXIT
wait_line() { for _ in $(seq 1 600); do grep -q "$1" "$2" 2>/dev/null && return 0; sleep 0.1; done; return 1; }

mkdir -p "$tmp/sock"
python3 "$listener" "$tmp/notify.sock" "$tmp/notify.log" "http://127.0.0.1:$port" "$tmp/sock/nvidia-docker.sock" &
lpid=$!
wait_line listening "$tmp/notify.log"
t0=$(date +%s%N)
NOTIFY_SOCKET=$tmp/notify.sock "$plugin" -l "127.0.0.1:$port" -s "$tmp/sock" -d "$tmp/volumes" -cdi= 2>"$tmp/plugin.log" &
pid=$!
check "READY=1 within 60 s" wait_line "READY=1" "$tmp/notify.log"
echo "# READY=1 after $(( ($(date +%s%N) - t0) / 1000000 )) ms: $(grep READY "$tmp/notify.log")"
driver=$(nvidia-smi --query-gpu=driver_version --format=csv,noheader | head -n 1)
count=$(nvidia-smi -L | grep -c '^GPU ')
check "STATUS names the driver nvidia-smi reports ($driver)" grep -q "driver $driver," "$tmp/notify.log"
check "STATUS counts the GPUs nvidia-smi lists ($count)" grep -qE "Serving $count GPUs? " "$tmp/notify.log"
check "both sockets answered right after READY=1" wait_line "probe rest=200 volume=200" "$tmp/notify.log"
check "the kernel module's version file is there" grep -q "Kernel Module" /proc/driver/nvidia/version
kill -HUP "$pid"
check "SIGHUP: RELOADING=1" wait_line "RELOADING=1" "$tmp/notify.log"
for _ in $(seq 1 600); do [ "$(grep -c READY=1 "$tmp/notify.log")" -ge 2 ] && break; sleep 0.1; done
check "... then READY=1 again (NVML closed and opened again)" test "$(grep -c READY=1 "$tmp/notify.log")" -ge 2
check "... same driver, no change logged" bash -c "! grep -q 'Driver changed' '$tmp/plugin.log'"
# bash /dev/tcp, HTTP/1.0: no curl needed on the GPU machine; the body after the blank line.
compose=$(exec 3<>"/dev/tcp/127.0.0.1/$port" &&
  printf 'GET /v1.0/docker/compose?service=cuda&dev=0 HTTP/1.0\r\nHost: plugin\r\n\r\n' >&3 &&
  sed '1,/^\r$/d' <&3)
echo "$compose" | sed 's/^/# /'
check "compose: the driver's volume by its full name" grep -q "name: nvidia_driver_$driver" <<<"$compose"
check "compose: GPU 0's device node" grep -qE -- "- /dev/nvidia[0-9]+$" <<<"$compose"
kill -TERM "$pid"; wait "$pid"; rc=$?; pid=
check "SIGTERM: exit 0" test "$rc" = 0
check "SIGTERM: STOPPING=1" grep -q "STOPPING=1" "$tmp/notify.log"
echo "service: $passed passed, $failed failed"
[ "$failed" = 0 ]
