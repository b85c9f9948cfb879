#!/bin/bash
# Driver-volume timings on a machine with the real NVIDIA driver (the GPU machine: its driver
# files sit on their own read-only squashfs, so every file is copied, EXDEV). No Docker needed.
#   cold build: the plugin started with the page cache dropped (echo 3 > drop_caches) builds
#               nvidia_driver_<version> at start-up; its log line "Driver volume ... ready
#               (built in N ms)" and the per-phase line "Driver files for ..." are collected.
#               COLD_RUNS runs as the plugin runs by default (as root: read-only bind mounts
#               of the driver files), then COLD_RUNS runs with -c (copies) per thread count
#               (THREADS, default "16 8"; the plugin's own choice is min(16, CPUs)).
#   warm mount: VolumeDriver.Mount of the existing volume over the plugin's unix socket, one
#               connection per request as Docker does (volume_bench, WARM_RUNS requests).
# Usage: tests/gpu/volume-speed.sh PLUGIN_BINARY VOLUME_BENCH_BINARY [VOLUMES_PARENT_DIR]
# (DRIVER_ROOT=DIR: the plugin's -r, for a dry run on a fake driver root elsewhere)
# Target: cold build <= 1 s, warm mount <= 5 ms.
set -u
plugin=$1 bench=$2 parent=${3:-/var/tmp}
COLD_RUNS=${COLD_RUNS:-3} WARM_RUNS=${WARM_RUNS:-200} THREADS=${THREADS:-16 8}
tmp=$(mktemp -d "$parent/nvd-volume-speed.XXXXXX")
pid=
stop() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; pid=; }
trap 'remove_volumes; stop; rm -rf "$tmp"' EXIT
port=$(( (RANDOM % 20000) + 30000 ))
echo "volumes on: $(df -T "$tmp" | awk 'NR==2 {print $1, $2}'); driver files on: $(df -T /usr/local/nvidia/lib64 2>/dev/null | awk 'NR==2 {print $1, $2}'); $(nproc) CPUs"
can_drop=false
if sync && echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then can_drop=true; else
  echo "(the page cache cannot be dropped here: builds after the first are warm-cache)"; fi

remove_volumes() { # through the plugin's own Remove (bind mounts are unmounted), then the rest
  [ -S "$tmp/sock/nvidia-docker.sock" ] && [ -n "${name:-}" ] &&
    curl -s --unix-socket "$tmp/sock/nvidia-docker.sock" -d "{\"Name\":\"$name\"}" http://p/VolumeDriver.Remove >/dev/null
  rm -rf "$tmp/volumes"
}
start() { # start LOG FLAGS [env...]: the plugin on a fresh volume root, until the volume is ready
  local log=$1 flags=$2; shift 2
  rm -rf "$tmp/volumes" "$tmp/sock"; mkdir -p "$tmp/sock"
  # shellcheck disable=SC2086
  env "$@" "$plugin" -l "127.0.0.1:$port" -s "$tmp/sock" -d "$tmp/volumes" -r "${DRIVER_ROOT:-/}" -cdi= $flags 2>"$log" &
  pid=$!
  for _ in $(seq 1 300); do
    grep -q 'ready (built in' "$log" && return 0
    grep -q 'Error' "$log" && break
    sleep 0.02
  done
  cat "$log"; return 1
}

name=
cold_runs() { # cold_runs LABEL FLAGS [env...]
  local label=$1 flags=$2; shift 2
  for r in $(seq 1 "$COLD_RUNS"); do
    $can_drop && sync && echo 3 >/proc/sys/vm/drop_caches
    start "$tmp/log" "$flags" "$@" || { echo "plugin did not build the volume"; exit 1; }
    name=$(sed -n 's/.*Driver volume \(nvidia_driver_[0-9.]*\) ready.*/\1/p' "$tmp/log")
    ms=$(sed -n 's/.*ready (built in \([0-9]*\) ms).*/\1/p' "$tmp/log")
    phases=$(sed -n 's/.*Driver files for [^:]*: //p' "$tmp/log")
    echo "cold build, $label, run $r: $ms ms ($phases)"
    echo "$label|$ms" >>"$tmp/cold"
    remove_volumes
    stop
  done
}
cold_runs "default flags" ""
for t in $THREADS; do cold_runs "-c, $t copy threads" -c NVD_COPY_THREADS="$t"; done
$can_drop && sync && echo 3 >/proc/sys/vm/drop_caches
start "$tmp/log" "" || exit 1
warm=$("$bench" "$tmp/sock/nvidia-docker.sock" warm "$name" "$WARM_RUNS") || exit 1
echo "warm mount (default flags): $warm"
remove_volumes
echo "mounts left under the volume root after Remove: $(awk -v d="$tmp/" 'index($5, d) == 1' /proc/self/mountinfo | wc -l)"
stop
python3 - "$tmp/cold" "$warm" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    label, ms = line.strip().split("|")
    runs.setdefault(label, []).append(float(ms))
for label, v in runs.items():
    m = statistics.median(v)
    print("summary: cold build, %s: median %.0f ms of %d runs (min %.0f, max %.0f); target <= 1000 ms: %s"
          % (label, m, len(v), min(v), max(v), "met" if m <= 1000 else "MISSED"))
w = float(re.search(r"median ([0-9.]+) ms", sys.argv[2]).group(1))
print("summary: warm mount median %.3f ms; target <= 5 ms: %s" % (w, "met" if w <= 5 else "MISSED"))
PY
